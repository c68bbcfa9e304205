"""The rehoming queue after a move to a new map."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated

import strawberry

from resolvers import rows
from resolvers.context import Context
from schema.types.area import Area, area_in
from schema.types.enums import AreaEdition, RehomingKind, RehomingReason

if TYPE_CHECKING:
    from schema.types.patient import Patient


@strawberry.type(
    description="A record a move to the new map could not place for certain: it waits in "
    "`placedIn` until staff of its new province choose its commune (reassignHomeCommune)."
)
class RehomingItem:
    id: strawberry.ID = strawberry.field(description="Item id.")
    kind: RehomingKind = strawberry.field(description="What kind of record it is.")
    entity_id: strawberry.ID = strawberry.field(description="The record's id.")
    reason: RehomingReason = strawberry.field(description="Why it could not be placed.")
    created_at: datetime = strawberry.field(description="When the move queued it.")
    old_edition: strawberry.Private[AreaEdition]
    old_code: strawberry.Private[str]
    placed_code: strawberry.Private[str]
    candidate_codes: strawberry.Private[list[str]]

    @classmethod
    def from_model(cls, row: rows.RehomingItem) -> RehomingItem:
        """The GraphQL view of a queue row."""
        return cls(
            id=strawberry.ID(str(row.id)), kind=row.kind,
            entity_id=strawberry.ID(str(row.entity_id)), reason=row.reason,
            created_at=row.created_at, old_edition=row.old_edition, old_code=row.old_code,
            placed_code=row.placed_code, candidate_codes=list(row.candidates),
        )  # fmt: skip

    @strawberry.field(description="Its commune on the old map.")
    async def old_area(self, info: strawberry.Info[Context]) -> Area | None:
        return await area_in(info, self.old_code, self.old_edition)

    @strawberry.field(description="Where it is meanwhile: its first candidate, or its province.")
    async def placed_in(self, info: strawberry.Info[Context]) -> Area | None:
        return await area_in(info, self.placed_code, None)

    @strawberry.field(description="The communes its old one was split between (empty: unlisted).")
    async def candidates(self, info: strawberry.Info[Context]) -> list[Area]:
        found = [await area_in(info, code, None) for code in self.candidate_codes]
        return [area for area in found if area is not None]

    @strawberry.field(description="The patient, for a PATIENT item (null when not in your scope).")
    async def patient(
        self, info: strawberry.Info[Context]
    ) -> Annotated[Patient, strawberry.lazy("schema.types.patient")] | None:
        from schema.types.patient import Patient

        if self.kind is not RehomingKind.PATIENT:
            return None
        row = await info.context.loaders.patient_by_id.load(int(self.entity_id))
        return None if row is None else Patient.from_model(row)
