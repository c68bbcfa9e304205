"""Webhooks and their deliveries: queued from the events outbox, picked when due (the
earliest undelivered event of each citizen first), and the result of every attempt."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, literal, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import PersonEvent, Webhook, WebhookDelivery
from db.queries.pagination import keyset_page
from domain.paging import Page

PENDING, DELIVERED, FAILED = "PENDING", "DELIVERED", "FAILED"


async def add_webhook(session: AsyncSession, **values: Any) -> Webhook:
    webhook = Webhook(**values)
    session.add(webhook)
    await session.flush()
    return webhook


async def newest_event(session: AsyncSession) -> int:
    return int(await session.scalar(select(func.coalesce(func.max(PersonEvent.id), 0))) or 0)


async def webhook_of(
    session: AsyncSession, *, webhook_id: int, province_code: str, for_update: bool = False
) -> Webhook | None:
    """A webhook of the province (others do not exist for its administrators)."""
    stmt = select(Webhook).where(Webhook.id == webhook_id, Webhook.province_code == province_code)
    found: Webhook | None = await session.scalar(stmt.with_for_update() if for_update else stmt)
    return found


async def webhooks_of(session: AsyncSession, province_code: str) -> list[Webhook]:
    stmt = select(Webhook).where(Webhook.province_code == province_code).order_by(Webhook.id)
    return list(await session.scalars(stmt))


async def active_webhooks(session: AsyncSession) -> list[Webhook]:
    stmt = select(Webhook).where(Webhook.active.is_(True)).order_by(Webhook.id)
    return list(await session.scalars(stmt))


def _events_of(webhook: Webhook, after_id: int, through: int) -> Any:
    return select(
        literal(webhook.id), PersonEvent.id, PersonEvent.citizen_subject, literal(PENDING)
    ).where(
        PersonEvent.province_code == webhook.province_code,
        PersonEvent.kind.in_(webhook.events),
        PersonEvent.id > after_id,
        PersonEvent.id <= through,
    )


async def queue(session: AsyncSession, webhook_id: int, through: int) -> int:
    """Queue a delivery of every event of the webhook's area and kinds up to `through`
    not queued yet; how many."""
    webhook = await session.get(Webhook, webhook_id, with_for_update=True)
    if webhook is None or not webhook.active or through <= webhook.queued_through:
        return 0
    columns = ["webhook_id", "event_id", "citizen_subject", "status"]
    made = await session.execute(
        insert(WebhookDelivery)
        .from_select(columns, _events_of(webhook, webhook.queued_through, through))
        .on_conflict_do_nothing()
        .returning(WebhookDelivery.id)
    )
    webhook.queued_through = through
    return len(made.all())


async def redeliver(session: AsyncSession, webhook: Webhook, after_id: int) -> int:
    """Deliver again every event of the webhook after `after_id` (new deliveries for those
    never queued, and those done or given up start over)."""
    columns = ["webhook_id", "event_id", "citizen_subject", "status"]
    await session.execute(
        insert(WebhookDelivery)
        .from_select(columns, _events_of(webhook, after_id, webhook.queued_through))
        .on_conflict_do_nothing()
    )
    again = await session.execute(
        update(WebhookDelivery)
        .where(WebhookDelivery.webhook_id == webhook.id, WebhookDelivery.event_id > after_id)
        .values(status=PENDING, attempts=0, next_attempt_at=func.now(), first_attempt_at=None)
        .returning(WebhookDelivery.id)
    )
    return len(again.all())


@dataclass(frozen=True)
class Due:
    """A delivery to attempt now, with its event."""

    delivery_id: int
    attempts: int
    first_attempt_at: datetime | None
    event: PersonEvent


async def due(session: AsyncSession, webhook_id: int, now: datetime, limit: int) -> list[Due]:
    """Deliveries of a webhook to attempt now: each citizen's earliest undelivered event
    (a later one waits for it: ordered per citizen), when its time has come."""
    earliest = (
        select(WebhookDelivery)
        .where(WebhookDelivery.webhook_id == webhook_id, WebhookDelivery.status == PENDING)
        .order_by(WebhookDelivery.citizen_subject, WebhookDelivery.event_id)
        .distinct(WebhookDelivery.citizen_subject)
        .subquery()
    )
    stmt = (
        select(earliest.c.id, earliest.c.attempts, earliest.c.first_attempt_at, PersonEvent)
        .join(PersonEvent, PersonEvent.id == earliest.c.event_id)
        .where(earliest.c.next_attempt_at <= now)
        .order_by(earliest.c.event_id)
        .limit(limit)
    )
    rows = (await session.execute(stmt)).all()
    return [Due(row[0], row[1], row[2], row[3]) for row in rows]


async def record(session: AsyncSession, delivery_id: int, **values: Any) -> None:
    await session.execute(
        update(WebhookDelivery).where(WebhookDelivery.id == delivery_id).values(**values)
    )


async def deliveries(
    session: AsyncSession,
    *,
    webhook_id: int,
    statuses: tuple[str, ...],
    first: int,
    after_id: int | None,
) -> Page[WebhookDelivery]:
    conditions = [WebhookDelivery.webhook_id == webhook_id]
    if statuses:
        conditions.append(WebhookDelivery.status.in_(statuses))
    return await keyset_page(session, WebhookDelivery, conditions, first=first, after_id=after_id)
