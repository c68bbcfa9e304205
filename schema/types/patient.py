"""F0 patients."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Annotated

import strawberry

from domain.enums import CLINICAL_DATA_ROLES, CLINICAL_STAFF, Role
from resolvers import epidemiology as resolve_epidemiology
from resolvers import patients as resolve_patients
from resolvers import rows
from resolvers.context import Context
from resolvers.loaders import now_or_later
from schema.permissions import clinical, personal
from schema.types.area import Area, Facility, area_of, facility_of
from schema.types.care import Alert, ClinicalNote, HealthReport
from schema.types.enums import PatientStatus, Severity, Sex
from schema.types.epidemiology import Exposure, TransmissionChain
from schema.types.medication import MedicationOrder
from schema.types.pagination import Connection, connection
from schema.types.treatment import (
    Comorbidity,
    Isolation,
    RecoveryCertificate,
    TestResult,
    Vaccination,
)

if TYPE_CHECKING:
    from schema.types.transfer import Transfer


@strawberry.type(description="An F0 case: a COVID-19 positive person under management.")
class Patient:
    id: strawberry.ID = strawberry.field(description="Patient id.")
    case_code: str = strawberry.field(
        description="Case code: province code, year and a per-province number (72-2021-000123)."
    )
    status: PatientStatus = strawberry.field(description="Where the case stands.")
    tier: int = strawberry.field(description="Current treatment tier (1 home/commune, 2, 3).")
    severity: Severity | None = strawberry.field(
        description="Severity judged from the latest health report; null before any report."
    )
    full_name: str | None = strawberry.field(
        description="Full name (personal data).", extensions=personal("patient")
    )
    date_of_birth: date | None = strawberry.field(
        description="Date of birth (personal data).", extensions=personal("patient")
    )
    sex: Sex | None = strawberry.field(description="Sex.")
    national_id: str | None = strawberry.field(
        description="Citizen ID, 12 digits, or old ID, 9 digits (personal data).",
        extensions=personal("patient"),
    )
    phone: str | None = strawberry.field(
        description="Mobile phone number (personal data).", extensions=personal("patient")
    )
    address: str | None = strawberry.field(
        description="Home address (personal data).", extensions=personal("patient")
    )
    confirmed_at: datetime = strawberry.field(description="When the case was confirmed.")
    last_report_at: datetime | None = strawberry.field(
        description="When the latest health report arrived; null before any."
    )
    needs_facility_assessment: bool = strawberry.field(
        description=(
            "Set at verification when home care does not suit the case (CLINICAL.md): "
            "a flag for the official, not a refusal."
        )
    )
    assessment_reason: str | None = strawberry.field(
        description="Why the case needs a facility assessment; null when it does not."
    )
    pregnant: bool | None = strawberry.field(
        description="Pregnant now (clinical detail).", extensions=clinical(*CLINICAL_DATA_ROLES)
    )
    breastfeeding: bool | None = strawberry.field(
        description="Breastfeeding now (clinical detail).",
        extensions=clinical(*CLINICAL_DATA_ROLES),
    )
    discharge_override_reason: str | None = strawberry.field(
        description=(
            "Why a RECOVERED discharge went ahead although release was not due (health staff "
            "override); null otherwise."
        ),
        extensions=clinical(*CLINICAL_STAFF),
    )
    home_commune_code: strawberry.Private[str]
    facility_id: strawberry.Private[int | None]
    row: strawberry.Private[rows.Patient]

    @classmethod
    def from_model(cls, row: rows.Patient) -> Patient:
        """The GraphQL view of a patient row (kept: views of the same row read it)."""
        return cls(**rows.values_of("Patient", row), row=row)

    @strawberry.field(
        description=(
            "Adverse effects of a molnupiravir course are to be asked about today (for 14 "
            "days after its start): a reminder for the health worker (clinical detail)."
        ),
        extensions=clinical(*CLINICAL_DATA_ROLES),
    )
    def adverse_event_follow_up(self, info: strawberry.Info[Context]) -> bool | None:
        until = self.row.adverse_follow_up_until
        return until is not None and info.context.services.today() <= until

    @strawberry.field(
        description=(
            "Exposure places (mốc dịch tễ), oldest first: epidemiological detail, for the "
            "roles that may read personal data."
        ),
        extensions=clinical(Role.CITIZEN, Role.LOCAL_OFFICIAL, *CLINICAL_STAFF),
    )
    def exposures(self, info: strawberry.Info[Context]) -> list[Exposure] | None:
        return now_or_later(
            info.context.loaders.exposures.load(int(self.id)),
            lambda found: [Exposure.from_model(r) for r in found],
        )

    @strawberry.field(
        description=(
            "The transmission chain around this case: the contacts it listed, the cases they "
            "became, and where it came from, `depth` cases each way (1-5); nodes out of the "
            "reader's scope are counted, not shown. Epidemiological detail."
        ),
        extensions=clinical(Role.LOCAL_OFFICIAL, Role.HEALTH_STAFF),
    )
    async def transmission_chain(
        self, info: strawberry.Info[Context], depth: int = 3
    ) -> TransmissionChain | None:
        chain = await resolve_epidemiology.transmission_chain(info.context, int(self.id), depth)
        return TransmissionChain.from_chain(chain)

    @strawberry.field(
        description="Medication orders, newest first (clinical detail).",
        extensions=clinical(*CLINICAL_DATA_ROLES),
    )
    def medications(self, info: strawberry.Info[Context]) -> list[MedicationOrder] | None:
        return now_or_later(
            info.context.loaders.medications.load(int(self.id)),
            lambda found: [MedicationOrder.from_model(r) for r in found],
        )

    @strawberry.field(description="The commune the patient lives in: the responsible jurisdiction.")
    def home_commune(self, info: strawberry.Info[Context]) -> Area:
        return area_of(info, self.home_commune_code, required=True)

    @strawberry.field(description="The facility treating the patient; null at home.")
    def facility(self, info: strawberry.Info[Context]) -> Facility | None:
        return facility_of(info, self.facility_id)

    @strawberry.field(
        description="The newest health report (clinical detail).",
        extensions=clinical(*CLINICAL_DATA_ROLES),
    )
    def latest_report(self, info: strawberry.Info[Context]) -> HealthReport | None:
        return now_or_later(
            info.context.loaders.latest_report.load(int(self.id)),
            lambda row: None if row is None else HealthReport.from_model(row),
        )

    @strawberry.field(
        description="Health reports, newest first (clinical detail); `first` 1-100.",
        extensions=clinical(*CLINICAL_DATA_ROLES),
    )
    async def health_reports(
        self, info: strawberry.Info[Context], first: int | None = None, after: str | None = None
    ) -> Connection[HealthReport] | None:
        page = await resolve_patients.reports(info.context, int(self.id), first=first, after=after)
        return connection(page, "report", HealthReport.from_model)

    @strawberry.field(
        description="Treatment and care notes, oldest first (clinical detail).",
        extensions=clinical(*CLINICAL_STAFF),
    )
    def clinical_notes(self, info: strawberry.Info[Context]) -> list[ClinicalNote] | None:
        return now_or_later(
            info.context.loaders.notes.load(int(self.id)),
            lambda found: [ClinicalNote.from_model(r) for r in found],
        )

    @strawberry.field(
        description="Comorbidities as recorded (clinical detail).",
        extensions=clinical(*CLINICAL_DATA_ROLES),
    )
    def comorbidities(self, info: strawberry.Info[Context]) -> list[Comorbidity] | None:
        return now_or_later(
            info.context.loaders.comorbidities.load(int(self.id)),
            lambda found: [Comorbidity.from_model(r) for r in found],
        )

    @strawberry.field(
        description="COVID-19 vaccine doses, by dose number (clinical detail).",
        extensions=clinical(*CLINICAL_DATA_ROLES),
    )
    def vaccinations(self, info: strawberry.Info[Context]) -> list[Vaccination] | None:
        return now_or_later(
            info.context.loaders.vaccinations.load(int(self.id)),
            lambda found: [Vaccination.from_model(r) for r in found],
        )

    @strawberry.field(
        description=(
            "Test results, newest first; the positive test that opened the case is the oldest "
            "(clinical detail)."
        ),
        extensions=clinical(*CLINICAL_DATA_ROLES),
    )
    def test_results(self, info: strawberry.Info[Context]) -> list[TestResult] | None:
        return now_or_later(
            info.context.loaders.test_results.load(int(self.id)),
            lambda found: [TestResult.from_model(r) for r in found],
        )

    @strawberry.field(
        description="Home isolation and release against the release rule (clinical detail).",
        extensions=clinical(*CLINICAL_DATA_ROLES),
    )
    def isolation(self) -> Isolation | None:
        return Isolation.from_model(self.row)

    @strawberry.field(
        description=(
            "The recovery certificate, once issued at a RECOVERED discharge from home "
            "treatment (the patient, officials and staff in scope)."
        ),
        extensions=clinical(Role.CITIZEN, Role.LOCAL_OFFICIAL, *CLINICAL_STAFF),
    )
    def certificate(self, info: strawberry.Info[Context]) -> RecoveryCertificate | None:
        return now_or_later(
            info.context.loaders.certificate.load(int(self.id)),
            lambda row: None if row is None else RecoveryCertificate.from_model(row),
        )

    @strawberry.field(description="Every tier transfer of the patient, oldest first.")
    def transfers(
        self, info: strawberry.Info[Context]
    ) -> list[Annotated[Transfer, strawberry.lazy("schema.types.transfer")]]:
        from schema.types.transfer import Transfer

        return now_or_later(
            info.context.loaders.transfers.load(int(self.id)),
            lambda found: [Transfer.from_model(r) for r in found],
        )

    @strawberry.field(description="Alerts not yet resolved, oldest first.")
    def open_alerts(self, info: strawberry.Info[Context]) -> list[Alert]:
        return now_or_later(
            info.context.loaders.open_alerts.load(int(self.id)),
            lambda found: [Alert.from_model(r) for r in found],
        )


@strawberry.input(description="Filters of the patient list; all given filters must hold.")
class PatientFilter:
    area_code: strawberry.ID | None = strawberry.field(
        default=None, description="Only patients whose home commune lies in this area."
    )
    status: list[PatientStatus] | None = strawberry.field(
        default=None, description="Only patients in one of these states."
    )
    severity: list[Severity] | None = strawberry.field(
        default=None, description="Only patients whose current severity is one of these."
    )
    tier: int | None = strawberry.field(default=None, description="Only patients at this tier.")
    facility_id: strawberry.ID | None = strawberry.field(
        default=None, description="Only patients at this facility."
    )
    report_overdue: bool | None = strawberry.field(
        default=None,
        description=(
            "true: only patients at home without a report for longer than the configured "
            "interval (default 24 h); false: only the others."
        ),
    )
    search: str | None = strawberry.field(
        default=None,
        description="Part of the full name or phone (only for roles that may read personal data).",
    )
    release_due: bool | None = strawberry.field(
        default=None,
        description=(
            "true: only patients at home whose release from isolation is due today (the "
            "commune's work list; `Patient.isolation`); false: only the others."
        ),
    )

    def wanted(self) -> resolve_patients.PatientListFilter:
        """The filter as the resolvers take it."""
        return resolve_patients.PatientListFilter(
            area_code=None if self.area_code is None else str(self.area_code),
            statuses=tuple(self.status or ()),
            severities=tuple(self.severity or ()),
            tier=self.tier,
            facility_id=None if self.facility_id is None else str(self.facility_id),
            report_overdue=self.report_overdue,
            search=self.search,
            release_due=self.release_due,
        )
