"""Staff and service accounts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import Area, Facility, User
from db.queries.pagination import keyset_page
from db.queries.rows import contains_pattern
from db.scope import user_in_area, user_visible
from domain.enums import AreaLevel, Role
from domain.paging import Page
from domain.scope import Scope


async def user_by_username(session: AsyncSession, username: str) -> User | None:
    """The account with this username, if any."""
    found: User | None = await session.scalar(select(User).where(User.username == username))
    return found


async def create_user(
    session: AsyncSession,
    *,
    username: str,
    full_name: str,
    role: Role,
    password_hash: str | None,
    area_code: str | None,
    facility_id: int | None,
    phone: str | None = None,
    must_change_password: bool = False,
) -> User:
    """Insert a new account; the caller has checked that area and facility exist."""
    user = User(
        username=username,
        full_name=full_name,
        role=role,
        password_hash=password_hash,
        area_code=area_code,
        facility_id=facility_id,
        phone=phone,
        must_change_password=must_change_password,
    )
    session.add(user)
    await session.flush()
    return user


async def area_exists(session: AsyncSession, code: str) -> bool:
    """Whether an area with this code exists."""
    return await session.scalar(select(Area.code).where(Area.code == code)) is not None


async def facility_exists(session: AsyncSession, facility_id: int) -> bool:
    """Whether a facility with this id exists."""
    return await session.scalar(select(Facility.id).where(Facility.id == facility_id)) is not None


async def user_by_id(session: AsyncSession, user_id: int) -> User | None:
    """The account with this id, if any."""
    return await session.get(User, user_id)


ACCOUNTS_CHANNEL = "f0care_accounts"  # payload: the username whose account changed


@dataclass(frozen=True)
class UserQuery:
    """Filters of the account list."""

    role: Role | None = None
    area_code: str | None = None
    area_level: AreaLevel | None = None
    facility_id: int | None = None
    active: bool | None = None
    search: str | None = None  # in the username or the display name, case-insensitive


def user_conditions(scope: Scope, query: UserQuery) -> list[ColumnElement[bool]]:
    """The WHERE conditions of the account list: the scope and every given filter."""
    conditions = [user_visible(scope)]
    if query.role is not None:
        conditions.append(User.role == query.role)
    if query.area_code is not None and query.area_level is not None:
        conditions.append(user_in_area(query.area_code, query.area_level))
    if query.facility_id is not None:
        conditions.append(User.facility_id == query.facility_id)
    if query.active is not None:
        conditions.append(User.is_active.is_(query.active))
    if query.search:
        pattern = contains_pattern(query.search)
        conditions.append(or_(User.username.ilike(pattern), User.full_name.ilike(pattern)))
    return conditions


async def list_users(
    session: AsyncSession, *, scope: Scope, query: UserQuery, first: int, after_id: int | None
) -> Page[User]:
    """A page of the accounts in scope, newest first."""
    conditions = user_conditions(scope, query)
    return await keyset_page(session, User, conditions, first=first, after_id=after_id)


async def get_user(
    session: AsyncSession, *, scope: Scope, user_id: int, for_update: bool = False
) -> User | None:
    """One account in scope (locked for the transaction when `for_update`)."""
    stmt = select(User).where(User.id == user_id, user_visible(scope))
    found: User | None = await session.scalar(stmt.with_for_update() if for_update else stmt)
    return found


async def announce(session: AsyncSession, user: User) -> None:
    """Mark an account changed and tell every server process, at commit."""
    user.changed_at = datetime.now(UTC)
    await session.flush()
    await session.execute(select(func.pg_notify(ACCOUNTS_CHANNEL, user.username)))


@dataclass(frozen=True)
class AccountState:
    """What a server process needs to know of an account to accept its tokens."""

    username: str
    active: bool
    token_version: int
    changed_at: datetime


async def accounts_changed_since(
    session: AsyncSession, since: datetime | None
) -> list[AccountState]:
    """Accounts changed after `since` (all that restrict tokens, when None)."""
    stmt = select(User.username, User.is_active, User.token_version, User.changed_at)
    if since is None:
        stmt = stmt.where(or_(User.is_active.is_(False), User.token_version > 0))
    else:
        stmt = stmt.where(User.changed_at > since)
    rows = await session.execute(stmt.order_by(User.changed_at))
    return [AccountState(*row) for row in rows.all()]
