"""Secrets: production refuses to start without one; demo keeps a generated one."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import SecretStr

from server.settings import Settings, SettingsError


def test_production_without_secret_names_the_variable(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, demo=False, jwt_secret=None)
    with pytest.raises(SettingsError, match="F0CARE_JWT_SECRET"):
        settings.signing_secret()


@pytest.mark.parametrize("secret", ["secret", "changeme", "short-but-random-1234"])
def test_production_refuses_placeholder_secret(tmp_path: Path, secret: str) -> None:
    settings = Settings(data_dir=tmp_path, demo=False, jwt_secret=SecretStr(secret))
    with pytest.raises(SettingsError, match="F0CARE_JWT_SECRET"):
        settings.signing_secret()


def test_demo_generates_and_keeps_a_secret(tmp_path: Path) -> None:
    first = Settings(data_dir=tmp_path, demo=True, jwt_secret=None).signing_secret()
    second = Settings(data_dir=tmp_path, demo=True, jwt_secret=None).signing_secret()
    assert first == second
    assert len(first) >= 32
    assert (tmp_path / "demo-jwt-secret").stat().st_mode & 0o077 == 0


def test_demo_uses_the_configured_secret(tmp_path: Path) -> None:
    configured = "x" * 40
    settings = Settings(data_dir=tmp_path, demo=True, jwt_secret=SecretStr(configured))
    assert settings.signing_secret() == configured


def test_database_url_comes_from_plain_env_var(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgresql://u@h/db")
    assert Settings().database_url == "postgresql://u@h/db"
