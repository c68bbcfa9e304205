"""Health reports, clinical notes and alerts of a patient."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated

import strawberry

from domain.text import Texts
from resolvers import rows
from resolvers.context import Context
from schema.types.enums import AlertKind, AlertStatus, AreaLevel, Severity

if TYPE_CHECKING:
    from schema.types.patient import Patient


@strawberry.type(description="A daily health report, judged by a clinical rule set.")
class HealthReport:
    id: strawberry.ID = strawberry.field(description="Report id.")
    reported_at: datetime = strawberry.field(description="When it arrived.")
    spo2: int | None = strawberry.field(description="SpO2, % (50–100).")
    temperature: float | None = strawberry.field(description="Body temperature, °C.")
    pulse: int | None = strawberry.field(description="Pulse, beats per minute.")
    respiratory_rate: int | None = strawberry.field(description="Breaths per minute at rest.")
    systolic: int | None = strawberry.field(description="Systolic blood pressure, mmHg.")
    diastolic: int | None = strawberry.field(description="Diastolic blood pressure, mmHg.")
    symptoms: list[str] = strawberry.field(description="Symptoms from the checklist.")
    note: str | None = strawberry.field(description="Free-text note.")
    severity: Severity = strawberry.field(description="Severity the rule set found.")
    warning_signs: list[str] = strawberry.field(
        description="Warning signs found, as codes (e.g. SPO2_LOW, RESPIRATORY_RATE_HIGH)."
    )
    recommended_tier: int = strawberry.field(description="The tier the severity points to.")
    rule_set: str = strawberry.field(description="Version of the rule set that judged it.")

    @classmethod
    def from_model(cls, row: rows.HealthReport) -> HealthReport:
        """The GraphQL view of a report row."""
        return cls(**rows.values_of("HealthReport", row))


@strawberry.type(description="A treatment or care note written by staff.")
class ClinicalNote:
    id: strawberry.ID = strawberry.field(description="Note id.")
    text: str = strawberry.field(description="The note.")
    created_at: datetime = strawberry.field(description="When it was written.")
    author: str = strawberry.field(description="Who wrote it (username).")

    @classmethod
    def from_model(cls, row: rows.ClinicalNote) -> ClinicalNote:
        """The GraphQL view of a note row."""
        return cls(**rows.values_of("ClinicalNote", row))


@strawberry.type(description="An SOS, vital-sign or missed-report alert about a patient.")
class Alert:
    id: strawberry.ID = strawberry.field(description="Alert id; ids grow monotonically.")
    kind: AlertKind = strawberry.field(description="Why it was raised.")
    status: AlertStatus = strawberry.field(description="Handling state.")
    severity: Severity = strawberry.field(description="How urgent.")
    message_texts: strawberry.Private[Texts]
    raised_at: datetime = strawberry.field(description="When it was raised.")
    acknowledged_at: datetime | None = strawberry.field(description="When staff acknowledged it.")
    resolved_at: datetime | None = strawberry.field(description="When it was resolved.")
    escalation_level: AreaLevel = strawberry.field(
        description="The level it has reached: COMMUNE, then DISTRICT and PROVINCE if unanswered."
    )
    press_count: int = strawberry.field(
        description="How many times SOS was pressed for this alert (1 for other kinds)."
    )
    last_pressed_at: datetime = strawberry.field(description="When SOS was last pressed.")
    patient_id: strawberry.Private[int]

    @classmethod
    def from_model(cls, row: rows.Alert) -> Alert:
        """The GraphQL view of an alert row."""
        return cls(**rows.values_of("Alert", row))

    @strawberry.field(
        description="What happened, e.g. the warning signs found, in the reader's language "
        "(Accept-Language; Vietnamese by default)."
    )
    def message(self, info: strawberry.Info[Context]) -> str:
        return self.message_texts.in_language(info.context.language)

    @strawberry.field(description="The patient the alert is about.")
    async def patient(
        self, info: strawberry.Info[Context]
    ) -> Annotated[Patient, strawberry.lazy("schema.types.patient")]:
        from schema.types.patient import Patient

        row = await info.context.loaders.patient_by_id.load(self.patient_id)
        if row is None:  # alerts are only reached through visible patients
            raise LookupError(f"alert {self.id}: patient not visible")
        return Patient.from_model(row)
