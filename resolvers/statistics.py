"""Statistics of an area for steering committees and BI tools (never personal data)."""

from __future__ import annotations

from collections import Counter
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from auth.principal import AreaRef
from db.models import Area
from db.queries import facilities as facility_queries
from db.queries import rehoming as rehoming_queries
from db.queries import statistics as queries
from domain.enums import (
    ACTIVE_PATIENT_STATUSES,
    AreaLevel,
    DeclarationStatus,
    PatientStatus,
    Role,
    Severity,
)
from domain.text import rule
from resolvers.context import Context
from resolvers.errors import (
    BadUserInput,
    Forbidden,
    RateLimited,
    is_unavailable,
)

DEFAULT_DAYS = 30
MAX_DAYS = 366
# BI exports must not single anyone out: for analysts, commune-level counts of 1–4 are null
SMALL_CELL = range(1, 5)


@dataclass
class Figures:
    """Everything the Statistics type shows (suppressed where needed by `shown_to`)."""

    area: Area = field(compare=False)  # the row; the figures are what changes
    active_patients: int | None
    by_status: dict[PatientStatus, int | None]
    by_severity: dict[Severity, int | None]
    by_tier: dict[int, int | None]
    daily: list[dict[str, object]]
    breakdown: list[tuple[Area, int | None, int | None]]
    open_alerts: int | None
    releases_due: int | None
    contacts_under_follow_up: int | None
    # share (0-1) of the window's new cases that were known contacts; None without cases
    known_contact_share: float | None
    new_cases: int  # in the window (not shown: the share's base, for the suppression)
    report_compliance: float | None
    # (acknowledged, median minutes, p90 minutes)
    alert_response: tuple[int | None, float | None, float | None]
    declarations: dict[DeclarationStatus, int | None]
    median_hours_to_review: float | None
    occupancy: dict[int, tuple[int | None, int, int]]  # f0care's, others', beds
    occupancy_trend: list[tuple[date, int, int | None, int]]  # day, tier, occupied, beds
    # areas (this one, its children) whose figures count records placed there only for now,
    # after a move to a new map (the rehoming queue): their figures are estimates
    estimated: frozenset[str] = frozenset()


def _suppressor(suppress: bool) -> Callable[[int | None], int | None]:
    def hide(count: int | None) -> int | None:
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
        raise BadUserInput("areaCode", rule("no area has code {0!r}", code))
    if not principal.area.covers(area.code, area.ancestors):
        raise Forbidden(f"area {area.code} lies outside your area {principal.area.code}")
    last = last_day or ctx.services.today()
    first = first_day or last - timedelta(days=DEFAULT_DAYS - 1)
    if first > last:
        raise BadUserInput("from", rule("must not be after `to`"))
    if (last - first).days + 1 > MAX_DAYS:
        raise BadUserInput("from", rule("the window may span at most {0} days", MAX_DAYS))
    return area, queries.Window(area.code, area.level, first, last, ctx.services.timezone.key)


SERIES = (
    "new_cases", "recovered", "deaths", "transfers", "reports", "alerts",
    "certificates_issued", "medication_orders_a", "medication_orders_b", "medication_orders_c",
    "contacts_became_cases",
)  # fmt: skip


