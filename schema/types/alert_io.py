"""Alert lists, inputs and the live event type."""

from __future__ import annotations

from collections.abc import Hashable
from typing import Any

import strawberry

from resolvers.rows import EventRow
from schema.types.care import Alert
from schema.types.enums import AlertEventType, AlertKind, AlertStatus


@strawberry.input(description="Filters of the alert list; all given filters must hold.")
class AlertFilter:
    area_code: strawberry.ID | None = strawberry.field(
        default=None, description="Only alerts of patients living in this area."
    )
    status: list[AlertStatus] | None = strawberry.field(
        default=None, description="Only alerts in one of these states."
    )
    kind: list[AlertKind] | None = strawberry.field(
        default=None, description="Only alerts of these kinds."
    )


@strawberry.input(description="An SOS press.")
class SosInput:
    idempotency_key: str = strawberry.field(
        description="Client-generated key per press: a retry returns the same alert."
    )
    patient_id: strawberry.ID | None = strawberry.field(
        default=None, description="The patient (staff pressing on a citizen's behalf)."
    )
    message: str | None = strawberry.field(default=None, description="What is wrong, if said.")


@strawberry.type(description="Something that happened to an alert, pushed live.")
class AlertEvent:
    id: strawberry.ID = strawberry.field(
        description="Event id, increasing: pass the last one seen as `afterId` to resume."
    )
    type: AlertEventType = strawberry.field(description="What happened.")
    alert: Alert = strawberry.field(
        description="The alert as it was when this event happened (a replay shows the same)."
    )
    # results of executing this event, shared by subscribers with the same audience
    shared_results: strawberry.Private[dict[Hashable, Any]]
    # the event delivered (compiled reads answer from it: schema/sharing.py)
    row: strawberry.Private[EventRow]

    @classmethod
    def from_row(cls, row: EventRow) -> AlertEvent:
        """The GraphQL view of a delivered event, one per event per process."""
        view = row.shared.get("view")
        if not isinstance(view, AlertEvent):
            view = cls(
                id=strawberry.ID(str(row.id)),
                type=row.type,
                alert=Alert.from_model(row.alert),
                shared_results={},
                row=row,
            )
            row.shared["view"] = view
        return view
