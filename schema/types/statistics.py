"""Statistics of an area (no personal data). For ANALYST tokens, commune-level counts
between 1 and 4 are null (small-cell suppression), so BI exports cannot single anyone out."""

from __future__ import annotations

from datetime import date
from enum import Enum

import strawberry

from domain.enums import DeclarationStatus
from resolvers.statistics import Figures, TableRow
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
    certificates_issued: int | None = strawberry.field(
        description="Recovery certificates issued." + SUPPRESSED
    )
    medication_orders_a: int | None = strawberry.field(
        description="Medication orders of package A." + SUPPRESSED
    )
    medication_orders_b: int | None = strawberry.field(
        description="Medication orders of package B (self-started use included)." + SUPPRESSED
    )
    medication_orders_c: int | None = strawberry.field(
        description="Medication orders of package C (antiviral)." + SUPPRESSED
    )
    contacts_became_cases: int | None = strawberry.field(
        description="Close contacts living in the area who became cases." + SUPPRESSED
    )


@strawberry.type(
    description="Figures of one child area (districts of a province, communes of a district)."
)
class AreaStatistics:
    area: Area = strawberry.field(description="The child area.")
    estimated: bool = strawberry.field(
        description="Its figures count records placed here only for now after a move to a new "
        "map (split or unlisted communes on the rehoming queue): an estimate until settled."
    )
    active_patients: int | None = strawberry.field(
        description="Patients in treatment (home or facility)." + SUPPRESSED
    )
    new_cases: int | None = strawberry.field(
        description="Cases confirmed in the window." + SUPPRESSED
    )


@strawberry.type(description="How fast alerts raised in the window were acknowledged.")
class AlertResponse:
    acknowledged: int | None = strawberry.field(description="Alerts acknowledged." + SUPPRESSED)
    median_minutes: float | None = strawberry.field(
        description="Median minutes from raising to acknowledging (null if none, or suppressed)."
    )
    p90_minutes: float | None = strawberry.field(
        description="90th percentile minutes from raising to acknowledging."
    )


@strawberry.type(description="Declarations made in the window, by review state.")
class DeclarationFunnel:
    pending: int | None = strawberry.field(description="Not reviewed yet." + SUPPRESSED)
    verified: int | None = strawberry.field(description="Became patients." + SUPPRESSED)
    rejected: int | None = strawberry.field(description="Rejected." + SUPPRESSED)
    duplicate: int | None = strawberry.field(description="Linked to an open case." + SUPPRESSED)
    median_hours_to_review: float | None = strawberry.field(
        description="Median hours from declaration to review (null if none, or suppressed)."
    )


@strawberry.type(description="Patients in the area's facilities of a tier, against their beds.")
class TierOccupancy:
    tier: int = strawberry.field(description="The tier.")
    patients: int | None = strawberry.field(description="Patients IN_FACILITY." + SUPPRESSED)
    occupied_outside_f0care: int = strawberry.field(
        description="Beds taken by patients f0care does not follow (latest bed reports)."
    )
    beds: int = strawberry.field(
        description="Bed capacity of those facilities (latest bed reports; known ones)."
    )


@strawberry.type(description="Beds of a tier on one local day, from the bed reports.")
class TierOccupancyDay:
    date: date = strawberry.field(description="The local day.")
    tier: int = strawberry.field(description="The tier.")
    occupied: int | None = strawberry.field(
        description=(
            "Beds taken at the day's end (f0care's patients and others, as last reported)."
            + SUPPRESSED
        )
    )
    beds: int = strawberry.field(description="Bed capacity at the day's end (as last reported).")