async def compute(sessions: async_sessionmaker[AsyncSession], window: queries.Window) -> Figures:
    """The figures of the window's area, unsuppressed (see `shown_to`)."""
    async with sessions() as session:
        row = await session.get(Area, window.area_code)
        assert row is not None  # noqa: S101 - the directory found it
        children = await queries.child_areas(session, window.area_code)
        child_level = children[0].level if children else None
        groups = await queries.patient_groups(session, window, child_level)
        reporting = await queries.reporting_at_home(session, window, now=datetime.now(UTC))
        events = await queries.event_counts(session, window)
        new_by_child = (
            await queries.event_counts(
                session, window, child_level=child_level, metrics=["new_cases"]
            )
            if child_level
            else []
        )
        alerts = await queries.open_alerts(session, window)
        releases = await queries.releases_due(session, window, today=window.last_day)
        contacts = await queries.contacts_under_follow_up(session, window)
        response = await queries.alert_response(session, window)
        review = await queries.median_hours_to_review(session, window)
        occupancy = await queries.occupancy_by_tier(session, window)
        provisional = await rehoming_queries.provisional_places(session)
        trend = await facility_queries.occupancy_trend(
            session, area_code=window.area_code, level=window.level,
            first_day=window.first_day, last_day=window.last_day, timezone=window.timezone,
        )  # fmt: skip
    statuses = Counter[PatientStatus]()
    severities = Counter[Severity]()
    tiers = Counter[int]()
    active_by_child = Counter[str | None]()
    home = 0
    for g in groups:
        statuses[g.status] += g.count
        if g.status in ACTIVE_PATIENT_STATUSES:
            tiers[g.tier] += g.count
            active_by_child[g.child] += g.count
            if g.severity is not None:
                severities[g.severity] += g.count
        if g.status is PatientStatus.HOME_TREATMENT:
            home += g.count
    per_day: dict[date, Counter[str]] = {}
    totals = Counter[str]()
    for e in events:
        per_day.setdefault(e.day, Counter())[e.metric] += e.count
        totals[e.metric] += e.count
    new_cases = Counter[str | None]()
    for e in new_by_child:
        new_cases[e.child] += e.count
    span = (window.last_day - window.first_day).days + 1
    days = (window.first_day + timedelta(n) for n in range(span))
    return Figures(
        area=row,
        active_patients=sum(statuses[s] for s in ACTIVE_PATIENT_STATUSES),
        by_status={s: statuses[s] for s in PatientStatus},
        by_severity={s: severities[s] for s in Severity},
        by_tier={t: tiers[t] for t in (1, 2, 3)},
        daily=[{"date": d, **{m: per_day.get(d, Counter())[m] for m in SERIES}} for d in days],
        breakdown=[(a, active_by_child[a.code], new_cases[a.code]) for a in children],
        open_alerts=alerts,
        releases_due=releases,
        contacts_under_follow_up=contacts,
        known_contact_share=_share(totals["contacts_became_cases"], totals["new_cases"]),
        new_cases=totals["new_cases"],
        report_compliance=None if home == 0 else reporting / home,
        alert_response=(response.acknowledged, response.median_minutes, response.p90_minutes),
        declarations={s: totals[f"declarations:{s.value}"] for s in DeclarationStatus},
        median_hours_to_review=review,
        occupancy=dict(occupancy.items()),
        occupancy_trend=[(day, tier, used, beds) for day, tier, used, beds in trend],
        estimated=_estimated(row, children, provisional),
    )


def _estimated(row: Area, children: list[Area], provisional: frozenset[str]) -> frozenset[str]:
    """Of the area and its children, those holding records placed for now."""
    marked = set(provisional)
    if provisional and row.parent_code is None:  # the country holds every one
        marked.add(row.code)
    return frozenset(code for code in (row.code, *(a.code for a in children)) if code in marked)


def _share(part: int, whole: int) -> float | None:
    return None if whole == 0 else min(1.0, part / whole)


def shown_to(figures: Figures, role: Role | None) -> Figures:
    """The figures as `role` may see them: for analysts, commune-level counts of 1–4 are
    null, and so are shares and medians computed over that few people or events."""
    analyst = role is Role.ANALYST
    hide = _suppressor(analyst and figures.area.level is AreaLevel.COMMUNE)
    # the rows of communes (a district's on the 2021 map, a province's on the 2025 one)
    hide_child = _suppressor(analyst)
    acknowledged, median, p90 = figures.alert_response
    reviewed = sum(
        n or 0 for s, n in figures.declarations.items() if s is not DeclarationStatus.PENDING
    )
    return Figures(
        area=figures.area,
        active_patients=hide(figures.active_patients),
        by_status={s: hide(n) for s, n in figures.by_status.items()},
        by_severity={s: hide(n) for s, n in figures.by_severity.items()},
        by_tier={t: hide(n) for t, n in figures.by_tier.items()},
        daily=[
            {k: v if k == "date" else hide(v) for k, v in day.items()}  # type: ignore[arg-type]
            for day in figures.daily
        ],
        breakdown=[
            (a, hide_child(n), hide_child(c)) if a.level is AreaLevel.COMMUNE else (a, n, c)
            for a, n, c in figures.breakdown
        ],
        open_alerts=hide(figures.open_alerts),
        releases_due=hide(figures.releases_due),
        contacts_under_follow_up=hide(figures.contacts_under_follow_up),
        # a share over 1-4 cases would say what happened to someone
        known_contact_share=None
        if hide(figures.new_cases) is None
        else figures.known_contact_share,
        new_cases=figures.new_cases,
        # with too few people, a share or a median would say what happened to someone
        report_compliance=None
        if hide(figures.by_status[PatientStatus.HOME_TREATMENT]) is None
        else figures.report_compliance,
        alert_response=(None, None, None)
        if hide(acknowledged) is None
        else (acknowledged, median, p90),
        declarations={s: hide(n) for s, n in figures.declarations.items()},
        median_hours_to_review=None if hide(reviewed) is None else figures.median_hours_to_review,
        occupancy={
            t: (hide(used), others, beds) for t, (used, others, beds) in figures.occupancy.items()
        },
        occupancy_trend=[(d, t, hide(used), beds) for d, t, used, beds in figures.occupancy_trend],
        estimated=figures.estimated,
    )


