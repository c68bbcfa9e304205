"""Accounts run by administrators through the API (issue 17): the list, creating and
changing accounts inside the administrator's area, switching them off and on, one-time
passwords, and every staff user's own password change. The rules are `domain.accounts`;
every change is audited and announced to every server process (their tokens are refused
within seconds)."""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from auth.passwords import hash_password, verify_password
from db.models import AuditEntry, User
from db.queries import audit as audit_queries
from db.queries import users as queries
from domain import accounts, codes, intake
from domain.enums import Role
from domain.paging import Page
from domain.text import Texts, rule
from resolvers.audit import log_change
from resolvers.auth import Login, issue
from resolvers.context import Context
from resolvers.errors import BadUserInput, Conflict, Forbidden, InvalidInput, NotFound
from resolvers.filters import area_level
from resolvers.ids import parse_id, shown
from resolvers.pagination import decode_cursor, page_size

USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{2,63}$")
MAX_NAME, MAX_REASON = 100, 500


@dataclass(frozen=True)
class AccountInput:
    """An account as an administrator gives it (None: unchanged, for an update)."""

    role: Role | None = None
    area_code: str | None = None
    facility_id: str | None = None
    display_name: str | None = None
    phone: str | None = None


@dataclass(frozen=True)
class Issued:
    """An account and the one-time password it was given (shown once)."""

    user: User
    one_time_password: str


def admin_area(ctx: Context) -> accounts.Place:
    """The administrator's own area, as the rules see it."""
    area = ctx.principal.area
    if area is None:  # an ADMIN token always names one (checked at the edge)
        raise Forbidden("an administrator's token names its area")
    return accounts.Place(area.code, area.level, area.ancestors)


async def _place(ctx: Context, code: str | None) -> accounts.Place | None:
    if code is None:
        return None
    found = await ctx.services.directory.area(code)
    return None if found is None else accounts.Place(found.code, found.level, found.ancestors)


async def _grant(
    ctx: Context, role: Role, area_code: str | None, facility_id: str | None
) -> tuple[accounts.Grant, int | None, list[tuple[str, Texts]]]:
    """The grant an input asks for (its places looked up), the facility's id, and what is
    wrong with the places themselves."""
    problems: list[tuple[str, Texts]] = []
    area = await _place(ctx, area_code)
    if area_code is not None and area is None:
        problems.append(("input.areaCode", rule("no area has code {0!r}", area_code)))
    facility = None
    facility_id_value = None if facility_id is None else parse_id(facility_id)
    if facility_id is not None:
        found = None
        if facility_id_value is not None:
            found = await ctx.services.directory.facility(facility_id_value)
        if found is None:
            problems.append(
                ("input.facilityId", rule("no facility has id {0}", shown(facility_id)))
            )
        else:
            facility = await _place(ctx, found.area_code)
    return accounts.Grant(role, area, facility), facility_id_value, problems


def _display_name(value: str, problems: list[tuple[str, Texts]]) -> str:
    name = intake.clean_text(value)
    if not 1 <= len(name) <= MAX_NAME:
        problems.append(("input.displayName", rule("must be 1 to {0} characters", MAX_NAME)))
    return name


def _phone(value: str | None, problems: list[tuple[str, Texts]]) -> str | None:
    if value is None or not value.strip():
        return None
    phone = intake.clean_phone(value)
    if phone is None:
        problems.append(("input.phone", rule("must be a Vietnamese mobile number")))
    return phone


def _one_time() -> str:
    """A password an administrator hands over (changed at the next sign-in)."""
    code = codes.new_code(accounts.ONE_TIME_LENGTH)
    return "-".join(code[n : n + 7] for n in range(0, len(code), 7))


async def create_user(ctx: Context, username: str, given: AccountInput) -> Issued:
    """A new account inside the administrator's area, with a one-time password."""
    problems: list[tuple[str, Texts]] = []
    name = username.strip().lower()
    if not USERNAME.match(name):
        allowed = rule(
            "must be 3 to 64 of a-z, 0-9, '.', '_', '-', starting with a letter or digit"
        )
        problems.append(("input.username", allowed))
    display = _display_name(given.display_name or "", problems)
    phone = _phone(given.phone, problems)
    if given.role is None:
        raise BadUserInput("input.role", rule("is required"))
    grant, facility_id, wrong = await _grant(ctx, given.role, given.area_code, given.facility_id)
    problems += wrong + accounts.grant_problems(admin_area(ctx), grant)
    if problems:
        raise InvalidInput(problems)
    password = _one_time()
    hashed = await asyncio.to_thread(hash_password, password)
    async with ctx.sessions.begin() as session:
        if await queries.user_by_username(session, name) is not None:
            raise Conflict(f"an account named {name!r} exists already")
        user = await queries.create_user(
            session, username=name, full_name=display, role=given.role, password_hash=hashed,
            area_code=given.area_code, facility_id=facility_id, phone=phone,
            must_change_password=True,
        )  # fmt: skip
        await _changed(
            session,
            ctx,
            user,
            "CREATE_USER",
            detail=f"{given.role.value} {given.area_code or ''}{facility_id or ''}",
        )
    await _known_here(ctx)
    return Issued(user, password)


