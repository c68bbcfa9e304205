"""Alerts: rows first (with an event per change, notified on commit), then delivery."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, DateTime, and_, func, insert, literal, not_, or_, select
from sqlalchemy import Enum as SAEnum
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import Alert, AlertEvent, AuditEntry, Patient
from db.queries.pagination import keyset_page
from db.scope import patient_in_area, patient_visible
from domain.alert_routing import EventPlace, next_level
from domain.clinical import missed_report_message
from domain.enums import (
    AlertEventType,
    AlertKind,
    AlertStatus,
    AreaLevel,
    PatientStatus,
    Severity,
)
from domain.paging import Page
from domain.scope import Scope
from domain.text import Texts

OPEN_STATUSES = (AlertStatus.OPEN, AlertStatus.ACKNOWLEDGED)
CHANNEL = "f0care_alert_events"
# held from an event's insert to its commit: event ids are committed in id order, so a
# listener reading "events after the last id I saw" never skips one committed late
EVENT_ORDER_LOCK = 0x0F0CA1E7
SOS_PRESS = "SOS_PRESS"


@dataclass(frozen=True)
class EventRow:
    """An alert event with its alert and where it belongs, as delivered to subscribers.
    One object is handed to every subscriber of a process; `shared` holds what they can
    share (the rendered event)."""

    id: int
    type: AlertEventType
    alert: Alert
    place: EventPlace
    shared: dict[str, Any] = field(default_factory=dict, compare=False)


@dataclass(frozen=True)
class AlertQuery:
    """Filters of the alert list."""

    area_code: str | None = None
    area_level: AreaLevel | None = None
    statuses: tuple[AlertStatus, ...] = ()
    kinds: tuple[AlertKind, ...] = ()


async def record_event(session: AsyncSession, alert: Alert, event: AlertEventType) -> None:
    """Append an event of `alert`, with the alert as this transaction leaves it, and notify
    listeners when the transaction commits."""
    await session.flush()  # the event keeps the alert row as written, not as it was read
    await session.execute(select(func.pg_advisory_xact_lock(EVENT_ORDER_LOCK)))
    alerts = Alert.__table__
    row = select(
        alerts.c.id,
        literal(event, AlertEvent.__table__.c.type.type),
        alerts.c.province_code,
        alerts.c.escalation_level,
        func.jsonb_build_object(*(part for c in alerts.columns for part in (c.key, c))),
    ).where(alerts.c.id == alert.id)
    event_id = await session.scalar(
        insert(AlertEvent)
        .from_select(["alert_id", "type", "province_code", "escalation_level", "alert_state"], row)
        .returning(AlertEvent.id)
    )
    await session.execute(select(func.pg_notify(CHANNEL, str(event_id))))


def alert_at(state: dict[str, Any]) -> Alert:
    """The alert as an event recorded it (a detached row, for reading only)."""
    values: dict[str, Any] = {}
    for column in Alert.__table__.columns:
        value = state.get(column.key)
        if value is not None and isinstance(column.type, DateTime):
            value = datetime.fromisoformat(value)
        elif value is not None and isinstance(column.type, SAEnum) and column.type.enum_class:
            value = column.type.enum_class(value)
        values[column.key] = value
    return Alert(**values)


async def open_alert(session: AsyncSession, *, patient_id: int, kind: AlertKind) -> Alert | None:
    """The open (or acknowledged) alert of this kind for a patient, locked, if any."""
    stmt = (
        select(Alert)
        .where(Alert.patient_id == patient_id, Alert.kind == kind, Alert.status.in_(OPEN_STATUSES))
        .order_by(Alert.id)
        .limit(1)
        .with_for_update()
    )
    found: Alert | None = await session.scalar(stmt)
    return found


async def raise_alert(
    session: AsyncSession,
    *,
    patient: Patient,
    kind: AlertKind,
    severity: Severity,
    message: Texts,
    raised_by: str,
    rule_set: str | None = None,
    idempotency_key: str | None = None,
) -> Alert:
    """A new OPEN alert at commune level, with its CREATED event."""
    alert = Alert(
        patient_id=patient.id,
        province_code=patient.home_province_code,
        district_code=patient.home_district_code,
        commune_code=patient.home_commune_code,
        facility_id=patient.facility_id,
        kind=kind,
        status=AlertStatus.OPEN,
        severity=severity,
        message=message.vi,
        message_en=message.en,
        rule_set=rule_set,
        escalation_level=AreaLevel.COMMUNE,
        raised_by=raised_by,
        idempotency_key=idempotency_key,
    )
    session.add(alert)
    await session.flush()
    await record_event(session, alert, AlertEventType.CREATED)
    return alert


async def alert_by_key(session: AsyncSession, *, raised_by: str, key: str) -> Alert | None:
    """The alert a press with this key created or joined (a retry returns it)."""
    created = await session.scalar(
        select(Alert).where(Alert.raised_by == raised_by, Alert.idempotency_key == key)
    )
    if created is not None:
        return created
    joined = await session.scalar(
        select(AuditEntry.entity_ids).where(
            AuditEntry.subject == raised_by,
            AuditEntry.action == SOS_PRESS,
            AuditEntry.detail == key,
        )
    )
    return None if not joined else await session.get(Alert, int(joined[0]))


def alert_visible(scope: Scope) -> ColumnElement[bool]:
    """Alerts of the patients the scope may see."""
    return Alert.patient_id.in_(select(Patient.id).where(patient_visible(scope)))


async def lock_alert(session: AsyncSession, *, scope: Scope, alert_id: int) -> Alert | None:
    """A visible alert, locked for this transaction."""
    stmt = select(Alert).where(Alert.id == alert_id, alert_visible(scope)).with_for_update()
    found: Alert | None = await session.scalar(stmt)
    return found


async def resolve_all(
    session: AsyncSession, *, patient_id: int, by: str, note: str, at: datetime
) -> list[Alert]:
    """Resolve every open alert of a patient (e.g. on discharge), with events."""
    stmt = (
        select(Alert)
        .where(Alert.patient_id == patient_id, Alert.status.in_(OPEN_STATUSES))
        .with_for_update()
    )
    alerts = list(await session.scalars(stmt))
    for alert in alerts:
        alert.status = AlertStatus.RESOLVED
        alert.resolved_by = by
        alert.resolved_at = at
        alert.resolution_note = note
        await record_event(session, alert, AlertEventType.RESOLVED)
    return alerts


async def list_alerts(
    session: AsyncSession, *, scope: Scope, query: AlertQuery, first: int, after_id: int | None
) -> Page[Alert]:
    """Newest first (by id), `first` rows after the cursor, with the total count."""
    conditions = alert_conditions(scope, query)
    return await keyset_page(session, Alert, conditions, first=first, after_id=after_id)


def alert_conditions(scope: Scope, query: AlertQuery) -> list[ColumnElement[bool]]:
    """The WHERE conditions of the alert list: the scope and every given filter."""
    conditions = [alert_visible(scope)]
    if query.area_code is not None and query.area_level is not None:
        home = select(Patient.id).where(patient_in_area(query.area_code, query.area_level))
        conditions.append(Alert.patient_id.in_(home))
    if query.statuses:
        conditions.append(Alert.status.in_(query.statuses))
    if query.kinds:
        conditions.append(Alert.kind.in_(query.kinds))
    return conditions


async def escalate_due(
    session: AsyncSession, *, now: datetime, after: dict[AlertKind, timedelta]
) -> list[Alert]:
    """Move every OPEN alert unanswered for its kind's interval up one level (COMMUNE →
    DISTRICT → PROVINCE; COMMUNE → PROVINCE on a map without districts), with an ESCALATED
    event. Rows another worker holds are skipped."""
    due = [
        and_(
            Alert.kind == kind,
            func.coalesce(Alert.escalated_at, Alert.raised_at) <= now - interval,
        )
        for kind, interval in after.items()
    ]
    stmt = (
        select(Alert)
        .where(
            Alert.status == AlertStatus.OPEN,
            Alert.escalation_level != AreaLevel.PROVINCE,
            or_(*due),
        )
        .with_for_update(skip_locked=True)
    )
    escalated = []
    for alert in await session.scalars(stmt):
        level = next_level(alert.escalation_level, has_district=alert.district_code is not None)
        if level is None:
            continue
        alert.escalation_level = level
        alert.escalated_at = now
        await record_event(session, alert, AlertEventType.ESCALATED)
        escalated.append(alert)
    return escalated


async def raise_missed_reports(
    session: AsyncSession, *, now: datetime, interval: timedelta, limit: int = 500
) -> list[Alert]:
    """A MISSED_REPORT alert for each patient at home without a report for longer than
    `interval`, at most once per interval and never beside an open one."""
    cutoff = now - interval
    recent = select(Alert.id).where(
        Alert.patient_id == Patient.id,
        Alert.kind == AlertKind.MISSED_REPORT,
        or_(Alert.status.in_(OPEN_STATUSES), Alert.raised_at > cutoff),
    )
    stmt = (
        select(Patient)
        .where(
            Patient.status == PatientStatus.HOME_TREATMENT,
            func.coalesce(Patient.last_report_at, Patient.confirmed_at) < cutoff,
            not_(recent.exists()),
        )
        .order_by(Patient.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    hours = round(interval.total_seconds() / 3600, 1)
    raised = []
    for patient in await session.scalars(stmt):
        alert = await raise_alert(
            session,
            patient=patient,
            kind=AlertKind.MISSED_REPORT,
            severity=patient.severity or Severity.MILD,
            message=missed_report_message(hours),
            raised_by="system",
        )
        raised.append(alert)
    return raised


async def events_after(
    session: AsyncSession, *, after_id: int, scope: Scope | None = None, limit: int = 1000
) -> list[EventRow]:
    """Events after `after_id` in id order, with their alerts; for a scope, only events of
    its patients (the escalation-level rule is applied by the caller)."""
    stmt = (
        select(AlertEvent, Patient.facility_id)
        .join(Alert, Alert.id == AlertEvent.alert_id)
        .join(Patient, Patient.id == Alert.patient_id)
        .where(AlertEvent.id > after_id)
        .order_by(AlertEvent.id)
        .limit(limit)
    )
    if scope is not None:
        stmt = stmt.where(patient_visible(scope))
    rows = await session.execute(stmt)
    events = []
    for event, facility_id in rows:
        alert = alert_at(event.alert_state)
        place = EventPlace(
            alert.province_code,
            alert.district_code,
            alert.commune_code,
            event.escalation_level,
            facility_id,
        )
        events.append(EventRow(id=event.id, type=event.type, alert=alert, place=place))
    return events


async def last_event_id(session: AsyncSession) -> int:
    """The newest event id (0 when there is none)."""
    return int(await session.scalar(select(func.coalesce(func.max(AlertEvent.id), 0))) or 0)
