"""Queries over areas and facilities (reference data, visible to every principal)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import Area, Facility
from db.queries.rows import fetch_rows, select_rows
from domain.enums import AreaLevel


async def areas_by_codes(session: AsyncSession, codes: Sequence[str]) -> list[Area]:
    """The areas with these codes, in no particular order (read-only rows)."""
    return await fetch_rows(session, select_rows(Area).where(Area.code.in_(codes)), Area)


async def children_by_parent(session: AsyncSession, parent_codes: Sequence[str]) -> list[Area]:
    """Children of the given areas, ordered by parent then name."""
    stmt = select(Area).where(Area.parent_code.in_(parent_codes)).order_by(Area.code)
    return list(await session.scalars(stmt))


async def list_areas(
    session: AsyncSession, *, level: AreaLevel, parent_code: str | None
) -> list[Area]:
    """Areas of one level, optionally under one parent, ordered by code."""
    stmt = select(Area).where(Area.level == level)
    if parent_code is not None:
        stmt = stmt.where(Area.parent_code == parent_code)
    return list(await session.scalars(stmt.order_by(Area.code)))


async def list_facilities(
    session: AsyncSession, *, area_code: str | None, tier: int | None
) -> list[Facility]:
    """Facilities inside an area (at any level below it) and of a tier, ordered by id."""
    stmt = select(Facility)
    if area_code is not None:
        stmt = stmt.where(
            or_(
                Facility.area_code == area_code,
                Facility.district_code == area_code,
                Facility.province_code == area_code,
            )
        )
    if tier is not None:
        stmt = stmt.where(Facility.tier == tier)
    return list(await session.scalars(stmt.order_by(Facility.id)))


async def facilities_by_ids(session: AsyncSession, ids: Sequence[int]) -> list[Facility]:
    """The facilities with these ids, in no particular order (read-only rows)."""
    stmt = select_rows(Facility).where(Facility.id.in_(ids))
    return await fetch_rows(session, stmt, Facility)


async def area_with_ancestors(session: AsyncSession, code: str) -> list[Area]:
    """The area `code` followed by its parent, grandparent… up to the top; empty if unknown."""
    chain: list[Area] = []
    next_code: str | None = code
    while next_code is not None and len(chain) < 16:  # depth guard; the hierarchy is data
        area = await session.get(Area, next_code)
        if area is None:
            break
        chain.append(area)
        next_code = area.parent_code
    return chain
