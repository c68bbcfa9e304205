"""Minting tokens for tests: demo accounts, arbitrary claims, bad tokens."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import jwt

from auth.tokens import TokenClaims, mint_token
from db.demo import DemoAccount, SeedResult
from domain.enums import Role
from tests.conftest import TEST_SECRET


def token_for(account: DemoAccount) -> str:
    """A valid token of a demo account."""
    claims = TokenClaims(account.username, account.role, account.area_code, account.facility_id)
    return mint_token(claims, secret=TEST_SECRET, ttl=timedelta(hours=1))[0]


def token_of(subject: str, role: Role, area: str | None = None, facility: int | None = None) -> str:
    """A valid token of any principal."""
    claims = TokenClaims(subject, role, area, facility)
    return mint_token(claims, secret=TEST_SECRET, ttl=timedelta(hours=1))[0]


def raw_token(payload: dict[str, Any], key: Any = TEST_SECRET, **kwargs: Any) -> str:
    """A token with exactly this payload (iat/exp added unless given)."""
    now = int(datetime.now(UTC).timestamp())
    body = {"iat": now, "exp": now + 3600, **payload}
    return jwt.encode(body, key, algorithm=kwargs.pop("algorithm", "HS256"), **kwargs)


def token_named(name: str, demo: SeedResult) -> str | None:
    """The token of a demo account by username, of the demo citizen ("citizen"), or none
    ("anonymous")."""
    if name == "anonymous":
        return None
    if name == "citizen":
        return token_of(demo.citizen_subject, Role.CITIZEN)
    return token_for(next(a for a in demo.accounts if a.username == name))
