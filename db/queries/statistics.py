"""Aggregates for steering committees and BI tools. Every figure is computed over the
patients whose home commune lies in the requested area; calendar days are local days.
Event and current counts come from the rollup (`db/rollup.py`) plus the deltas not folded
yet, read in one statement; the rest from the tables, through indexes made for them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Date,
    DateTime,
    and_,
    cast,
    func,
    null,
    select,
    text,
    union_all,
)
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import (
    Alert,
    Area,
    Contact,
    CurrentCount,
    DailyCount,
    Declaration,
    Facility,
    Patient,
    StatisticsDelta,
)
from db.scope import (
    CONTACT_AREA_COLUMN,
    DECLARATION_AREA_COLUMN,
    FACILITY_AREA_COLUMN,
    in_area,
    patient_in_area,
)
from domain.enums import AlertStatus, AreaLevel, ContactStatus, PatientStatus, Severity


@dataclass(frozen=True)
class Window:
    """Which area and which local days."""

    area_code: str
    level: AreaLevel
    first_day: date
    last_day: date
    timezone: str


def _local_day(column: Any, timezone: str) -> ColumnElement[date]:
    return cast(func.timezone(timezone, column), Date)


def _in_days(column: Any, window: Window) -> ColumnElement[bool]:
    """`column` (a timestamptz) falls on a local day of the window: a range on the column
    itself, from the local midnight starting the first day to the one ending the last, so
    that an index on it serves."""

    def midnight(day: date) -> Any:
        return func.timezone(window.timezone, cast(day, DateTime))

    return and_(
        column >= midnight(window.first_day),
        column < midnight(window.last_day + timedelta(days=1)),
    )


async def child_areas(session: AsyncSession, code: str) -> list[Area]:
    """The areas directly below `code`, by code."""
    return list(
        await session.scalars(select(Area).where(Area.parent_code == code).order_by(Area.code))
    )


DELTA_AREA_COLUMN = {
    AreaLevel.PROVINCE: StatisticsDelta.province_code,
    AreaLevel.DISTRICT: StatisticsDelta.district_code,
    AreaLevel.COMMUNE: StatisticsDelta.commune_code,
}


@dataclass(frozen=True)
class PatientGroup:
    """Patients of one (child area, status, severity, tier) now."""

    child: str | None
    status: PatientStatus
    severity: Severity | None
    tier: int
    count: int


def _by_child(
    rollup: type[CurrentCount] | type[DailyCount], window: Window, child_level: AreaLevel | None
) -> tuple[Any, ColumnElement[bool], Any]:
    """How to read `rollup` and the pending deltas for the window's area, or per child area:
    (the rollup's child column, its area condition, the deltas' child column)."""
    if child_level is None:
        return null(), rollup.area_code == window.area_code, null()
    return rollup.area_code, rollup.parent_code == window.area_code, DELTA_AREA_COLUMN[child_level]


def _parse_bucket(metric: str) -> tuple[PatientStatus, Severity | None, int]:
    _, status, severity, tier = metric.split(":")
    return PatientStatus(status), Severity(severity) if severity else None, int(tier)


async def patient_groups(
    session: AsyncSession, window: Window, child_level: AreaLevel | None
) -> list[PatientGroup]:
    """The area's patients now by (child area, status, severity, tier): the current-count
    rollup plus the deltas not folded yet, in one snapshot."""
    folded_child, folded_area, pending_child = _by_child(CurrentCount, window, child_level)
    folded = select(folded_child.label("child"), CurrentCount.metric, CurrentCount.count).where(
        folded_area
    )
    pending = select(
        pending_child.label("child"), StatisticsDelta.metric, StatisticsDelta.delta.label("count")
    ).where(
        in_area(DELTA_AREA_COLUMN, window.area_code, window.level), StatisticsDelta.at.is_(None)
    )
    both = union_all(folded, pending).subquery()
    keys = (both.c.child, both.c.metric)
    total = func.sum(both.c.count)
    stmt = select(*keys, total).group_by(*keys).having(total != 0)
    return [
        PatientGroup(row[0], *_parse_bucket(row[1]), int(row[2]))
        for row in await session.execute(stmt)
    ]


async def reporting_at_home(session: AsyncSession, window: Window, *, now: datetime) -> int:
    """Patients of the area at home with a report in the last 24 hours."""
    stmt = select(func.count()).where(
        patient_in_area(window.area_code, window.level),
        Patient.status == PatientStatus.HOME_TREATMENT,
        Patient.last_report_at >= now - timedelta(hours=24),
    )
    return int(await session.scalar(stmt) or 0)


@dataclass(frozen=True)
class EventCount:
    """Events of one metric on one local day (in one child area when asked by child)."""

    child: str | None
    day: date
    metric: str
    count: int


async def event_counts(
    session: AsyncSession,
    window: Window,
    *,
    child_level: AreaLevel | None = None,
    metrics: Sequence[str] | None = None,
) -> list[EventCount]:
    """Events per local day of the window, for the area or (with `child_level`) per child
    area: the rollup plus the deltas not folded yet, in one snapshot."""
    folded_child, folded_area, pending_child = _by_child(DailyCount, window, child_level)
    pending_day = _local_day(StatisticsDelta.at, window.timezone)
    folded = select(
        folded_child.label("child"), DailyCount.day, DailyCount.metric, DailyCount.count
    ).where(folded_area, DailyCount.day.between(window.first_day, window.last_day))
    pending = select(
        pending_child.label("child"),
        pending_day.label("day"),
        StatisticsDelta.metric,
        StatisticsDelta.delta.label("count"),
    ).where(
        in_area(DELTA_AREA_COLUMN, window.area_code, window.level),
        StatisticsDelta.at.is_not(None),
        pending_day.between(window.first_day, window.last_day),
    )
    if metrics is not None:
        folded = folded.where(DailyCount.metric.in_(metrics))
        pending = pending.where(StatisticsDelta.metric.in_(metrics))
    both = union_all(folded, pending).subquery()
    keys = (both.c.child, both.c.day, both.c.metric)
    stmt = (
        select(*keys, func.sum(both.c.count))
        .group_by(*keys)
        .having(func.sum(both.c.count) != 0)
        .order_by(*keys)
    )
    return [EventCount(row[0], row[1], row[2], int(row[3])) for row in await session.execute(stmt)]


ALERT_AREA_COLUMN = {
    AreaLevel.PROVINCE: Alert.province_code,
    AreaLevel.DISTRICT: Alert.district_code,
    AreaLevel.COMMUNE: Alert.commune_code,
}


async def open_alerts(session: AsyncSession, window: Window) -> int:
    """Alerts not yet resolved of the area's patients."""
    stmt = (
        select(func.count())
        .select_from(Alert)
        .where(
            in_area(ALERT_AREA_COLUMN, window.area_code, window.level),
            Alert.status != AlertStatus.RESOLVED,
        )
    )
    return int(await session.scalar(stmt) or 0)


