"""Statistics of an area for steering committees and BI tools (never personal data)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from auth.principal import AreaRef
from db.models import Area
from db.queries import statistics as queries
from domain.enums import AreaLevel, DeclarationStatus, PatientStatus, Role, Severity
from resolvers.context import Context
from resolvers.errors import BadUserInput, Forbidden, Unauthenticated

DEFAULT_DAYS = 30
MAX_DAYS = 366
# BI exports must not single anyone out: for analysts, commune-level counts of 1–4 are null
SMALL_CELL = range(1, 5)


@dataclass
class Figures:
    """Everything the Statistics type shows, already suppressed where needed."""

    area: Area
    active_patients: int | None
    by_status: dict[PatientStatus, int | None]
    by_severity: dict[Severity, int | None]
    by_tier: dict[int, int | None]
    daily: list[dict[str, object]]
    breakdown: list[tuple[Area, int | None, int | None]]
    open_alerts: int | None
    report_compliance: float | None
    # (acknowledged, median minutes, p90 minutes)
    alert_response: tuple[int | None, float | None, float | None]
    declarations: dict[DeclarationStatus, int | None]
    median_hours_to_review: float | None
    occupancy: dict[int, tuple[int | None, int]]


def _suppressor(suppress: bool) -> Callable[[int], int | None]:
    def hide(count: int) -> int | None:
        return None if suppress and count in SMALL_CELL else count

    return hide


async def _window(
    ctx: Context, area_code: str | None, first_day: date | None, last_day: date | None
) -> tuple[AreaRef, queries.Window]:
    """The requested area (inside the caller's own) and window of local days."""
    principal = ctx.principal
    if principal.area is None:
        raise Forbidden("statistics are for principals bound to an area")
    code = area_code or principal.area.code
    area = await ctx.services.directory.area(code)
    if area is None:
        raise BadUserInput("areaCode", f"no area has code {code!r}")
    if not principal.area.covers(area.code, area.ancestors):
        raise Forbidden(f"area {area.code} lies outside your area {principal.area.code}")
    last = last_day or ctx.services.today()
    first = first_day or last - timedelta(days=DEFAULT_DAYS - 1)
    if first > last:
        raise BadUserInput("from", "must not be after `to`")
    if (last - first).days + 1 > MAX_DAYS:
        raise BadUserInput("from", f"the window may span at most {MAX_DAYS} days")
    return area, queries.Window(area.code, area.level, first, last, ctx.services.timezone.key)


async def statistics(
    ctx: Context, *, area_code: str | None, first_day: date | None, last_day: date | None
) -> Figures:
    """Figures of an area inside the caller's own, for local days `first_day`..`last_day`."""
    principal = ctx.principal
    area, window = await _window(ctx, area_code, first_day, last_day)
    analyst = principal.role is Role.ANALYST
    hide = _suppressor(analyst and area.level is AreaLevel.COMMUNE)
    hide_children = _suppressor(analyst and area.level is AreaLevel.DISTRICT)
    async with ctx.sessions() as session:
        row = await session.get(Area, area.code)
        assert row is not None  # noqa: S101 - the directory found it
        statuses = await queries.counts_by(session, window, "status", active_only=False)
        severities = await queries.counts_by(session, window, "severity", active_only=True)
        tiers = await queries.counts_by(session, window, "tier", active_only=True)
        days = await queries.daily(session, window)
        children = await queries.breakdown(session, window)
        alerts = await queries.open_alerts(session, window)
        compliance = await queries.report_compliance(session, window, now=datetime.now(UTC))
        response = await queries.alert_response(session, window)
        funnel = await queries.declaration_funnel(session, window)
        occupancy = await queries.occupancy_by_tier(session, window)
    few_acks = hide(response.acknowledged) is None
    reviewed = sum(funnel.by_status.get(s, 0) for s in DeclarationStatus) - funnel.by_status.get(
        DeclarationStatus.PENDING, 0
    )
    active = sum(
        statuses.get(s, 0) for s in (PatientStatus.HOME_TREATMENT, PatientStatus.IN_FACILITY)
    )
    return Figures(
        area=row,
        active_patients=hide(active),
        by_status={s: hide(statuses.get(s, 0)) for s in PatientStatus},
        by_severity={s: hide(severities.get(s, 0)) for s in Severity},
        by_tier={t: hide(tiers.get(t, 0)) for t in (1, 2, 3)},
        daily=[
            {"date": d.day, **{k: hide(v) for k, v in vars(d).items() if k != "day"}} for d in days
        ],
        breakdown=[(a, hide_children(n), hide_children(c)) for a, n, c in children],
        open_alerts=hide(alerts),
        report_compliance=compliance,
        # with too few events, a median would say what happened to someone: hide it too
        alert_response=(None, None, None)
        if few_acks
        else (response.acknowledged, response.median_minutes, response.p90_minutes),
        declarations={s: hide(funnel.by_status.get(s, 0)) for s in DeclarationStatus},
        median_hours_to_review=None if hide(reviewed) is None else funnel.median_hours_to_review,
        occupancy={t: (hide(used), beds) for t, (used, beds) in occupancy.items()},
    )


@dataclass(frozen=True)
class TableRow:
    """One row of the flat statistics table."""

    metric: str
    value: int | None
    date: date | None = None
    area: Area | None = None
    status: PatientStatus | None = None
    tier: int | None = None


DIMENSIONS = ("date", "area", "status", "tier")


async def table(
    ctx: Context,
    *,
    metrics: list[str],
    dimensions: list[str],
    area_code: str | None,
    first_day: date | None,
    last_day: date | None,
) -> list[TableRow]:
    """Metrics grouped by dimensions, one row per group: what BI tools pull."""
    if not metrics:
        raise BadUserInput("metrics", "name at least one metric")
    if "patients" in metrics and "date" in dimensions:
        raise BadUserInput("dimensions", "DATE does not apply to PATIENTS (current patients)")
    area, window = await _window(ctx, area_code, first_day, last_day)
    dims = tuple(d for d in DIMENSIONS if d in dimensions)
    analyst = ctx.principal.role is Role.ANALYST
    async with ctx.sessions() as session:
        children = {a.code: a for a in await queries.child_areas(session, area.code)}
        own = await session.get(Area, area.code)
        child_level = next(iter(children.values())).level if children else area.level
        commune_rows = area.level is AreaLevel.COMMUNE or (
            "area" in dims and child_level is AreaLevel.COMMUNE
        )
        hide = _suppressor(analyst and commune_rows)
        rows: list[TableRow] = []
        for metric in dict.fromkeys(metrics):
            for found in await queries.table(session, window, metric, dims):
                rows.append(
                    TableRow(
                        metric=metric,
                        value=hide(found["value"]),
                        date=found.get("date"),
                        area=children.get(found["area"], own) if "area" in found else None,
                        status=found.get("status"),
                        tier=found.get("tier"),
                    )
                )
    return rows


async def updates(ctx: Context, *, area_code: str | None) -> AsyncIterator[Figures]:
    """The area's figures now, then again whenever they change, at most once per throttle
    interval. Ends when the token expires."""
    _, window = await _window(ctx, area_code, None, None)
    throttle = ctx.services.statistics_throttle.total_seconds()
    seen: tuple[object, ...] | None = None
    while True:
        expires = ctx.principal.expires_at
        if expires is not None and expires <= datetime.now(UTC):
            raise Unauthenticated("token expired: reconnect with a new token")
        async with ctx.sessions() as session:
            current = await queries.fingerprint(session, window)
        if current != seen:
            seen = current
            yield await statistics(ctx, area_code=area_code, first_day=None, last_day=None)
        await asyncio.sleep(throttle)