async def statistics(
    ctx: Context, *, area_code: str | None, first_day: date | None, last_day: date | None
) -> Figures:
    """Figures of an area inside the caller's own, for local days `first_day`..`last_day`."""
    _, window = await _window(ctx, area_code, first_day, last_day)
    return shown_to(await compute(ctx.sessions, window), ctx.principal.role)


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
    """Metrics grouped by dimensions, one row per group: what BI tools pull. PATIENTS counts
    current patients (by area, status, tier); the others count events (by date, area)."""
    if not metrics:
        raise BadUserInput("metrics", rule("name at least one metric"))
    if "patients" in metrics and "date" in dimensions:
        raise BadUserInput("dimensions", rule("DATE does not apply to PATIENTS (current patients)"))
    if set(metrics) - {"patients"} and {"status", "tier"} & set(dimensions):
        raise BadUserInput(
            "dimensions",
            rule("STATUS and TIER apply to PATIENTS only; events group by DATE and AREA"),
        )
    area, window = await _window(ctx, area_code, first_day, last_day)
    dims = tuple(d for d in DIMENSIONS if d in dimensions)
    async with ctx.sessions() as session:
        own = await session.get(Area, area.code)
        children = {a.code: a for a in await queries.child_areas(session, area.code)}
        child_level = next(iter(children.values())).level if children else None
        by_child = child_level if "area" in dims else None
        grouped: dict[str, Counter[tuple[Any, ...]]] = {}
        for metric in dict.fromkeys(metrics):
            counts = grouped[metric] = Counter()
            if metric == "patients":
                for g in await queries.patient_groups(session, window, by_child):
                    values = {"area": g.child, "status": g.status, "tier": g.tier}
                    counts[tuple(values[d] for d in dims)] += g.count
            else:
                for e in await queries.event_counts(
                    session, window, child_level=by_child, metrics=[metric]
                ):
                    counts[tuple({"date": e.day, "area": e.child}[d] for d in dims)] += e.count
    commune_rows = area.level is AreaLevel.COMMUNE or by_child is AreaLevel.COMMUNE
    hide = _suppressor(ctx.principal.role is Role.ANALYST and commune_rows)
    rows: list[TableRow] = []
    for metric, counts in grouped.items():
        for key in sorted(counts, key=lambda k: tuple(getattr(v, "value", v) for v in k)):
            found: dict[str, Any] = dict(zip(dims, key, strict=True))
            rows.append(
                TableRow(
                    metric=metric,
                    value=hide(counts[key]),
                    date=found.get("date"),
                    area=children.get(found["area"], own) if "area" in found else None,
                    status=found.get("status"),
                    tier=found.get("tier"),
                )
            )
    return rows


async def updates(ctx: Context, *, area_code: str | None) -> AsyncIterator[Figures]:
    """The area's figures (last 30 days) now, then again whenever they change, at most once
    per throttle interval. One poller per area per process serves every subscriber (the
    socket is closed when the token expires)."""
    area, _ = await _window(ctx, area_code, None, None)
    services = ctx.services
    key = f"statistics:{area.code}"
    limits, subject = services.live_statistics, ctx.principal.subject
    if limits.following.get(subject, 0) >= limits.per_principal:
        raise RateLimited(
            f"at most {limits.per_principal} live statistics subscriptions per user; "
            "close one first"
        )
    if not services.polls.has(key) and services.polls.running() >= limits.areas:
        raise RateLimited(f"this server follows {limits.areas} areas live already; try again later")
    limits.following[subject] = limits.following.get(subject, 0) + 1
    sessions = services.statistics_sessions or services.sessions

    async def produce() -> Figures:  # shared by every subscriber: nobody's principal in it
        last = services.today()
        first = last - timedelta(days=DEFAULT_DAYS - 1)
        window = queries.Window(area.code, area.level, first, last, services.timezone.key)
        try:
            return await compute(sessions, window)
        except Exception as exc:
            if is_unavailable(exc):
                services.availability.failed(exc)
            raise

    every = services.statistics_throttle.total_seconds()
    snapshots = services.polls.follow(key, produce, every)
    try:
        async for figures in snapshots:
            yield shown_to(figures, ctx.principal.role)
    finally:
        limits.following[subject] -= 1
        if not limits.following[subject]:
            del limits.following[subject]
        await snapshots.aclose()
