"""Minting bearer tokens (HS256). Verification rules are completed by the identity issue."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import jwt

from domain.enums import Role


@dataclass(frozen=True)
class TokenClaims:
    """Who a token speaks for."""

    subject: str
    role: Role
    area: str | None = None
    facility: int | None = None


def mint_token(
    claims: TokenClaims, *, secret: str, ttl: timedelta, now: datetime | None = None
) -> tuple[str, datetime]:
    """A signed HS256 token for `claims` and its expiry time."""
    issued = now or datetime.now(UTC)
    expires = issued + ttl
    payload: dict[str, object] = {
        "sub": claims.subject,
        "role": claims.role.value,
        "iat": int(issued.timestamp()),
        "exp": int(expires.timestamp()),
    }
    if claims.area is not None:
        payload["area"] = claims.area
    if claims.facility is not None:
        payload["facility"] = str(claims.facility)
    return jwt.encode(payload, secret, algorithm="HS256"), expires
