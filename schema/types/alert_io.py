"""Alert lists, inputs and the live event type."""

from __future__ import annotations

import strawberry

from db import models
from db.queries.alerts import EventRow
from db.queries.pagination import Page
from resolvers.pagination import encode_cursor
from schema.types.care import Alert
from schema.types.enums import AlertEventType, AlertKind, AlertStatus
from schema.types.pagination import PageInfo


@strawberry.type(description="An alert in a list, with its cursor.")
class AlertEdge:
    node: Alert = strawberry.field(description="The alert.")
    cursor: str = strawberry.field(description="Cursor of this row, for `after`.")


@strawberry.type(description="A page of alerts, newest first.")
class AlertConnection:
    edges: list[AlertEdge] = strawberry.field(description="The alerts of this page.")
    page_info: PageInfo = strawberry.field(description="Where this page stands.")
    total_count: int = strawberry.field(description="How many alerts match in the caller's scope.")

    @classmethod
    def from_page(cls, page: Page[models.Alert]) -> AlertConnection:
        """The GraphQL view of a page of alert rows."""
        edges = [
            AlertEdge(node=Alert.from_model(r), cursor=encode_cursor("alert", r.id))
            for r in page.items
        ]
        end = edges[-1].cursor if edges else None
        return cls(
            edges=edges,
            page_info=PageInfo(has_next_page=page.has_next, end_cursor=end),
            total_count=page.total,
        )


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
    alert: Alert = strawberry.field(description="The alert as it is after the event.")

    @classmethod
    def from_row(cls, row: EventRow) -> AlertEvent:
        """The GraphQL view of a delivered event."""
        return cls(id=strawberry.ID(str(row.id)), type=row.type, alert=Alert.from_model(row.alert))
