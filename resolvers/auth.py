"""login and me."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache

from auth.authenticate import principal_of
from auth.passwords import hash_password, verify_password
from auth.principal import Principal
from auth.tokens import TokenClaims, mint_token
from db.models import AuditEntry, User
from db.queries import audit, users
from domain import lockout
from domain.paging import Page
from resolvers.context import Context
from resolvers.errors import RateLimited, Unauthenticated
from resolvers.pagination import decode_cursor, page_size

WRONG_CREDENTIALS = "wrong username or password"
MAX_USERNAME = 128  # the audit log's subject column


@dataclass(frozen=True)
class Login:
    """A successful login: the token and who it is for."""

    access_token: str
    expires_at: datetime
    principal: Principal


@cache
def _dummy_hash() -> str:
    # verified against when the username is unknown, so both failures take as long
    return hash_password("f0care-no-such-user")


async def login(ctx: Context, username: str, password: str) -> Login:
    """Check a staff password; wrong username and wrong password answer identically."""
    now = datetime.now(UTC)
    # a name longer than any account's is audited (and locked out) by a bounded form
    subject = username if len(username) <= MAX_USERNAME else username[: MAX_USERNAME - 1] + "…"
    async with ctx.sessions.begin() as session:
        failures = await audit.failures_since(
            session, subject=subject, action=audit.LOGIN_FAILED, since=lockout.window_start(now)
        )
        if lockout.locked(failures):
            raise RateLimited("too many failed logins for this username; try again in 5 minutes")
        user = await users.user_by_username(session, subject)
        usable = user is not None and user.is_active and user.password_hash is not None
        stored = user.password_hash if usable and user and user.password_hash else _dummy_hash()
        matches = await asyncio.to_thread(verify_password, stored, password)
        ok = usable and matches and user is not None
        action = "LOGIN" if ok else audit.LOGIN_FAILED
        where = None
        if ok and user is not None:
            where = f"facility:{user.facility_id}" if user.facility_id else f"area:{user.area_code}"
        await audit.record(
            session,
            subject=subject,
            role=user.role if ok and user else None,
            action=action,
            entity="user",
            entity_ids=[str(user.id)] if ok and user else [],
            organisation=where,
        )
    if not ok or user is None:
        raise Unauthenticated(WRONG_CREDENTIALS)
    return await issue(ctx, user, now)


async def issue(ctx: Context, user: User, now: datetime) -> Login:
    """A token for a staff account, issued `now`, at the account's current version."""
    claims = TokenClaims(
        user.username, user.role, user.area_code, user.facility_id,
        expires_at=now + ctx.services.access_token_ttl, version=user.token_version,
        must_change_password=user.must_change_password,
        edition=await ctx.services.directory.edition(),
    )  # fmt: skip
    principal = await principal_of(claims, ctx.services.directory)
    token, expires = mint_token(
        claims, secret=ctx.services.signing_secret, ttl=ctx.services.access_token_ttl, now=now
    )
    return Login(token, expires, principal)


async def personal_data_accesses(
    ctx: Context, *, first: int | None, after: str | None
) -> Page[AuditEntry]:
    """Reads of the calling citizen's personal data by others, newest first."""
    async with ctx.readers() as session:
        return await audit.accesses_of(
            session,
            subject=ctx.principal.subject,
            first=page_size(first),
            after_id=decode_cursor(after, "access"),
        )
