"""Facilities run by administrators, and the beds their staff report."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy import Date, DateTime, cast, func, literal_column, select
from sqlalchemy.ext.asyncio import AsyncSession

from db import related
from db.models import BedReport, Facility
from db.readplan import Count
from db.scope import FACILITY_AREA_COLUMN, in_area
from domain.enums import AreaLevel


async def add_facility(session: AsyncSession, **values: Any) -> Facility:
    facility = Facility(**values)
    session.add(facility)
    await session.flush()
    return facility


async def facility_for_update(session: AsyncSession, facility_id: int) -> Facility | None:
    """A facility, locked for the transaction (its bed reports are written one at a time)."""
    return await session.get(Facility, facility_id, with_for_update=True)


async def name_taken(
    session: AsyncSession, *, area_code: str, name: str, other_than: int | None = None
) -> bool:
    """Whether a facility of this name exists in the area already."""
    stmt = select(Facility.id).where(Facility.area_code == area_code, Facility.name == name)
    if other_than is not None:
        stmt = stmt.where(Facility.id != other_than)
    return await session.scalar(stmt) is not None


async def in_facility(session: AsyncSession, facility_id: int) -> int:
    """f0care's patients IN_FACILITY there now (`Facility.occupancy`, as the API shows it)."""
    occupancy = related.declared("Facility", "occupancy", Count)
    counts = await related.counts_of(session, occupancy, [facility_id])
    return counts.get(facility_id, 0)


async def latest_report(session: AsyncSession, facility_id: int) -> BedReport | None:
    stmt = (
        select(BedReport)
        .where(BedReport.facility_id == facility_id)
        .order_by(BedReport.id.desc())
        .limit(1)
    )
    found: BedReport | None = await session.scalar(stmt)
    return found


async def add_report(session: AsyncSession, **values: Any) -> BedReport:
    report = BedReport(**values)
    session.add(report)
    await session.flush()
    return report


async def occupancy_trend(
    session: AsyncSession,
    *,
    area_code: str,
    level: AreaLevel,
    first_day: date,
    last_day: date,
    timezone: str,
) -> list[tuple[date, int, int, int]]:
    """For each local day of the window and each tier: (day, tier, beds occupied, beds),
    from the latest report of each facility of the area made by the end of that day
    (facilities that had reported nothing yet count nothing)."""
    days = select(
        cast(
            func.generate_series(
                cast(first_day, DateTime), cast(last_day, DateTime), literal_column("'1 day'")
            ),
            Date,
        ).label("day")
    ).subquery("days")
    day_end = func.timezone(timezone, cast(days.c.day + 1, DateTime))
    latest = (
        select(BedReport.capacity, BedReport.occupied_outside, BedReport.occupied_f0care)
        .where(BedReport.facility_id == Facility.id, BedReport.reported_at < day_end)
        .order_by(BedReport.id.desc())
        .limit(1)
        .lateral("latest")
    )
    occupied = func.sum(latest.c.occupied_outside + latest.c.occupied_f0care)
    stmt = (
        select(days.c.day, Facility.tier, occupied, func.sum(latest.c.capacity))
        .select_from(days)
        .join(Facility, in_area(FACILITY_AREA_COLUMN, area_code, level))
        .join(latest, literal_column("true"))
        .group_by(days.c.day, Facility.tier)
        .order_by(days.c.day, Facility.tier)
    )
    rows = (await session.execute(stmt)).all()
    found = {(day, tier): (int(used or 0), int(beds or 0)) for day, tier, used, beds in rows}
    span = (last_day - first_day).days + 1
    return [
        (day, tier, *found.get((day, tier), (0, 0)))
        for day in (first_day + timedelta(days=n) for n in range(span))
        for tier in (1, 2, 3)
    ]
