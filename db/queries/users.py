"""Staff and service accounts."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import Area, Facility, User
from domain.enums import Role


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
) -> User:
    """Insert a new account; the caller has checked that area and facility exist."""
    user = User(
        username=username,
        full_name=full_name,
        role=role,
        password_hash=password_hash,
        area_code=area_code,
        facility_id=facility_id,
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
