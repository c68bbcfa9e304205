"""Medication at home: the catalogue's drugs, orders and adverse events."""

from __future__ import annotations

from datetime import date, datetime

import strawberry

from resolvers import rows
from resolvers.context import Context
from resolvers.loaders import now_or_later
from schema.types.area import Facility, facility_of
from schema.types.enums import MedicationPackage, MedicationStatus


@strawberry.type(description="A drug of the home-treatment catalogue (vn-moh-4109-2021).")
class Drug:
    code: str = strawberry.field(description="Catalogue code, e.g. MOLNUPIRAVIR-400.")
    name: str = strawberry.field(description="Name.")
    strength: str = strawberry.field(description="Strength, e.g. 400 mg (empty when mixed).")
    form: str = strawberry.field(description="Form, e.g. viên (tablet), gói (sachet).")

    @classmethod
    def from_model(cls, row: rows.Drug) -> Drug:
        return cls(**rows.values_of("Drug", row))


@strawberry.type(description="An adverse effect reported for a medication order.")
class AdverseEvent:
    id: strawberry.ID = strawberry.field(description="Adverse event id.")
    description: str = strawberry.field(description="What happened.")
    occurred_on: date = strawberry.field(description="When it happened.")
    reported_by: str = strawberry.field(description="Who reported it.")
    reported_at: datetime = strawberry.field(description="When it was reported.")

    @classmethod
    def from_model(cls, row: rows.AdverseEvent) -> AdverseEvent:
        return cls(**rows.values_of("AdverseEvent", row))


@strawberry.type(
    description="A medication order, or a patient's own use of package B (selfStarted)."
)
class MedicationOrder:
    id: strawberry.ID = strawberry.field(description="Order id.")
    package: MedicationPackage | None = strawberry.field(description="Package A, B or C.")
    dose: str = strawberry.field(description="Dose, as written (e.g. 800 mg).")
    frequency: str = strawberry.field(description="How often (e.g. 2 lần/ngày).")
    days: int = strawberry.field(description="Length of the course in days.")
    start_on: date = strawberry.field(description="First day.")
    end_on: date = strawberry.field(description="Last day of the course.")
    prescribed_by: str | None = strawberry.field(
        description="Who ordered it; null when the patient started it themselves."
    )
    self_started: bool = strawberry.field(
        description="The patient started it (package B, no doctor reachable)."
    )
    consent_recorded_at: datetime | None = strawberry.field(
        description="When the patient's signed consent was recorded (molnupiravir)."
    )
    status: MedicationStatus = strawberry.field(description="ACTIVE or STOPPED.")
    stop_reason: str | None = strawberry.field(description="Why it was stopped.")
    drug_code: strawberry.Private[str]
    facility_id: strawberry.Private[int | None]

    @classmethod
    def from_model(cls, row: rows.MedicationOrder) -> MedicationOrder:
        return cls(**rows.values_of("MedicationOrder", row))

    @strawberry.field(description="The drug.")
    def drug(self, info: strawberry.Info[Context]) -> Drug:
        def view(row: rows.Drug | None) -> Drug:
            if row is None:  # a foreign key guarantees it
                raise LookupError(f"no drug {self.drug_code}")
            return Drug.from_model(row)

        return now_or_later(info.context.loaders.drug_by_code.load(self.drug_code), view)

    @strawberry.field(description="The facility that ordered it, if any.")
    def facility(self, info: strawberry.Info[Context]) -> Facility | None:
        return facility_of(info, self.facility_id)

    @strawberry.field(description="Adverse effects reported, oldest first.")
    def adverse_events(self, info: strawberry.Info[Context]) -> list[AdverseEvent]:
        return now_or_later(
            info.context.loaders.adverse_events.load(int(self.id)),
            lambda found: [AdverseEvent.from_model(r) for r in found],
        )


@strawberry.input(description="A medication order (staff), or a patient's own use of package B.")
class MedicationInput:
    idempotency_key: str = strawberry.field(
        description="Client-generated key: a retry returns the same order."
    )
    drug_code: str = strawberry.field(description="A catalogue code (Drug.code).")
    dose: str = strawberry.field(description="Dose, 1-100 characters.")
    frequency: str = strawberry.field(description="How often, 1-100 characters.")
    days: int = strawberry.field(description="Length of the course, 1-30 days.")
    start_on: date = strawberry.field(description="First day (14 days back to 7 ahead).")
    package: MedicationPackage | None = strawberry.field(default=None, description="A, B or C.")
    patient_id: strawberry.ID | None = strawberry.field(
        default=None, description="The patient (staff); a citizen records for themselves."
    )
    consent_recorded: bool = strawberry.field(
        default=False, description="The patient's signed consent is on file (molnupiravir)."
    )


@strawberry.input(description="An adverse effect.")
class AdverseEventInput:
    description: str = strawberry.field(description="What happened, 1-2000 characters.")
    occurred_on: date = strawberry.field(description="When it happened.")
