"""Medication at home: orders by health and hospital staff, a patient's own use of
package B (which tells the commune at once), stopping an order, adverse events. The rules
of `domain/medication.py` refuse an order with BAD_USER_INPUT naming the field and rule."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from db.models import AdverseEvent, Drug, MedicationOrder
from db.queries import alerts
from db.queries import medication as queries
from domain import intake, medication
from domain.clinical import sign_texts
from domain.enums import (
    AlertKind,
    MedicationPackage,
    MedicationStatus,
    Role,
    Severity,
)
from domain.text import Texts, rule
from resolvers import filters
from resolvers.audit import log_change
from resolvers.context import Context
from resolvers.errors import BadUserInput, Conflict, InvalidInput, NotFound
from resolvers.ids import parse_id, shown
from resolvers.patients import lock_acting_for, lock_visible, require_active

MAX_TEXT = 100  # dose, frequency
MAX_DESCRIPTION = 2000
PAST_START_DAYS, FUTURE_START_DAYS = 14, 7  # how far from today an order may start


@dataclass(frozen=True)
class Prescription:
    """An order as submitted (`patient_id` None: a citizen's own use)."""

    idempotency_key: str
    drug_code: str
    dose: str
    frequency: str
    days: int
    start_on: date
    package: MedicationPackage | None = None
    patient_id: str | None = None
    consent_recorded: bool = False


def _checked(given: Prescription, today: date) -> list[tuple[str, Texts]]:
    problems: list[tuple[str, Texts]] = []
    if not 1 <= len(given.idempotency_key.strip()) <= 128:
        problems.append(("input.idempotencyKey", rule("must be 1 to 128 characters")))
    if given.drug_code not in medication.BY_CODE:
        problems.append(
            ("input.drugCode", rule("must be a drug of the {0} catalogue", medication.CATALOGUE))
        )
    for field, value in (("dose", given.dose), ("frequency", given.frequency)):
        if not 1 <= len(intake.clean_text(value)) <= MAX_TEXT:
            problems.append((f"input.{field}", rule("must be 1 to {0} characters", MAX_TEXT)))
    if not 1 <= given.days <= 30:
        problems.append(("input.days", rule("must be between 1 and 30")))
    if (
        not today - timedelta(days=PAST_START_DAYS)
        <= given.start_on
        <= today + timedelta(days=FUTURE_START_DAYS)
    ):
        problems.append(
            (
                "input.startOn",
                rule(
                    "must be within {0} days before and {1} after today",
                    PAST_START_DAYS,
                    FUTURE_START_DAYS,
                ),
            )
        )
    return problems


async def prescribe(ctx: Context, given: Prescription) -> MedicationOrder:
    """An order for a patient in scope (health and hospital staff), or a citizen's own use
    of package B (self-started: a VITAL_SIGNS alert tells the commune at once). A retry
    with the same key returns the first order."""
    principal, today = ctx.principal, ctx.services.today()
    citizen = principal.role is Role.CITIZEN
    problems = _checked(given, today)
    if citizen and given.package is not MedicationPackage.B:
        problems.append(
            ("input.package", rule("a patient records only their own use of package B"))
        )
    if problems:
        raise InvalidInput(problems)
    drug = medication.BY_CODE[given.drug_code]
    async with ctx.sessions.begin() as session:
        patient = await lock_acting_for(session, ctx, given.patient_id)
        require_active(patient, "take an order")
        candidate = medication.Candidate(
            drug=drug,
            package=given.package,
            days=given.days,
            start_day=(given.start_on - patient.isolation_started_on).days + 1,
            age_years=intake.age_on(patient.date_of_birth, given.start_on),
            pregnant=patient.pregnant,
            breastfeeding=patient.breastfeeding,
            consent=given.consent_recorded,
        )
        broken = medication.problems(candidate)
        if broken:
            raise InvalidInput([(f"input.{field}", rule) for field, rule in broken])
        order, created = await queries.add_order(
            session,
            {
                "patient_id": patient.id,
                "drug_code": drug.code,
                "package": given.package,
                "dose": intake.clean_text(given.dose),
                "frequency": intake.clean_text(given.frequency),
                "days": given.days,
                "start_on": given.start_on,
                "end_on": given.start_on + timedelta(days=given.days - 1),
                "prescribed_by": None if citizen else principal.subject,
                "facility_id": principal.facility.id if principal.facility else None,
                "self_started": citizen,
                "consent_recorded_at": datetime.now(UTC) if given.consent_recorded else None,
                "status": MedicationStatus.ACTIVE,
                "recorded_by": principal.subject,
                "idempotency_key": given.idempotency_key.strip(),
            },
        )
        if not created:
            return order
        if drug.name == "Molnupiravir":
            until = medication.follows_up_until(given.start_on)
            current = patient.adverse_follow_up_until
            patient.adverse_follow_up_until = max(until, current) if current else until
        if citizen:
            await alerts.raise_alert(
                session,
                patient=patient,
                kind=AlertKind.VITAL_SIGNS,
                severity=Severity.MODERATE,
                message=Texts.of(lambda language: sign_texts(language)["selfStartedMedication"]),
                raised_by=principal.subject,
                rule_set=medication.VN_MOH_2022_MEDICATION.version,
            )
        await log_change(
            session,
            ctx,
            action="SELF_STARTED_MEDICATION" if citizen else "PRESCRIBE_MEDICATION",
            entity="patient",
            entity_ids=[str(patient.id)],
            detail=f"order {order.id}: {drug.code}",
        )
    return order


async def drugs(ctx: Context) -> list[Drug]:
    """The drug catalogue, by code."""
    async with ctx.readers() as session:
        return await queries.list_drugs(session, queries.DrugQuery())


async def stop(ctx: Context, order_id: str, reason: str) -> MedicationOrder:
    """Stop an active order of a patient in scope, with a reason."""
    cleaned = filters.optional_text("reason", reason, MAX_DESCRIPTION)
    if not cleaned:
        raise BadUserInput("reason", rule("must say why the medication is stopped"))
    async with ctx.sessions.begin() as session:
        order = await _order_in_scope(session, ctx, order_id)
        if order.status is not MedicationStatus.ACTIVE:
            raise Conflict(f"medication order {order.id} is {order.status.value}")
        order.status = MedicationStatus.STOPPED
        order.stop_reason = cleaned
        await log_change(
            session,
            ctx,
            action="STOP_MEDICATION",
            entity="patient",
            entity_ids=[str(order.patient_id)],
            detail=f"order {order.id}",
        )
    return order


async def report_adverse_event(
    ctx: Context, order_id: str, description: str, occurred_on: date
) -> AdverseEvent:
    """An adverse effect of an order: the patient for themselves, or staff in scope."""
    cleaned = filters.optional_text("input.description", description, MAX_DESCRIPTION) or ""
    problems = [] if cleaned else [("input.description", rule("must describe what happened"))]
    if occurred_on > ctx.services.today():
        problems.append(("input.occurredOn", rule("must not be in the future")))
    if problems:
        raise InvalidInput(problems)
    async with ctx.sessions.begin() as session:
        order = await _order_in_scope(session, ctx, order_id)
        event = await queries.add_adverse_event(
            session,
            medication_id=order.id,
            description=cleaned,
            occurred_on=occurred_on,
            reported_by=ctx.principal.subject,
        )
        await log_change(
            session,
            ctx,
            action="REPORT_ADVERSE_EVENT",
            entity="patient",
            entity_ids=[str(order.patient_id)],
            detail=f"order {order.id}",
        )
    return event


async def _order_in_scope(session: AsyncSession, ctx: Context, order_id: str) -> MedicationOrder:
    """The order, locked, if its patient is the caller's own (citizen) or in scope."""
    row_id = parse_id(order_id)
    order = None if row_id is None else await queries.order_for_update(session, row_id)
    if order is None:
        raise NotFound(f"medication order {shown(order_id)} not found")
    if ctx.principal.role is Role.CITIZEN:
        own = await lock_acting_for(session, ctx, None)
        if own.id != order.patient_id:
            raise NotFound(f"medication order {shown(order_id)} not found")
    else:
        await lock_visible(session, ctx, str(order.patient_id))
    return order
