"""Every bad token is answered 401 UNAUTHENTICATED, with no data and nothing executed."""

from __future__ import annotations

import base64
import json
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from pydantic import SecretStr
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from db.models import AuditEntry
from server.app import create_app
from server.settings import Settings
from tests.conftest import TEST_SECRET
from tests.tokens import raw_token


def now() -> int:
    """Seconds since the epoch, taken when a token is made (never once at import)."""
    return int(datetime.now(UTC).timestamp())


GOOD = {"sub": "health.commune", "role": "HEALTH_STAFF", "area": "72"}
# a query that would write an audit row if it ran with a valid health-staff token
PROBE = "{ patients(first: 1) { edges { node { fullName } } } }"


@pytest.fixture(scope="module")
def rsa_keys(tmp_path_factory: pytest.TempPathFactory) -> tuple[Any, bytes, Path]:
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    public_pem = private.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    path = tmp_path_factory.mktemp("keys") / "k1.pem"
    path.write_bytes(public_pem)
    return private, public_pem, path


@pytest.fixture(scope="module")
async def rs_client(
    database_url: str, rsa_keys: tuple[Any, bytes, Path]
) -> AsyncIterator[httpx.AsyncClient]:
    settings = Settings(
        database_url=database_url,
        jwt_secret=SecretStr(TEST_SECRET),
        jwt_algorithms=["HS256", "RS256"],
        jwt_public_keys={"k1": rsa_keys[2]},
        jwt_issuer="https://id.tayninh.gov.vn",
        jwt_audience="f0care",
    )
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            yield client


