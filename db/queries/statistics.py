"""Aggregates for steering committees and BI tools. Every figure is computed over the
patients whose home commune lies in the requested area; calendar days are local days."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Date, cast, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import (
    Alert,
    AlertEvent,
    Area,
    Declaration,
    Facility,
    HealthReport,
    Patient,
    Transfer,
)
from db.scope import DECLARATION_AREA_COLUMN, PATIENT_AREA_COLUMN, patient_in_area
from domain.enums import (
    ACTIVE_PATIENT_STATUSES,
    AlertStatus,
    AreaLevel,
    DeclarationStatus,
    DischargeOutcome,
    PatientStatus,
)


@dataclass(frozen=True)
class Window:
    """Which area and which local days."""

    area_code: str
    level: AreaLevel
    first_day: date
    last_day: date
    timezone: str


@dataclass(frozen=True)
class Day:
    """Counts of one local day."""

    day: date
    new_cases: int = 0
    recovered: int = 0
    deaths: int = 0
    transfers: int = 0
    reports: int = 0
    alerts: int = 0


def _local_day(column: Any, timezone: str) -> ColumnElement[date]:
    return cast(func.timezone(timezone, column), Date)


def _in_days(column: Any, window: Window) -> ColumnElement[bool]:
    day = _local_day(column, window.timezone)
    return day.between(window.first_day, window.last_day)


DIMENSIONS: dict[str, Any] = {
    "status": Patient.status,
    "severity": Patient.severity,
    "tier": Patient.tier,
}


async def counts_by(
    session: AsyncSession, window: Window, dimension: str, *, active_only: bool
) -> dict[Any, int]:
    """Patients of the area grouped by a dimension: status, severity or tier."""
    column = DIMENSIONS[dimension]
    conditions = [patient_in_area(window.area_code, window.level)]
    if active_only:
        conditions.append(Patient.status.in_(ACTIVE_PATIENT_STATUSES))
    stmt = select(column, func.count()).where(*conditions).group_by(column)
    return {row[0]: row[1] for row in await session.execute(stmt)}


async def open_alerts(session: AsyncSession, window: Window) -> int:
    """Alerts not yet resolved of the area's patients."""
    column = {
        AreaLevel.PROVINCE: Alert.province_code,
        AreaLevel.DISTRICT: Alert.district_code,
        AreaLevel.COMMUNE: Alert.commune_code,
    }[window.level]
    stmt = (
        select(func.count())
        .select_from(Alert)
        .where(column == window.area_code, Alert.status != AlertStatus.RESOLVED)
    )
    return int(await session.scalar(stmt) or 0)


async def report_compliance(
    session: AsyncSession, window: Window, *, now: datetime
) -> float | None:
    """Share of patients at home with a report in the last 24 hours (None without any)."""
    at_home = [
        patient_in_area(window.area_code, window.level),
        Patient.status == PatientStatus.HOME_TREATMENT,
    ]
    recent = func.count().filter(Patient.last_report_at >= now - timedelta(hours=24))
    row = (await session.execute(select(func.count(), recent).where(*at_home))).one()
    total, reporting = int(row[0]), int(row[1])
    return None if total == 0 else reporting / total


async def daily(session: AsyncSession, window: Window) -> list[Day]:
    """One row per local day of the window, zeros included."""
    in_area = patient_in_area(window.area_code, window.level)
    sources = {
        "new_cases": select(Patient.confirmed_at.label("at")).where(in_area),
        "recovered": select(Patient.discharged_at.label("at")).where(
            in_area, Patient.discharge_outcome == DischargeOutcome.RECOVERED
        ),
        "deaths": select(Patient.discharged_at.label("at")).where(
            in_area, Patient.discharge_outcome == DischargeOutcome.DECEASED
        ),
        "transfers": select(Transfer.requested_at.label("at"))
        .join(Patient, Patient.id == Transfer.patient_id)
        .where(in_area),
        "reports": select(HealthReport.reported_at.label("at"))
        .join(Patient, Patient.id == HealthReport.patient_id)
        .where(in_area),
        "alerts": select(Alert.raised_at.label("at"))
        .join(Patient, Patient.id == Alert.patient_id)
        .where(in_area),
    }
    days: dict[date, dict[str, int]] = {}
    for name, source in sources.items():
        sub = source.subquery()
        day = _local_day(sub.c.at, window.timezone)
        stmt = (
            select(day, func.count())
            .where(day.between(window.first_day, window.last_day))
            .group_by(day)
        )
        for when, count in await session.execute(stmt):
            days.setdefault(when, {})[name] = count
    span = (window.last_day - window.first_day).days + 1
    return [
        Day(d, **days.get(d, {})) for d in (window.first_day + timedelta(n) for n in range(span))
    ]


