"""Alerts: rows first (with an event per change), notifications later."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import Alert, AlertEvent, Patient
from domain.enums import AlertEventType, AlertKind, AlertStatus, AreaLevel, Severity

OPEN_STATUSES = (AlertStatus.OPEN, AlertStatus.ACKNOWLEDGED)


async def record_event(session: AsyncSession, alert: Alert, event: AlertEventType) -> None:
    """Append an event of `alert` (the subscription replays these by id)."""
    await session.execute(
        insert(AlertEvent).values(alert_id=alert.id, type=event, province_code=alert.province_code)
    )


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
    message: str,
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
        message=message,
        rule_set=rule_set,
        escalation_level=AreaLevel.COMMUNE,
        raised_by=raised_by,
        idempotency_key=idempotency_key,
    )
    session.add(alert)
    await session.flush()
    await record_event(session, alert, AlertEventType.CREATED)
    return alert


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


async def open_alerts_of(session: AsyncSession, patient_ids: Sequence[int]) -> list[Alert]:
    """Open and acknowledged alerts of these patients, oldest first."""
    stmt = (
        select(Alert)
        .where(Alert.patient_id.in_(patient_ids), Alert.status.in_(OPEN_STATUSES))
        .order_by(Alert.patient_id, Alert.id)
    )
    return list(await session.scalars(stmt))