def _b64(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def _alg_none() -> str:
    claims = {
        **GOOD,
        "iat": now(),
        "exp": now() + 3600,
        "iss": "https://id.tayninh.gov.vn",
        "aud": "f0care",
    }
    return f"{_b64({'alg': 'none', 'typ': 'JWT'})}.{_b64(claims)}."


def _std(extra: dict[str, Any] | None = None, **kwargs: Any) -> dict[str, Any]:
    base = {**GOOD, "iss": "https://id.tayninh.gov.vn", "aud": "f0care"}
    base.update(extra or {})
    for key, value in kwargs.items():
        if value is None:
            base.pop(key, None)
        else:
            base[key] = value
    return base


BadToken = Callable[[Any, bytes], str]
CASES: dict[str, BadToken] = {
    "alg none": lambda priv, pub: _alg_none(),
    "HS256 signed with the RS public key": lambda priv, pub: _hs_with_public_key(pub),
    "expired": lambda priv, pub: raw_token(_std(exp=now() - 120, iat=now() - 3600)),
    "nbf in the future": lambda priv, pub: raw_token(_std(nbf=now() + 600)),
    "wrong iss": lambda priv, pub: raw_token(_std(iss="https://evil.example")),
    "wrong aud": lambda priv, pub: raw_token(_std(aud="another-service")),
    "bad signature": lambda priv, pub: raw_token(_std(), key="not-the-secret-" + "y" * 30),
    "unknown kid": lambda priv, pub: raw_token(
        _std(), key=priv, algorithm="RS256", headers={"kid": "k9"}
    ),
    "missing sub": lambda priv, pub: raw_token(_std(sub=None)),
    "unknown role": lambda priv, pub: raw_token(_std(role="SUPERUSER")),
    "area that does not exist": lambda priv, pub: raw_token(_std(area="99999")),
    "commune official without area": lambda priv, pub: raw_token(
        _std(role="LOCAL_OFFICIAL", area=None)
    ),
    "hospital staff without facility": lambda priv, pub: raw_token(
        _std(role="HOSPITAL_STAFF", area=None)
    ),
    "malformed base64": lambda priv, pub: "eyJhbGciOiJIUzI1NiJ9.@@not-base64@@.sig",
    "a 100 KB token": lambda priv, pub: raw_token(_std(pad="x" * 100_000)),
    "not a bearer scheme": lambda priv, pub: "",
}


def _hs_with_public_key(public_pem: bytes) -> str:
    # algorithm confusion: an attacker signs HS256 using the (public) RSA key as the secret
    import hashlib
    import hmac

    header = _b64({"alg": "HS256", "typ": "JWT", "kid": "k1"})
    payload = _b64({**_std(), "iat": now(), "exp": now() + 3600})
    signing_input = f"{header}.{payload}".encode()
    signature = hmac.new(public_pem, signing_input, hashlib.sha256).digest()
    return f"{header}.{payload}.{base64.urlsafe_b64encode(signature).rstrip(b'=').decode()}"


async def _audit_rows(sessions: async_sessionmaker[AsyncSession]) -> int:
    async with sessions() as session:
        return (await session.scalar(select(func.count()).select_from(AuditEntry))) or 0


@pytest.mark.parametrize("case", list(CASES))
async def test_bad_token_is_refused_before_execution(
    case: str,
    rs_client: httpx.AsyncClient,
    rsa_keys: tuple[Any, bytes, Path],
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    # given a bad token
    token = CASES[case](rsa_keys[0], rsa_keys[1])
    header = "Basic dXNlcjpwYXNz" if case == "not a bearer scheme" else f"Bearer {token}"
    before = await _audit_rows(sessions)
    # when it is used
    response = await rs_client.post(
        "/graphql", json={"query": PROBE}, headers={"Authorization": header}
    )
    # then the request is refused as unauthenticated, with no data, and nothing ran
    assert response.status_code == 401, response.text
    body = response.json()
    assert "data" not in body
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert await _audit_rows(sessions) == before


async def test_good_tokens_of_both_kinds_are_accepted(
    rs_client: httpx.AsyncClient, rsa_keys: tuple[Any, bytes, Path]
) -> None:
    hs = raw_token(_std())
    rs = raw_token(_std(), key=rsa_keys[0], algorithm="RS256", headers={"kid": "k1"})
    for token in (hs, rs):
        response = await rs_client.post(
            "/graphql",
            json={"query": "{ me { subject role area { code } } }"},
            headers={"Authorization": f"Bearer {token}"},
        )
        assert response.status_code == 200
        assert response.json()["data"]["me"] == {
            "subject": "health.commune",
            "role": "HEALTH_STAFF",
            "area": {"code": "72"},
        }


async def test_small_clock_skew_is_tolerated(rs_client: httpx.AsyncClient) -> None:
    # expired 10 s ago: inside the 30 s leeway
    token = raw_token(_std(exp=now() - 10, iat=now() - 3600))
    response = await rs_client.post(
        "/graphql", json={"query": "{ me { role } }"}, headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status_code == 200


def test_jwks_document_with_key_rotation(tmp_path: Path, rsa_keys: tuple[Any, bytes, Path]) -> None:
    from auth.tokens import InvalidToken, KeySet, TokenVerifier

    old = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    jwks = tmp_path / "jwks.json"

    def publish(*pairs: tuple[str, Any]) -> None:
        keys = []
        for kid, private in pairs:
            jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(private.public_key()))
            keys.append({**jwk, "kid": kid, "use": "sig", "alg": "RS256"})
        jwks.write_text(json.dumps({"keys": keys}))

    publish(("old", old), ("new", rsa_keys[0]))
    keys = KeySet(jwks=str(jwks))
    keys.load()
    verifier = TokenVerifier(algorithms=("RS256",), keys=keys)
    claims = {**GOOD, "iat": now(), "exp": now() + 60}
    for kid, private in (("old", old), ("new", rsa_keys[0])):
        token = jwt.encode(claims, private, algorithm="RS256", headers={"kid": kid})
        assert verifier.verify(token).subject == "health.commune"
    forged = jwt.encode(claims, old, algorithm="RS256", headers={"kid": "new"})
    with pytest.raises(InvalidToken):
        verifier.verify(forged)