async def breakdown(session: AsyncSession, window: Window) -> list[tuple[Area, int, int]]:
    """For each child area: (area, active patients, new cases in the window)."""
    children = list(
        await session.scalars(
            select(Area).where(Area.parent_code == window.area_code).order_by(Area.code)
        )
    )
    if not children:
        return []
    child_level = children[0].level
    column = PATIENT_AREA_COLUMN[child_level]
    active = func.count().filter(Patient.status.in_(ACTIVE_PATIENT_STATUSES))
    new = func.count().filter(_in_days(Patient.confirmed_at, window))
    stmt = (
        select(column, active, new)
        .where(patient_in_area(window.area_code, window.level))
        .group_by(column)
    )
    found = {row[0]: (int(row[1]), int(row[2])) for row in await session.execute(stmt)}
    return [(a, *found.get(a.code, (0, 0))) for a in children]


@dataclass(frozen=True)
class Response:
    """How fast alerts raised in the window were acknowledged."""

    acknowledged: int
    median_minutes: float | None
    p90_minutes: float | None


async def alert_response(session: AsyncSession, window: Window) -> Response:
    """Median and 90th percentile minutes from raising to acknowledging an alert."""
    column = {
        AreaLevel.PROVINCE: Alert.province_code,
        AreaLevel.DISTRICT: Alert.district_code,
        AreaLevel.COMMUNE: Alert.commune_code,
    }[window.level]
    minutes = func.extract("epoch", Alert.acknowledged_at - Alert.raised_at) / 60
    stmt = select(
        func.count(),
        func.percentile_cont(0.5).within_group(minutes),
        func.percentile_cont(0.9).within_group(minutes),
    ).where(
        column == window.area_code,
        Alert.acknowledged_at.is_not(None),
        _in_days(Alert.raised_at, window),
    )
    count, median, p90 = (await session.execute(stmt)).one()
    return Response(int(count), _float(median), _float(p90))


def _float(value: Any) -> float | None:
    return None if value is None else float(value)


@dataclass(frozen=True)
class Funnel:
    """Declarations made in the window, by review state, and how fast they were reviewed."""

    by_status: dict[DeclarationStatus, int]
    median_hours_to_review: float | None


async def declaration_funnel(session: AsyncSession, window: Window) -> Funnel:
    """Declarations of the area created in the window, by status; median review time."""
    column = DECLARATION_AREA_COLUMN[window.level]
    in_window = [column == window.area_code, _in_days(Declaration.created_at, window)]
    counts = await session.execute(
        select(Declaration.status, func.count()).where(*in_window).group_by(Declaration.status)
    )
    hours = func.extract("epoch", Declaration.reviewed_at - Declaration.created_at) / 3600
    median = await session.scalar(
        select(func.percentile_cont(0.5).within_group(hours)).where(
            *in_window, Declaration.reviewed_at.is_not(None)
        )
    )
    return Funnel({row[0]: int(row[1]) for row in counts}, _float(median))


async def occupancy_by_tier(session: AsyncSession, window: Window) -> dict[int, tuple[int, int]]:
    """For each tier: (patients IN_FACILITY at the area's facilities, their beds)."""
    column = {
        AreaLevel.PROVINCE: Facility.province_code,
        AreaLevel.DISTRICT: Facility.district_code,
        AreaLevel.COMMUNE: Facility.area_code,
    }[window.level]
    beds = dict(
        (row[0], int(row[1] or 0))
        for row in await session.execute(
            select(Facility.tier, func.sum(Facility.bed_capacity))
            .where(column == window.area_code)
            .group_by(Facility.tier)
        )
    )
    used = dict(
        (row[0], int(row[1]))
        for row in await session.execute(
            select(Facility.tier, func.count(Patient.id))
            .join(Patient, Patient.facility_id == Facility.id)
            .where(column == window.area_code, Patient.status == PatientStatus.IN_FACILITY)
            .group_by(Facility.tier)
        )
    )
    return {tier: (used.get(tier, 0), beds.get(tier, 0)) for tier in (1, 2, 3)}


