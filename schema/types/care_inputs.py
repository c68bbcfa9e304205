"""Inputs of home-treatment mutations."""

from __future__ import annotations

from datetime import date

import strawberry

from domain.clinical import Vitals
from resolvers.care import Discharge, Identity, PatientChanges, ReportInput
from schema.types.enums import DischargeOutcome, Sex


@strawberry.input(description="A daily health report. Values outside plausible ranges are refused.")
class HealthReportInput:
    idempotency_key: str = strawberry.field(
        description="Client-generated key: a retry with the same key returns the first report."
    )
    patient_id: strawberry.ID | None = strawberry.field(
        default=None, description="The patient (staff only; a citizen reports for themselves)."
    )
    spo2: int | None = strawberry.field(default=None, description="SpO2 in %, 50–100.")
    temperature: float | None = strawberry.field(default=None, description="°C, 34.0–43.0.")
    pulse: int | None = strawberry.field(default=None, description="Beats per minute, 30–220.")
    respiratory_rate: int | None = strawberry.field(
        default=None, description="Breaths per minute counted at rest, 5–80."
    )
    systolic: int | None = strawberry.field(default=None, description="mmHg, 50–260.")
    diastolic: int | None = strawberry.field(default=None, description="mmHg, 30–160.")
    symptoms: list[str] | None = strawberry.field(
        default=None, description="Symptoms from the checklist (e.g. COUGH, SHORTNESS_OF_BREATH)."
    )
    note: str | None = strawberry.field(default=None, description="Free-text note.")

    def to_report(self) -> ReportInput:
        """The resolver's view of this input."""
        vitals = Vitals(
            spo2=self.spo2,
            temperature=self.temperature,
            pulse=self.pulse,
            respiratory_rate=self.respiratory_rate,
            systolic=self.systolic,
            diastolic=self.diastolic,
            symptoms=tuple(self.symptoms or ()),
        )
        patient = None if self.patient_id is None else str(self.patient_id)
        return ReportInput(self.idempotency_key, patient, vitals, self.note)


@strawberry.input(
    description=(
        "Contact, assignment and identity corrections; omitted fields stay as they are. "
        "Correcting the identity (full name, date of birth, sex, national ID) needs a reason; "
        "the previous values stay in the audit log."
    )
)
class PatientUpdateInput:
    phone: str | None = strawberry.field(default=None, description="New mobile number.")
    address: str | None = strawberry.field(default=None, description="New home address.")
    assigned_staff_id: strawberry.ID | None = strawberry.field(
        default=None,
        description="Staff member (of an area containing the patient) to follow the case.",
    )
    full_name: str | None = strawberry.field(default=None, description="Corrected full name.")
    date_of_birth: date | None = strawberry.field(
        default=None, description="Corrected date of birth."
    )
    sex: Sex | None = strawberry.field(default=None, description="Corrected sex.")
    national_id: str | None = strawberry.field(
        default=None, description="Corrected citizen ID (12 digits) or old ID (9)."
    )
    reason: str | None = strawberry.field(
        default=None, description="Why the identity is corrected (required for those fields)."
    )

    def to_changes(self) -> PatientChanges:
        """The resolver's view of this input."""
        staff = None if self.assigned_staff_id is None else str(self.assigned_staff_id)
        identity = Identity(self.full_name, self.date_of_birth, self.sex, self.national_id)
        return PatientChanges(self.phone, self.address, staff, identity, self.reason)


@strawberry.input(description="A health worker's reason to discharge before release is due.")
class DischargeOverrideInput:
    reason: str = strawberry.field(description="Why, 1-2000 characters (kept on the record).")


@strawberry.input(description="How treatment ended.")
class DischargeInput:
    outcome: DischargeOutcome = strawberry.field(description="RECOVERED, DECEASED or MOVED_AWAY.")
    note: str | None = strawberry.field(default=None, description="A note on the discharge.")
    override: DischargeOverrideInput | None = strawberry.field(
        default=None,
        description=(
            "RECOVERED although the release rule does not hold yet (health staff only; audited "
            "and shown on the record as `dischargeOverrideReason`)."
        ),
    )

    def to_discharge(self) -> Discharge:
        """The resolver's view of this input."""
        reason = None if self.override is None else self.override.reason
        return Discharge(self.outcome, self.note, reason)