async def _known_here(ctx: Context) -> None:
    """Read the accounts just changed in this process now (the others within seconds)."""
    await ctx.services.directory.refresh_accounts()


async def _managed(session: AsyncSession, ctx: Context, user_id: str) -> User:
    """An account the administrator runs, locked; never their own."""
    row_id = parse_id(user_id)
    found = None
    if row_id is not None:
        scope = ctx.principal.scope
        found = await queries.get_user(session, scope=scope, user_id=row_id, for_update=True)
    if found is None:
        raise NotFound(f"user {shown(user_id)} not found")
    if found.username == ctx.principal.subject:
        raise Forbidden("administrators do not change their own account here")
    return found


async def _changed(
    session: AsyncSession, ctx: Context, user: User, action: str, **audit: Any
) -> None:
    """An account changed: every server process is told, and the change is audited."""
    await queries.announce(session, user)
    await log_change(session, ctx, action=action, entity="user", entity_ids=[str(user.id)], **audit)


def _revoke(user: User) -> None:
    """The account's tokens issued until now are refused (they carry a lower version)."""
    user.token_version += 1


async def update_user(ctx: Context, user_id: str, given: AccountInput) -> User:
    """Change an account the administrator runs; a new role, area or facility refuses the
    tokens issued before it."""
    problems: list[tuple[str, Texts]] = []
    display = None if given.display_name is None else _display_name(given.display_name, problems)
    phone = _phone(given.phone, problems)
    admin = admin_area(ctx)
    async with ctx.sessions.begin() as session:
        user = await _managed(session, ctx, user_id)
        values: dict[str, object] = {}
        if display is not None:
            values["full_name"] = display
        if phone is not None:
            values["phone"] = phone
        if (given.role, given.area_code, given.facility_id) != (None, None, None):
            # a new area replaces the facility and the other way round; a new role alone
            # keeps where the account works
            role = given.role or user.role
            area = given.area_code
            facility = given.facility_id
            if area is None and facility is None:
                area = user.area_code
                facility = None if user.facility_id is None else str(user.facility_id)
            grant, facility_id, wrong = await _grant(ctx, role, area, facility)
            problems += wrong + accounts.grant_problems(admin, grant)
            values |= {"role": role, "area_code": area, "facility_id": facility_id}
        if problems:
            raise InvalidInput(problems)
        changed = sorted(
            column for column, value in values.items() if getattr(user, column) != value
        )
        for column in changed:
            setattr(user, column, values[column])
        if {"role", "area_code", "facility_id"} & set(changed):
            _revoke(user)
        if changed:
            await _changed(session, ctx, user, "UPDATE_USER", fields=sorted(changed))
    await _known_here(ctx)
    return user


async def deactivate_user(ctx: Context, user_id: str, reason: str) -> User:
    """Switch an account off: its tokens are refused everywhere within seconds, its open
    subscriptions closed. Switching it off again changes nothing."""
    cleaned = intake.clean_text(reason)
    if not 1 <= len(cleaned) <= MAX_REASON:
        raise BadUserInput("reason", rule("must be 1 to {0} characters", MAX_REASON))
    async with ctx.sessions.begin() as session:
        user = await _managed(session, ctx, user_id)
        if user.is_active:
            now = datetime.now(UTC)
            user.is_active = False
            user.deactivated_at = now
            _revoke(user)
            await _changed(session, ctx, user, "DEACTIVATE_USER", detail=cleaned)
    await _known_here(ctx)
    return user


async def reactivate_user(ctx: Context, user_id: str) -> User:
    """Switch an account on again (its old tokens stay refused: it signs in anew)."""
    async with ctx.sessions.begin() as session:
        user = await _managed(session, ctx, user_id)
        if not user.is_active:
            user.is_active = True
            user.deactivated_at = None
            await _changed(session, ctx, user, "REACTIVATE_USER")
    await _known_here(ctx)
    return user


async def reset_password(ctx: Context, user_id: str) -> Issued:
    """A new one-time password (shown once) to change at the next sign-in; the account's
    tokens are refused from now on."""
    password = _one_time()
    hashed = await asyncio.to_thread(hash_password, password)
    async with ctx.sessions.begin() as session:
        user = await _managed(session, ctx, user_id)
        user.password_hash = hashed
        user.must_change_password = True
        _revoke(user)
        await _changed(session, ctx, user, "RESET_PASSWORD")
    await _known_here(ctx)
    return Issued(user, password)


