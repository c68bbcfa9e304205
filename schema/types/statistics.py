"""Statistics of an area (no personal data). For ANALYST tokens, commune-level counts
between 1 and 4 are null (small-cell suppression), so BI exports cannot single anyone out."""

from __future__ import annotations

from datetime import date

import strawberry

from resolvers.statistics import Figures
from schema.types.area import Area
from schema.types.enums import PatientStatus, Severity

SUPPRESSED = " Null when suppressed: an analyst's commune-level count between 1 and 4."


@strawberry.type(description="Patients in one status.")
class StatusCount:
    status: PatientStatus = strawberry.field(description="The status.")
    count: int | None = strawberry.field(description="How many patients." + SUPPRESSED)


@strawberry.type(description="Patients in treatment at one severity.")
class SeverityCount:
    severity: Severity = strawberry.field(description="The severity.")
    count: int | None = strawberry.field(description="How many patients." + SUPPRESSED)


@strawberry.type(description="Patients in treatment at one tier.")
class TierCount:
    tier: int = strawberry.field(description="The tier (1 home/commune, 2, 3).")
    count: int | None = strawberry.field(description="How many patients." + SUPPRESSED)


@strawberry.type(description="Counts of one calendar day (Asia/Ho_Chi_Minh).")
class DailyStatistics:
    date: date = strawberry.field(description="The local day.")
    new_cases: int | None = strawberry.field(description="Cases confirmed that day." + SUPPRESSED)
    recovered: int | None = strawberry.field(description="Discharged RECOVERED." + SUPPRESSED)
    deaths: int | None = strawberry.field(description="Discharged DECEASED." + SUPPRESSED)
    transfers: int | None = strawberry.field(description="Transfers requested." + SUPPRESSED)
    reports: int | None = strawberry.field(description="Health reports received." + SUPPRESSED)
    alerts: int | None = strawberry.field(description="Alerts raised." + SUPPRESSED)


@strawberry.type(
    description="Figures of one child area (districts of a province, communes of a district)."
)
class AreaStatistics:
    area: Area = strawberry.field(description="The child area.")
    active_patients: int | None = strawberry.field(
        description="Patients in treatment (home or facility)." + SUPPRESSED
    )
    new_cases: int | None = strawberry.field(
        description="Cases confirmed in the window." + SUPPRESSED
    )


@strawberry.type(description="Figures of an area for a window of local days.")
class Statistics:
    area: Area = strawberry.field(description="The area the figures are for.")
    active_patients: int | None = strawberry.field(
        description="Patients in treatment now (home or facility)." + SUPPRESSED
    )
    by_status: list[StatusCount] = strawberry.field(description="All patients by status.")
    by_severity: list[SeverityCount] = strawberry.field(
        description="Patients in treatment by current severity."
    )
    by_tier: list[TierCount] = strawberry.field(description="Patients in treatment by tier.")
    daily: list[DailyStatistics] = strawberry.field(description="One row per day of the window.")
    breakdown: list[AreaStatistics] = strawberry.field(description="One row per child area.")
    open_alerts: int | None = strawberry.field(description="Alerts not yet resolved." + SUPPRESSED)
    report_compliance: float | None = strawberry.field(
        description=(
            "Share (0–1) of patients at home with a health report in the last 24 hours; "
            "null when nobody is at home."
        )
    )

    @classmethod
    def from_figures(cls, figures: Figures) -> Statistics:
        """The GraphQL view of computed figures."""
        return cls(
            area=Area.from_model(figures.area),
            active_patients=figures.active_patients,
            by_status=[StatusCount(status=s, count=n) for s, n in figures.by_status.items()],
            by_severity=[
                SeverityCount(severity=s, count=n) for s, n in figures.by_severity.items()
            ],
            by_tier=[TierCount(tier=t, count=n) for t, n in figures.by_tier.items()],
            daily=[DailyStatistics(**day) for day in figures.daily],  # type: ignore[arg-type]
            breakdown=[
                AreaStatistics(area=Area.from_model(a), active_patients=n, new_cases=c)
                for a, n, c in figures.breakdown
            ],
            open_alerts=figures.open_alerts,
            report_compliance=figures.report_compliance,
        )
