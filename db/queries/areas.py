"""Queries over areas and facilities (reference data, visible to every principal)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import ColumnElement, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import Area, AreaSuccession, AreaUnit, Facility
from db.queries.rows import fetch_rows, select_rows
from domain.enums import AreaEdition, AreaLevel


async def areas_by_codes(session: AsyncSession, codes: Sequence[str]) -> list[Area]:
    """The areas with these codes, in no particular order (read-only rows)."""
    return await fetch_rows(session, select_rows(Area).where(Area.code.in_(codes)), Area)


@dataclass(frozen=True)
class AreaQuery:
    """Areas of one level, optionally under one parent."""

    level: AreaLevel
    parent_code: str | None = None


@dataclass(frozen=True)
class FacilityQuery:
    """Facilities inside an area (at any level below it) and of a tier."""

    area_code: str | None = None
    tier: int | None = None


def area_conditions(query: AreaQuery) -> list[ColumnElement[bool]]:
    """The WHERE conditions of the area list."""
    conditions = [Area.level == query.level]
    if query.parent_code is not None:
        conditions.append(Area.parent_code == query.parent_code)
    return conditions


def facility_conditions(query: FacilityQuery) -> list[ColumnElement[bool]]:
    """The WHERE conditions of the facility list."""
    conditions: list[ColumnElement[bool]] = []
    if query.area_code is not None:
        code = query.area_code
        inside = (Facility.area_code, Facility.district_code, Facility.province_code)
        conditions.append(or_(*(column == code for column in inside)))
    if query.tier is not None:
        conditions.append(Facility.tier == query.tier)
    return conditions


async def list_areas(session: AsyncSession, query: AreaQuery) -> list[Area]:
    """Areas of one level, optionally under one parent, ordered by code."""
    stmt = select(Area).where(*area_conditions(query)).order_by(Area.code)
    return list(await session.scalars(stmt))


async def list_facilities(session: AsyncSession, query: FacilityQuery) -> list[Facility]:
    """Facilities inside an area (at any level below it) and of a tier, ordered by id."""
    stmt = select(Facility).where(*facility_conditions(query)).order_by(Facility.id)
    return list(await session.scalars(stmt))


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


async def unit(session: AsyncSession, edition: AreaEdition, code: str) -> AreaUnit | None:
    """An area of any edition of the map."""
    return await session.get(AreaUnit, (edition, code))


async def units(session: AsyncSession, edition: AreaEdition, query: AreaQuery) -> list[AreaUnit]:
    """Areas of any edition of one level, optionally under one parent, ordered by code."""
    stmt = select(AreaUnit).where(AreaUnit.edition == edition, AreaUnit.level == query.level)
    if query.parent_code is not None:
        stmt = stmt.where(AreaUnit.parent_code == query.parent_code)
    return list(await session.scalars(stmt.order_by(AreaUnit.code)))


async def unit_children(session: AsyncSession, edition: AreaEdition, code: str) -> list[AreaUnit]:
    """The areas directly below one of any edition, ordered by code."""
    stmt = select(AreaUnit).where(AreaUnit.edition == edition, AreaUnit.parent_code == code)
    return list(await session.scalars(stmt.order_by(AreaUnit.code)))


async def successions(
    session: AsyncSession, edition: AreaEdition, code: str, *, later: bool
) -> list[tuple[AreaUnit, bool]]:
    """The areas continuing one (`later`) or continued by it, with whether only part of the
    older one is concerned, ordered by code."""
    link = AreaSuccession
    if later:
        mine, theirs = (link.from_edition, link.from_code), (link.to_edition, link.to_code)
    else:
        mine, theirs = (link.to_edition, link.to_code), (link.from_edition, link.from_code)
    stmt = (
        select(AreaUnit, link.part)
        .join(link, (AreaUnit.edition == theirs[0]) & (AreaUnit.code == theirs[1]))
        .where(mine[0] == edition, mine[1] == code)
        .order_by(AreaUnit.code)
    )
    return [(row[0], bool(row[1])) for row in await session.execute(stmt)]
