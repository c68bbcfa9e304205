"""CLI: user mistakes give one clear line and a non-zero exit; accounts and tokens."""

from __future__ import annotations

import asyncio
import socket
from pathlib import Path

import jwt
import pytest
from sqlalchemy.engine import make_url

from db.admin import drop_database, ensure_database
from db.demo import SeedResult
from server.errors import describe
from tests.conftest import TEST_SECRET, throwaway_url
from tests.server.procs import env, free_port, run_cli


def _one_error_line(stderr: str) -> str:
    lines = [line for line in stderr.splitlines() if line.strip()]
    errors = [line for line in lines if line.startswith("f0care: error:")]
    assert len(errors) == 1, stderr
    assert "Traceback" not in stderr
    return errors[0]


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("postgresql://postgres@127.0.0.1:9/nothing", "cannot connect"),
        ("mysql://root@127.0.0.1/x", "PostgreSQL URL"),
        ("not a url at all", "DATABASE_URL"),
    ],
)
def test_bad_database_url(tmp_path: Path, url: str, expected: str) -> None:
    result = run_cli("migrate", environ=env(DATABASE_URL=url), cwd=tmp_path)
    assert result.returncode != 0
    assert expected in _one_error_line(result.stderr)


def test_missing_database(tmp_path: Path, server_url: str) -> None:
    url = make_url(server_url).set(database="f0care_does_not_exist").render_as_string(False)
    result = run_cli("migrate", environ=env(DATABASE_URL=url), cwd=tmp_path)
    assert result.returncode != 0
    assert "does not exist" in _one_error_line(result.stderr)


def test_port_already_in_use(tmp_path: Path, database_url: str) -> None:
    port = free_port()
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", port))
        taken.listen()
        result = run_cli(
            "serve",
            "--port",
            str(port),
            environ=env(DATABASE_URL=database_url, F0CARE_JWT_SECRET=TEST_SECRET),
            cwd=tmp_path,
        )
    assert result.returncode != 0
    assert f"127.0.0.1:{port}" in _one_error_line(result.stderr)


def test_production_serve_without_secret(tmp_path: Path, database_url: str) -> None:
    result = run_cli(
        "serve", environ=env(DATABASE_URL=database_url, F0CARE_JWT_SECRET=None), cwd=tmp_path
    )
    assert result.returncode != 0
    assert "F0CARE_JWT_SECRET" in _one_error_line(result.stderr)


def test_wrong_password_is_described() -> None:
    import asyncpg

    error = asyncpg.InvalidPasswordError('password authentication failed for user "x"')
    wrapped = RuntimeError("connect failed")
    wrapped.__cause__ = error
    assert describe(wrapped) == f"PostgreSQL refused the login: {error}"


def test_create_user_then_token_for_it(tmp_path: Path, database_url: str, demo: SeedResult) -> None:
    environ = env(
        DATABASE_URL=database_url,
        F0CARE_JWT_SECRET=TEST_SECRET,
        F0CARE_NEW_PASSWORD="a-long-password",
    )
    created = run_cli(
        "create-user", "--username", "bi.tayninh", "--role", "analyst", "--area", "72",
        environ=environ, cwd=tmp_path,
    )  # fmt: skip
    assert created.returncode == 0, created.stderr
    again = run_cli(
        "create-user", "--username", "bi.tayninh", "--role", "ANALYST", "--area", "72",
        environ=environ, cwd=tmp_path,
    )  # fmt: skip
    assert "is taken" in _one_error_line(again.stderr)
    minted = run_cli("token", "--username", "bi.tayninh", environ=environ, cwd=tmp_path)
    assert minted.returncode == 0, minted.stderr
    claims = jwt.decode(minted.stdout.strip().splitlines()[-1], TEST_SECRET, algorithms=["HS256"])
    assert claims["sub"] == "bi.tayninh"
    assert claims["role"] == "ANALYST"
    assert claims["area"] == "72"
    assert claims["exp"] > claims["iat"]


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--role", "NURSE", "--area", "72"], "not a role"),
        (["--role", "HEALTH_STAFF"], "give --area"),
        (["--role", "HOSPITAL_STAFF"], "give --facility"),
        (["--role", "HEALTH_STAFF", "--area", "00000"], "not an area code"),
    ],
)
def test_create_user_mistakes(
    tmp_path: Path, database_url: str, args: list[str], expected: str
) -> None:
    environ = env(DATABASE_URL=database_url, F0CARE_NEW_PASSWORD="a-long-password")
    result = run_cli("create-user", "--username", "someone", *args, environ=environ, cwd=tmp_path)
    assert result.returncode != 0
    assert expected in _one_error_line(result.stderr)


def test_service_token_without_account(tmp_path: Path) -> None:
    environ = env(F0CARE_JWT_SECRET=TEST_SECRET)
    result = run_cli(
        "token", "--subject", "powerbi", "--role", "ANALYST", "--area", "72", "--hours", "8760",
        environ=environ, cwd=tmp_path,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    claims = jwt.decode(result.stdout.strip().splitlines()[-1], TEST_SECRET, algorithms=["HS256"])
    assert claims["exp"] - claims["iat"] == 8760 * 3600


def test_the_2025_demo_on_a_new_database_and_a_map_a_database_keeps(
    tmp_path: Path, server_url: str, database_url: str
) -> None:
    async def made() -> str:
        url = throwaway_url(server_url, "f0care_cli2025")
        await ensure_database(url)
        return url

    url = asyncio.run(made())
    try:
        environ = env(DATABASE_URL=url)
        seeded = run_cli(
            "seed-demo", "--edition", "VN_2025", "--patients", "30", environ=environ, cwd=tmp_path
        )
        assert seeded.returncode == 0, seeded.stderr
        assert "created 30 patients" in seeded.stdout
        again = run_cli("load-areas", environ=environ, cwd=tmp_path)
        assert "'PROVINCE': 34" in again.stdout
        assert "DISTRICT" not in again.stdout
    finally:
        asyncio.run(drop_database(url))
    # the tests' database is on the 2021 map: the 2025 demo is refused, saying why
    refused = run_cli(
        "seed-demo", "--edition", "VN_2025", environ=env(DATABASE_URL=database_url), cwd=tmp_path
    )
    assert refused.returncode != 0
    assert "this database uses the VN_2021 map, not VN_2025" in _one_error_line(refused.stderr)
