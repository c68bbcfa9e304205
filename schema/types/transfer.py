"""Tier transfers (chuyển tầng)."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated

import strawberry

from domain.enums import CLINICAL_STAFF
from resolvers import rows
from resolvers.context import Context
from schema.permissions import clinical
from schema.types.area import Facility, facility_of
from schema.types.enums import TransferStatus

if TYPE_CHECKING:
    from schema.types.patient import Patient


@strawberry.type(description="A move of a patient between treatment tiers.")
class Transfer:
    id: strawberry.ID = strawberry.field(description="Transfer id.")
    status: TransferStatus = strawberry.field(
        description="REQUESTED → ACCEPTED → COMPLETED, or REJECTED / CANCELLED."
    )
    from_tier: int = strawberry.field(description="Tier before the move.")
    to_tier: int = strawberry.field(description="Tier after the move.")
    reason: str | None = strawberry.field(
        description="Why the move was requested (clinical detail).",
        extensions=clinical(*CLINICAL_STAFF),
    )
    rejection_reason: str | None = strawberry.field(description="Why the receiving side refused.")
    requested_at: datetime = strawberry.field(description="When it was requested.")
    accepted_at: datetime | None = strawberry.field(description="When the receiving side accepted.")
    completed_at: datetime | None = strawberry.field(description="When the patient arrived.")
    patient_id: strawberry.Private[int]
    from_facility_id: strawberry.Private[int | None]
    to_facility_id: strawberry.Private[int | None]

    @classmethod
    def from_model(cls, row: rows.Transfer) -> Transfer:
        """The GraphQL view of a transfer row."""
        return cls(**rows.values_of("Transfer", row))

    @strawberry.field(description="Where the patient was treated; null at home.")
    def from_facility(self, info: strawberry.Info[Context]) -> Facility | None:
        return facility_of(info, self.from_facility_id)

    @strawberry.field(description="Where the patient goes; null for home care.")
    def to_facility(self, info: strawberry.Info[Context]) -> Facility | None:
        return facility_of(info, self.to_facility_id)

    @strawberry.field(description="The patient being moved.")
    async def patient(
        self, info: strawberry.Info[Context]
    ) -> Annotated[Patient, strawberry.lazy("schema.types.patient")]:
        from schema.types.patient import Patient

        row = await info.context.loaders.patient_by_id.load(self.patient_id)
        if row is None:  # transfers are only listed for visible patients
            raise LookupError(f"transfer {self.id}: patient not visible")
        return Patient.from_model(row)


@strawberry.input(description="Filters of the transfer list; all given filters must hold.")
class TransferFilter:
    area_code: strawberry.ID | None = strawberry.field(
        default=None, description="Only transfers of patients living in this area."
    )
    status: list[TransferStatus] | None = strawberry.field(
        default=None, description="Only transfers in one of these states."
    )
    facility_id: strawberry.ID | None = strawberry.field(
        default=None, description="Only transfers to or from this facility."
    )


@strawberry.input(description="A request to move a patient to another tier.")
class TransferRequestInput:
    patient_id: strawberry.ID = strawberry.field(description="The patient.")
    to_tier: int = strawberry.field(description="Target tier: 1 (home/commune), 2 or 3.")
    to_facility_id: strawberry.ID | None = strawberry.field(
        default=None, description="Facility of the target tier; required for tiers 2 and 3."
    )
    reason: str = strawberry.field(description="Why (clinical detail), 1–1000 characters.")
