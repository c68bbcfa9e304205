"""Emergency alerts: SOS, acknowledge, resolve, lists, and the live event stream."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from db.events import Subscriber
from db.models import Alert, Patient
from db.queries import alerts as queries
from db.queries.alerts import EventRow
from domain.alert_routing import reaches
from domain.clinical import sos_message
from domain.enums import (
    ACTIVE_PATIENT_STATUSES,
    AlertEventType,
    AlertKind,
    AlertStatus,
    Severity,
)
from domain.notifications import PersonEventKind
from domain.paging import Page
from domain.text import rule
from resolvers import filters, notify
from resolvers.audit import log_change
from resolvers.context import Context
from resolvers.errors import BadUserInput, Conflict, NotFound
from resolvers.filters import area_level
from resolvers.ids import parse_id, shown
from resolvers.pagination import decode_cursor, page_size
from resolvers.patients import lock_acting_for
from resolvers.streams import event_id, replay_then_live

MAX_MESSAGE = 500
MAX_NOTE = 2000
SLOW_SUBSCRIBER_CLOSE = 4008  # the client should reconnect with afterId
REPLAY_LIMIT = 1000


async def raise_sos(
    ctx: Context, *, key: str, patient_id: str | None, message: str | None
) -> Alert:
    """An SOS for the caller (citizen) or a patient in scope (staff). Presses while one is
    open join it (count and time) instead of making another; retries return the same alert."""
    key = key.strip()
    if not 1 <= len(key) <= 128:
        raise BadUserInput("input.idempotencyKey", rule("must be 1 to 128 characters"))
    text = (message or "").strip()
    if len(text) > MAX_MESSAGE:
        raise BadUserInput("input.message", rule("must be at most {0} characters", MAX_MESSAGE))
    principal = ctx.principal
    async with ctx.sessions.begin() as session:
        # the patient row lock serialises presses, so ten at once make one alert
        patient = await lock_acting_for(session, ctx, patient_id)
        previous = await queries.alert_by_key(session, raised_by=principal.subject, key=key)
        if previous is not None:
            return previous
        if patient.status not in ACTIVE_PATIENT_STATUSES:
            raise Conflict(f"patient {patient.id} is {patient.status.value}; SOS is closed")
        alert = await queries.open_alert(session, patient_id=patient.id, kind=AlertKind.SOS)
        if alert is None:
            alert = await queries.raise_alert(
                session,
                patient=patient,
                kind=AlertKind.SOS,
                severity=Severity.SEVERE,
                message=sos_message(text),
                raised_by=principal.subject,
                idempotency_key=key,
            )
        else:
            alert.press_count += 1
            alert.last_pressed_at = datetime.now(UTC)
            if text:
                alert.message = alert.message_en = text
            await queries.record_event(session, alert, AlertEventType.REPEATED)
        await log_change(
            session,
            ctx,
            action=queries.SOS_PRESS,
            entity="alert",
            entity_ids=[str(alert.id)],
            detail=key,
        )
    return alert


async def acknowledge(ctx: Context, alert_id: str) -> Alert:
    """Someone is on it: OPEN → ACKNOWLEDGED."""
    return await _move(ctx, alert_id, AlertStatus.ACKNOWLEDGED, None)


async def resolve(ctx: Context, alert_id: str, note: str | None) -> Alert:
    """Handled: OPEN or ACKNOWLEDGED → RESOLVED."""
    return await _move(ctx, alert_id, AlertStatus.RESOLVED, note)


async def _move(ctx: Context, alert_id: str, target: AlertStatus, note: str | None) -> Alert:
    allowed = {
        AlertStatus.ACKNOWLEDGED: {AlertStatus.OPEN},
        AlertStatus.RESOLVED: {AlertStatus.OPEN, AlertStatus.ACKNOWLEDGED},
    }[target]
    principal = ctx.principal
    now = datetime.now(UTC)
    async with ctx.sessions.begin() as session:
        alert = None
        row_id = parse_id(alert_id)
        if row_id is not None:
            alert = await queries.lock_alert(session, scope=principal.scope, alert_id=row_id)
        if alert is None:
            raise NotFound(f"alert {shown(alert_id)} not found")
        if alert.status not in allowed:
            raise Conflict(
                f"alert {alert.id} is {alert.status.value}; it cannot become {target.value}"
            )
        alert.status = target
        if target is AlertStatus.ACKNOWLEDGED:
            alert.acknowledged_by, alert.acknowledged_at = principal.subject, now
            event = AlertEventType.ACKNOWLEDGED
        else:
            alert.resolved_by, alert.resolved_at = principal.subject, now
            alert.resolution_note = filters.optional_text("note", note, MAX_NOTE)
            event = AlertEventType.RESOLVED
        await queries.record_event(session, alert, event)
        await _tell(session, alert, target)
        await log_change(
            session,
            ctx,
            action=f"ALERT_{target.value}",
            entity="alert",
            entity_ids=[str(alert.id)],
        )
    return alert


async def _tell(session: AsyncSession, alert: Alert, target: AlertStatus) -> None:
    """The patient hears that their SOS was taken up, and that an alert was handled."""
    kind = None
    if target is AlertStatus.ACKNOWLEDGED and alert.kind is AlertKind.SOS:
        kind = PersonEventKind.SOS_ACKNOWLEDGED
    elif target is AlertStatus.RESOLVED:
        kind = PersonEventKind.ALERT_RESOLVED
    patient = None if kind is None else await session.get(Patient, alert.patient_id)
    if kind is not None and patient is not None:
        await notify.patient_event(session, patient, kind, f"alert {alert.id}")


async def list_query(
    ctx: Context,
    *,
    area_code: str | None,
    statuses: tuple[AlertStatus, ...],
    kinds: tuple[AlertKind, ...],
) -> queries.AlertQuery:
    """The alert-list filter, checked (an unknown area is BAD_USER_INPUT)."""
    level = await area_level(ctx, area_code)
    return queries.AlertQuery(area_code, level, statuses, kinds)


async def alerts(
    ctx: Context, *, query: queries.AlertQuery, first: int | None, after: str | None
) -> Page[Alert]:
    """A page of the alerts in scope (`query` from `list_query`), newest first."""
    async with ctx.sessions() as session:
        return await queries.list_alerts(
            session,
            scope=ctx.principal.scope,
            query=query,
            first=page_size(first),
            after_id=decode_cursor(after, "alert"),
        )


async def events(ctx: Context, after_id: str | None) -> AsyncIterator[EventRow]:
    """Replay every event after `after_id` this subscriber should have seen, in id order,
    then continue live: no gap and no duplicate in between."""
    bus = ctx.services.bus
    if bus is None:
        raise Conflict("this server does not deliver live events")
    broken = rule("must be the id of an alert event (digits), or 0")
    start = None if after_id is None else event_id("afterId", after_id, broken)
    scope = ctx.principal.scope

    async def read_after(after: int) -> list[EventRow]:
        async with ctx.sessions() as session:
            return await queries.events_after(
                session, after_id=after, scope=scope, limit=REPLAY_LIMIT
            )

    async def next_live(subscriber: Subscriber[EventRow]) -> EventRow:
        return await _next(ctx, subscriber)

    def accepts(row: EventRow) -> bool:
        return reaches(scope, row.place)

    async for row in replay_then_live(bus, accepts, start, read_after, REPLAY_LIMIT, next_live):
        yield row


async def _next(ctx: Context, subscriber: Subscriber[EventRow]) -> EventRow:
    # a token's expiry is the socket's to enforce: it is closed 4403 then (server/ws.py)
    if subscriber.overflowed:
        await _close_slow(ctx)
    row = await subscriber.queue.get()
    if subscriber.overflowed:
        await _close_slow(ctx)
    return row


async def _close_slow(ctx: Context) -> None:
    if ctx.websocket is not None:
        await ctx.websocket.close(
            code=SLOW_SUBSCRIBER_CLOSE, reason="too slow: resubscribe with afterId"
        )
    raise Conflict("subscriber fell too far behind; resubscribe with afterId")