async def contacts_under_follow_up(session: AsyncSession, window: Window) -> int:
    """Close contacts living in the area whose follow-up is open now."""
    stmt = (
        select(func.count())
        .select_from(Contact)
        .where(
            in_area(CONTACT_AREA_COLUMN, window.area_code, window.level),
            Contact.status.in_((ContactStatus.UNDER_FOLLOW_UP, ContactStatus.LOST_TO_FOLLOW_UP)),
        )
    )
    return int(await session.scalar(stmt) or 0)


async def releases_due(session: AsyncSession, window: Window, *, today: date) -> int:
    """Patients of the area at home whose release from isolation is due on `today`."""
    stmt = (
        select(func.count())
        .select_from(Patient)
        .where(
            patient_in_area(window.area_code, window.level),
            Patient.status == PatientStatus.HOME_TREATMENT,
            Patient.release_due_on <= today,
        )
    )
    return int(await session.scalar(stmt) or 0)


@dataclass(frozen=True)
class Response:
    """How fast alerts raised in the window were acknowledged."""

    acknowledged: int
    median_minutes: float | None
    p90_minutes: float | None


async def alert_response(session: AsyncSession, window: Window) -> Response:
    """Median and 90th percentile minutes from raising to acknowledging an alert."""
    minutes = func.extract("epoch", Alert.acknowledged_at - Alert.raised_at) / 60
    stmt = select(
        func.count(),
        func.percentile_cont(0.5).within_group(minutes),
        func.percentile_cont(0.9).within_group(minutes),
    ).where(
        in_area(ALERT_AREA_COLUMN, window.area_code, window.level),
        Alert.acknowledged_at.is_not(None),
        _in_days(Alert.raised_at, window),
    )
    count, median, p90 = (await session.execute(stmt)).one()
    return Response(int(count), _float(median), _float(p90))


def _float(value: Any) -> float | None:
    return None if value is None else float(value)


async def median_hours_to_review(session: AsyncSession, window: Window) -> float | None:
    """Median hours from declaration to review, over declarations made in the window."""
    hours = func.extract("epoch", Declaration.reviewed_at - Declaration.created_at) / 3600
    # an exact median sorts every reviewed declaration of the window: in memory, not on disk
    await session.execute(text("SET LOCAL work_mem = '64MB'"))
    median = await session.scalar(
        select(func.percentile_cont(0.5).within_group(hours)).where(
            in_area(DECLARATION_AREA_COLUMN, window.area_code, window.level),
            _in_days(Declaration.created_at, window),
            Declaration.reviewed_at.is_not(None),
        )
    )
    return _float(median)


async def occupancy_by_tier(
    session: AsyncSession, window: Window
) -> dict[int, tuple[int, int, int]]:
    """For each tier: (patients IN_FACILITY at the area's facilities, beds taken by others
    as last reported, their beds)."""
    in_place = in_area(FACILITY_AREA_COLUMN, window.area_code, window.level)
    used = (
        select(func.count())
        .where(Patient.facility_id == Facility.id, Patient.status == PatientStatus.IN_FACILITY)
        .scalar_subquery()
    )
    outside = func.coalesce(Facility.beds_occupied_outside, 0)
    stmt = (
        select(Facility.tier, func.sum(used), func.sum(outside), func.sum(Facility.bed_capacity))
        .where(in_place)
        .group_by(Facility.tier)
    )
    found = {
        tier: (int(n or 0), int(others or 0), int(beds or 0))
        for tier, n, others, beds in await session.execute(stmt)
    }
    return {tier: found.get(tier, (0, 0, 0)) for tier in (1, 2, 3)}