@strawberry.type(description="Figures of an area for a window of local days.")
class Statistics:
    area: Area = strawberry.field(description="The area the figures are for.")
    estimated: bool = strawberry.field(
        description="The figures count records placed in the area only for now after a move "
        "to a new map (the rehoming queue): an estimate until they are settled."
    )
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
    releases_due: int | None = strawberry.field(
        description=(
            "Patients at home whose release from isolation is due on the window's last day "
            "(the work list's length)." + SUPPRESSED
        )
    )
    contacts_under_follow_up: int | None = strawberry.field(
        description="Close contacts living in the area whose follow-up is open now." + SUPPRESSED
    )
    known_contact_share: float | None = strawberry.field(
        description=(
            "Share (0–1) of the window's new cases that were known close contacts (contacts "
            "who became cases over new cases); null without new cases, and for an analyst's "
            "commune with 1–4."
        )
    )
    report_compliance: float | None = strawberry.field(
        description=(
            "Share (0–1) of patients at home with a health report in the last 24 hours; "
            "null when nobody is at home, and for an analyst's commune with 1–4 at home."
        )
    )
    alert_response: AlertResponse = strawberry.field(
        description="Time to acknowledge alerts raised in the window."
    )
    declaration_funnel: DeclarationFunnel = strawberry.field(
        description="Declarations made in the window and how fast they were reviewed."
    )
    occupancy: list[TierOccupancy] = strawberry.field(
        description="Facility occupancy against capacity, by tier."
    )
    occupancy_trend: list[TierOccupancyDay] = strawberry.field(
        description="Beds taken and beds by tier, day by day over the window (bed reports)."
    )

    @classmethod
    def from_figures(cls, figures: Figures) -> Statistics:
        """The GraphQL view of computed figures."""
        return cls(
            area=Area.from_model(figures.area),
            estimated=figures.area.code in figures.estimated,
            active_patients=figures.active_patients,
            by_status=[StatusCount(status=s, count=n) for s, n in figures.by_status.items()],
            by_severity=[
                SeverityCount(severity=s, count=n) for s, n in figures.by_severity.items()
            ],
            by_tier=[TierCount(tier=t, count=n) for t, n in figures.by_tier.items()],
            daily=[DailyStatistics(**day) for day in figures.daily],  # type: ignore[arg-type]
            breakdown=[
                AreaStatistics(
                    area=Area.from_model(a),
                    estimated=a.code in figures.estimated,
                    active_patients=n,
                    new_cases=c,
                )
                for a, n, c in figures.breakdown
            ],
            open_alerts=figures.open_alerts,
            releases_due=figures.releases_due,
            contacts_under_follow_up=figures.contacts_under_follow_up,
            known_contact_share=figures.known_contact_share,
            report_compliance=figures.report_compliance,
            alert_response=AlertResponse(
                acknowledged=figures.alert_response[0],
                median_minutes=figures.alert_response[1],
                p90_minutes=figures.alert_response[2],
            ),
            declaration_funnel=DeclarationFunnel(
                pending=figures.declarations[DeclarationStatus.PENDING],
                verified=figures.declarations[DeclarationStatus.VERIFIED],
                rejected=figures.declarations[DeclarationStatus.REJECTED],
                duplicate=figures.declarations[DeclarationStatus.DUPLICATE],
                median_hours_to_review=figures.median_hours_to_review,
            ),
            occupancy=[
                TierOccupancy(tier=t, patients=used, occupied_outside_f0care=others, beds=beds)
                for t, (used, others, beds) in figures.occupancy.items()
            ],
            occupancy_trend=[
                TierOccupancyDay(date=d, tier=t, occupied=used, beds=beds)
                for d, t, used, beds in figures.occupancy_trend
            ],
        )


@strawberry.enum(description="A figure the statistics table can count.")
class StatisticsMetric(Enum):
    PATIENTS = "patients"
    NEW_CASES = "new_cases"
    RECOVERED = "recovered"
    DEATHS = "deaths"
    TRANSFERS = "transfers"
    REPORTS = "reports"
    ALERTS = "alerts"


@strawberry.enum(description="What the statistics table can group by.")
class StatisticsDimension(Enum):
    DATE = "date"
    AREA = "area"
    STATUS = "status"
    TIER = "tier"


@strawberry.input(description="Which area and which local days the table covers.")
class StatisticsTableFilter:
    area_code: strawberry.ID | None = strawberry.field(
        default=None, description="An area inside the caller's own (default: the caller's)."
    )
    from_: date | None = strawberry.field(
        default=None, name="from", description="First local day (default: 30 days ago)."
    )
    to: date | None = strawberry.field(default=None, description="Last local day (default: today).")


@strawberry.type(
    description=(
        "One row of the flat statistics table: a metric's value for one combination of the "
        "requested dimensions (the others are null)."
    )
)
class StatisticsRow:
    date: date | None = strawberry.field(description="Local day (DATE dimension).")
    area_code: strawberry.ID | None = strawberry.field(description="Child area code (AREA).")
    area_name: str | None = strawberry.field(description="Child area name (AREA).")
    status: PatientStatus | None = strawberry.field(description="Patient status now (STATUS).")
    tier: int | None = strawberry.field(description="Patient tier now (TIER).")
    metric: StatisticsMetric = strawberry.field(description="What is counted.")
    value: int | None = strawberry.field(description="The count." + SUPPRESSED)

    @classmethod
    def from_row(cls, row: TableRow) -> StatisticsRow:
        """The GraphQL view of a table row."""
        return cls(
            date=row.date,
            area_code=None if row.area is None else strawberry.ID(row.area.code),
            area_name=None if row.area is None else row.area.name,
            status=row.status,
            tier=row.tier,
            metric=StatisticsMetric(row.metric),
            value=row.value,
        )
