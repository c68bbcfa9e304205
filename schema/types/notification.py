"""Events for people: what happened to a citizen's own case, in their language."""

from __future__ import annotations

from datetime import datetime

import strawberry

from domain.text import Texts
from resolvers import rows
from resolvers.context import Context
from schema.types.enums import PersonEventKind


@strawberry.type(description="Something that happened to your case, told to you.")
class PersonEvent:
    id: strawberry.ID = strawberry.field(description="Event id (increasing: resume after it).")
    kind: PersonEventKind = strawberry.field(description="What happened.")
    case_code: str | None = strawberry.field(description="Your case code, when there is one.")
    created_at: datetime = strawberry.field(description="When.")
    message_texts: strawberry.Private[Texts]

    @classmethod
    def from_model(cls, row: rows.PersonEvent) -> PersonEvent:
        """The GraphQL view of an event row."""
        return cls(**rows.values_of("PersonEvent", row))

    @strawberry.field(
        description=(
            "What to tell you, in the request's language (Accept-Language; Vietnamese by default)."
        )
    )
    def message(self, info: strawberry.Info[Context]) -> str:
        return self.message_texts.in_language(info.context.language)


@strawberry.type(description="A province channel subscribed to the events for people.")
class Webhook:
    id: strawberry.ID = strawberry.field(description="Webhook id.")
    url: str = strawberry.field(description="Where events are POSTed.")
    events: list[PersonEventKind] = strawberry.field(description="The kinds sent.")
    description: str | None = strawberry.field(description="What it is for.")
    active: bool = strawberry.field(description="false: switched off (nothing is sent).")
    created_at: datetime = strawberry.field(description="When it was registered.")

    @classmethod
    def from_model(cls, row: rows.Webhook) -> Webhook:
        return cls(
            id=strawberry.ID(str(row.id)), url=row.url,
            events=[PersonEventKind(e) for e in row.events], description=row.description,
            active=row.active, created_at=row.created_at,
        )  # fmt: skip


@strawberry.type(description="A webhook and its signing secret: shown once, never again.")
class WebhookSecret:
    webhook: Webhook = strawberry.field(description="The webhook.")
    secret: str = strawberry.field(
        description="whsec_…: verify each delivery with it (Standard Webhooks)."
    )


@strawberry.type(description="One event sent (or being sent) to a webhook.")
class WebhookDelivery:
    id: strawberry.ID = strawberry.field(description="Delivery id.")
    event_id: strawberry.ID = strawberry.field(
        description="The event (its webhook-id is evt_<id>)."
    )
    status: str = strawberry.field(description="PENDING, DELIVERED or FAILED (gave up).")
    attempts: int = strawberry.field(description="Attempts so far.")
    next_attempt_at: datetime = strawberry.field(description="When it is tried next (PENDING).")
    last_attempt_at: datetime | None = strawberry.field(description="The latest attempt.")
    last_status_code: int | None = strawberry.field(description="Its HTTP status, if any.")
    last_error: str | None = strawberry.field(description="What went wrong, if it did.")
    delivered_at: datetime | None = strawberry.field(description="When it was accepted.")

    @classmethod
    def from_model(cls, row: rows.WebhookDelivery) -> WebhookDelivery:
        return cls(
            id=strawberry.ID(str(row.id)), event_id=strawberry.ID(str(row.event_id)),
            status=row.status, attempts=row.attempts, next_attempt_at=row.next_attempt_at,
            last_attempt_at=row.last_attempt_at, last_status_code=row.last_status_code,
            last_error=row.last_error, delivered_at=row.delivered_at,
        )  # fmt: skip


@strawberry.input(description="A webhook to register.")
class WebhookInput:
    url: str = strawberry.field(description="http(s) address, no credentials in it.")
    events: list[PersonEventKind] = strawberry.field(description="The kinds to send.")
    description: str | None = strawberry.field(default=None, description="What it is for.")


@strawberry.input(description="Changes to a webhook; omitted fields stay as they are.")
class WebhookUpdateInput:
    url: str | None = strawberry.field(default=None, description="A new address.")
    events: list[PersonEventKind] | None = strawberry.field(default=None, description="Kinds.")
    description: str | None = strawberry.field(default=None, description="What it is for.")
    active: bool | None = strawberry.field(default=None, description="Switch on or off.")


@strawberry.input(description="Filters of a webhook's deliveries.")
class WebhookDeliveryFilter:
    status: list[str] | None = strawberry.field(
        default=None, description="PENDING, DELIVERED and/or FAILED."
    )