async def change_password(ctx: Context, old: str, new: str) -> Login:
    """A staff user chooses their own password (required after a one-time one): the old
    one must match; every other token of the account is refused from now on; the answer
    is a fresh token."""
    subject = ctx.principal.subject
    problem = accounts.password_problem(new, subject)
    if problem is not None:
        raise BadUserInput("new", problem)
    if new == old:
        raise BadUserInput("new", rule("must differ from the old password"))
    hashed = await asyncio.to_thread(hash_password, new)
    now = datetime.now(UTC)
    async with ctx.sessions.begin() as session:
        user = await queries.user_by_username(session, subject)
        if user is None or not user.is_active or user.password_hash is None:
            raise Forbidden("only staff accounts with a password can change it")
        if not await asyncio.to_thread(verify_password, user.password_hash, old):
            raise BadUserInput("old", rule("is not the current password"))
        user.password_hash = hashed
        user.must_change_password = False
        _revoke(user)
        await _changed(session, ctx, user, "CHANGE_PASSWORD")
    await _known_here(ctx)  # this process accepts the new token at once
    return await issue(ctx, user, now)


@dataclass(frozen=True)
class UserFilter:
    role: Role | None = None
    area_code: str | None = None
    facility_id: str | None = None
    active: bool | None = None
    search: str | None = None


async def user_list_query(ctx: Context, given: UserFilter) -> queries.UserQuery:
    """The account-list filter, checked (an unknown area is BAD_USER_INPUT)."""
    facility = None if given.facility_id is None else parse_id(given.facility_id)
    if given.facility_id is not None and facility is None:
        raise BadUserInput(
            "filter.facilityId", rule("no facility has id {0}", shown(given.facility_id))
        )
    search = None if given.search is None else intake.clean_text(given.search)[:MAX_NAME] or None
    return queries.UserQuery(
        role=given.role,
        area_code=given.area_code,
        area_level=await area_level(ctx, given.area_code),
        facility_id=facility,
        active=given.active,
        search=search,
    )


async def user_page(
    ctx: Context, query: queries.UserQuery, *, first: int | None, after: str | None
) -> Page[User]:
    async with ctx.readers() as session:
        return await queries.list_users(
            session,
            scope=ctx.principal.scope,
            query=query,
            first=page_size(first),
            after_id=decode_cursor(after, "user"),
        )


async def user(ctx: Context, user_id: str) -> User | None:
    row_id = parse_id(user_id)
    if row_id is None:
        return None
    async with ctx.readers() as session:
        return await queries.get_user(session, scope=ctx.principal.scope, user_id=row_id)


@dataclass(frozen=True)
class AuditFilter:
    actor: str | None = None
    role: Role | None = None
    entity: str | None = None
    entity_id: str | None = None
    action: str | None = None
    since: datetime | None = None
    until: datetime | None = None


MAX_FILTER_TEXT = 128


def audit_query(given: AuditFilter) -> audit_queries.AuditQuery:
    """The audit-review filter, checked (each bad field named)."""
    for field, value in (("actor", given.actor), ("entity", given.entity),
                         ("entityId", given.entity_id), ("action", given.action)):  # fmt: skip
        if value is not None and not 1 <= len(value) <= MAX_FILTER_TEXT:
            raise BadUserInput(
                f"filter.{field}", rule("must be 1 to {0} characters", MAX_FILTER_TEXT)
            )
    if given.since and given.until and given.since >= given.until:
        raise BadUserInput("filter.to", rule("must be after filter.from"))
    return audit_queries.AuditQuery(
        actor=given.actor, role=given.role, entity=given.entity, entity_id=given.entity_id,
        action=given.action, since=given.since, until=given.until,
    )  # fmt: skip


def review_detail(query: audit_queries.AuditQuery) -> str | None:
    """What a review of the audit log asked for, as its own audit entry says it."""
    parts = []
    for name, value in vars(query).items():
        if isinstance(value, Role):
            value = value.value
        elif isinstance(value, datetime):
            value = value.isoformat()
        if value is not None:
            parts.append(f"{name}={value}")
    return ", ".join(parts) or None


async def audit_log(
    ctx: Context, given: AuditFilter, *, first: int | None, after: str | None
) -> Page[AuditEntry]:
    """The audit entries an administrator reviews, newest first; the review itself is an
    audit entry (with its filter), as the compiled read writes it."""
    query = audit_query(given)
    async with ctx.sessions.begin() as session:
        page = await audit_queries.audit_page(
            session,
            scope=ctx.principal.scope,
            query=query,
            first=page_size(first),
            after_id=decode_cursor(after, "audit"),
        )
        await log_change(
            session, ctx, action="READ_AUDIT_LOG", entity="audit",
            entity_ids=[str(row.id) for row in page.items], detail=review_detail(query),
        )  # fmt: skip
    return page