EVENT_SOURCES = ("new_cases", "recovered", "deaths", "transfers", "reports", "alerts")


def _event_source(name: str, in_area: ColumnElement[bool]) -> Any:
    """(time of the event, the patient's row) for one kind of counted event."""
    joins: dict[str, tuple[Any, Any]] = {
        "transfers": (Transfer, Transfer.requested_at),
        "reports": (HealthReport, HealthReport.reported_at),
        "alerts": (Alert, Alert.raised_at),
    }
    if name in joins:
        model, moment = joins[name]
        return (
            select(moment.label("at"), Patient)
            .join(Patient, Patient.id == model.patient_id)
            .where(in_area)
        )
    when: Any = Patient.confirmed_at if name == "new_cases" else Patient.discharged_at
    stmt = select(when.label("at"), Patient).where(in_area)
    if name == "recovered":
        stmt = stmt.where(Patient.discharge_outcome == DischargeOutcome.RECOVERED)
    if name == "deaths":
        stmt = stmt.where(Patient.discharge_outcome == DischargeOutcome.DECEASED)
    return stmt


async def table(
    session: AsyncSession, window: Window, metric: str, dimensions: tuple[str, ...]
) -> list[dict[str, Any]]:
    """Rows of one metric grouped by `dimensions` (date, area = child area, status, tier).
    `patients` counts current patients (no date); the others count events in the window."""
    in_area = patient_in_area(window.area_code, window.level)
    child = await session.scalar(
        select(Area.level).where(Area.parent_code == window.area_code).limit(1)
    )
    if metric == "patients":
        source = select(Patient).where(in_area).subquery()
    else:
        source = _event_source(metric, in_area).subquery()
    columns: dict[str, Any] = {
        "status": source.c.status,
        "tier": source.c.tier,
        "area": source.c[PATIENT_AREA_COLUMN[child].key]
        if child
        else source.c[PATIENT_AREA_COLUMN[window.level].key],
    }
    if metric != "patients":
        columns["date"] = _local_day(source.c.at, window.timezone)
    keys = [columns[d] for d in dimensions]
    stmt = select(*keys, func.count()).select_from(source)
    if metric != "patients":
        stmt = stmt.where(columns["date"].between(window.first_day, window.last_day))
    stmt = stmt.group_by(*keys).order_by(*keys)
    return [
        dict(zip([*dimensions, "value"], row, strict=True)) for row in await session.execute(stmt)
    ]


async def child_areas(session: AsyncSession, code: str) -> list[Area]:
    """The areas directly below `code`, by code."""
    return list(
        await session.scalars(select(Area).where(Area.parent_code == code).order_by(Area.code))
    )


async def fingerprint(session: AsyncSession, window: Window) -> tuple[Any, ...]:
    """A cheap summary that changes whenever the area's figures may have changed."""
    in_area = patient_in_area(window.area_code, window.level)
    declared = DECLARATION_AREA_COLUMN[window.level] == window.area_code
    patients = (
        await session.execute(
            select(
                func.count(),
                func.max(Patient.updated_at),
                func.max(Patient.last_report_at),
                func.max(Patient.confirmed_at),
                func.max(Patient.discharged_at),
            ).where(in_area)
        )
    ).one()
    others = (
        await session.execute(
            select(
                select(func.max(Transfer.id))
                .join(Patient, Patient.id == Transfer.patient_id)
                .where(in_area)
                .scalar_subquery(),
                select(func.max(AlertEvent.id))
                .join(Alert, Alert.id == AlertEvent.alert_id)
                .join(Patient, Patient.id == Alert.patient_id)
                .where(in_area)
                .scalar_subquery(),
                select(func.max(Declaration.id)).where(declared).scalar_subquery(),
                select(func.max(Declaration.reviewed_at)).where(declared).scalar_subquery(),
            )
        )
    ).one()
    return (*patients, *others)
