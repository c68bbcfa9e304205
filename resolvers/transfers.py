"""Tier transfers (chuyển tầng): request, accept or reject, complete, cancel."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import ColumnElement
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import Patient, Transfer
from db.queries import facilities as facility_queries
from db.queries import transfers as queries
from db.scope import patient_holdable, transfer_cancellable, transfer_receivable
from domain.enums import ACTIVE_PATIENT_STATUSES, FacilityKind, PatientStatus, TransferStatus
from domain.notifications import PersonEventKind
from domain.paging import Page
from domain.scope import Scope
from domain.text import rule
from domain.transfers import IllegalTransition, advance
from resolvers import filters, notify
from resolvers.audit import log_change
from resolvers.context import Context
from resolvers.errors import BadUserInput, Conflict, NotFound
from resolvers.filters import area_level
from resolvers.ids import NO_ROW, parse_id, shown
from resolvers.pagination import decode_cursor, page_size

MAX_REASON = 1000


@dataclass(frozen=True)
class TransferRequest:
    """Where to move a patient, and why."""

    patient_id: str
    to_tier: int
    to_facility_id: str | None
    reason: str


async def request(ctx: Context, given: TransferRequest) -> Transfer:
    """Ask to move a patient of the caller's area (or held at the caller's facility)."""
    reason = given.reason.strip()
    if not 1 <= len(reason) <= MAX_REASON:
        raise BadUserInput(
            "input.reason", rule("must be 1 to {0} characters after trimming", MAX_REASON)
        )
    if not 1 <= given.to_tier <= 3:
        raise BadUserInput("input.toTier", rule("must be 1, 2 or 3"))
    principal = ctx.principal
    async with ctx.sessions.begin() as session:
        patient = None
        row_id = parse_id(given.patient_id)
        if row_id is not None:
            patient = await queries.lock_patient(
                session, patient_id=row_id, allowed=patient_holdable(principal.scope)
            )
        if patient is None:
            raise NotFound(f"patient {shown(given.patient_id)} not found")
        if patient.status not in ACTIVE_PATIENT_STATUSES:
            raise Conflict(f"patient {patient.id} is {patient.status.value}; cannot be transferred")
        target = await _target(session, given)
        if target == patient.facility_id and given.to_tier == patient.tier:
            raise BadUserInput(
                "input.toTier", rule("the patient is already at tier {0} there", patient.tier)
            )
        existing = await queries.open_transfer_of(session, patient.id)
        if existing is not None:
            raise Conflict(
                f"patient {patient.id} already has transfer {existing.id} {existing.status.value}"
            )
        transfer = await queries.add_transfer(
            session,
            patient_id=patient.id,
            province_code=patient.home_province_code,
            status=TransferStatus.REQUESTED,
            from_tier=patient.tier,
            to_tier=given.to_tier,
            from_facility_id=patient.facility_id,
            to_facility_id=target,
            reason=reason,
            requested_by=principal.subject,
        )
        await _audit(session, ctx, "REQUEST_TRANSFER", transfer)
    return transfer


async def _target(session: AsyncSession, given: TransferRequest) -> int | None:
    if given.to_facility_id is None:
        if given.to_tier > 1:
            raise BadUserInput(
                "input.toFacilityId", rule("a tier-{0} transfer needs a facility", given.to_tier)
            )
        return None
    facility = None
    row_id = parse_id(given.to_facility_id)
    if row_id is not None:
        facility = await queries.facility(session, row_id)
    if facility is None or facility.kind is FacilityKind.SCREENING_HOSPITAL:
        raise BadUserInput("input.toFacilityId", rule("must be the id of a treatment facility"))
    if facility.tier != given.to_tier:
        raise BadUserInput(
            "input.toFacilityId",
            rule(
                "{0} is a tier-{1} facility, not tier {2}",
                facility.name,
                facility.tier,
                given.to_tier,
            ),
        )
    return facility.id


async def _locked(
    session: AsyncSession,
    transfer_id: str,
    scope: Scope,
    allowed: Callable[[Scope], ColumnElement[bool]],
) -> Transfer:
    found = None
    row_id = parse_id(transfer_id)
    if row_id is not None:
        found = await queries.lock_transfer(session, transfer_id=row_id, allowed=allowed(scope))
    if found is None:
        raise NotFound(f"transfer {shown(transfer_id)} not found")
    return found


def _step(transfer: Transfer, target: TransferStatus) -> None:
    try:
        transfer.status = advance(transfer.status, target)
    except IllegalTransition as exc:
        raise Conflict(f"transfer {transfer.id}: {exc}") from None


async def accept(ctx: Context, transfer_id: str, *, force: bool) -> Transfer:
    """The receiving side accepts; a full facility refuses unless `force`."""
    async with ctx.sessions.begin() as session:
        transfer = await _locked(session, transfer_id, ctx.principal.scope, transfer_receivable)
        _step(transfer, TransferStatus.ACCEPTED)
        if transfer.to_facility_id is not None and not force:
            facility = await queries.facility(session, transfer.to_facility_id)
            used = await facility_queries.in_facility(session, transfer.to_facility_id)
            if facility is not None and facility.bed_capacity is not None:
                # the latest bed report: its capacity and the beds others take
                used += facility.beds_occupied_outside or 0
                if used >= facility.bed_capacity:
                    raise Conflict(
                        f"{facility.name} is full ({used}/{facility.bed_capacity} beds, as last "
                        "reported); accept with force: true to admit anyway"
                    )
        transfer.decided_by = ctx.principal.subject
        transfer.accepted_at = datetime.now(UTC)
        await _audit(session, ctx, "ACCEPT_TRANSFER", transfer)
        await _tell(session, transfer, PersonEventKind.TRANSFER_ACCEPTED)
    return transfer


async def reject(ctx: Context, transfer_id: str, reason: str) -> Transfer:
    """The receiving side refuses, with a reason."""
    cleaned = reason.strip()
    if not 1 <= len(cleaned) <= MAX_REASON:
        raise BadUserInput("reason", rule("must be 1 to {0} characters after trimming", MAX_REASON))
    async with ctx.sessions.begin() as session:
        transfer = await _locked(session, transfer_id, ctx.principal.scope, transfer_receivable)
        _step(transfer, TransferStatus.REJECTED)
        transfer.decided_by = ctx.principal.subject
        transfer.rejected_at = datetime.now(UTC)
        transfer.rejection_reason = cleaned
        await _audit(session, ctx, "REJECT_TRANSFER", transfer)
    return transfer


async def complete(ctx: Context, transfer_id: str) -> Transfer:
    """The patient arrived: tier, facility and status change with the transfer."""
    async with ctx.sessions.begin() as session:
        transfer = await _locked(session, transfer_id, ctx.principal.scope, transfer_receivable)
        _step(transfer, TransferStatus.COMPLETED)
        patient = await queries.lock_patient(session, patient_id=transfer.patient_id)
        assert patient is not None  # noqa: S101 - the foreign key guarantees it
        if patient.status not in ACTIVE_PATIENT_STATUSES:
            raise Conflict(f"patient {patient.id} is {patient.status.value}; cannot be moved")
        now = datetime.now(UTC)
        patient.tier = transfer.to_tier
        patient.facility_id = transfer.to_facility_id
        home = transfer.to_tier == 1
        patient.status = PatientStatus.HOME_TREATMENT if home else PatientStatus.IN_FACILITY
        patient.updated_at = now
        transfer.completed_by = ctx.principal.subject
        transfer.completed_at = now
        await _audit(session, ctx, "COMPLETE_TRANSFER", transfer)
        await _tell(session, transfer, PersonEventKind.TRANSFER_COMPLETED, patient)
    return transfer


async def cancel(
    ctx: Context, transfer_id: str, reason: str | None, *, confirm_accepted: bool
) -> Transfer:
    """The requesting side withdraws the request. Once the receiving side has accepted, the
    caller must confirm, so a cancel racing an accept never silently undoes it."""
    async with ctx.sessions.begin() as session:
        transfer = await _locked(session, transfer_id, ctx.principal.scope, transfer_cancellable)
        if transfer.status is TransferStatus.ACCEPTED and not confirm_accepted:
            raise Conflict(
                f"transfer {transfer.id} was ACCEPTED by {transfer.decided_by}; "
                "cancel with confirmAccepted: true to withdraw it anyway"
            )
        _step(transfer, TransferStatus.CANCELLED)
        transfer.cancelled_by = ctx.principal.subject
        transfer.cancelled_at = datetime.now(UTC)
        transfer.cancel_reason = filters.optional_text("reason", reason, MAX_REASON)
        await _audit(session, ctx, "CANCEL_TRANSFER", transfer)
    return transfer


async def list_query(
    ctx: Context,
    *,
    area_code: str | None,
    statuses: tuple[TransferStatus, ...],
    facility_id: str | None,
) -> queries.TransferQuery:
    """The transfer-list filter, checked (an unknown area is BAD_USER_INPUT; a facility id
    that cannot exist matches nothing)."""
    return queries.TransferQuery(
        area_code=area_code,
        area_level=await area_level(ctx, area_code),
        statuses=statuses,
        facility_id=None if facility_id is None else parse_id(facility_id) or NO_ROW,
    )


async def transfers(
    ctx: Context, *, query: queries.TransferQuery, first: int | None, after: str | None
) -> Page[Transfer]:
    """A page of the transfers in scope (`query` from `list_query`), newest first."""
    async with ctx.sessions() as session:
        return await queries.list_transfers(
            session,
            scope=ctx.principal.scope,
            query=query,
            first=page_size(first),
            after_id=decode_cursor(after, "transfer"),
        )


async def _tell(
    session: AsyncSession, transfer: Transfer, kind: PersonEventKind, patient: Patient | None = None
) -> None:
    """The patient hears where they are going, and that they arrived."""
    patient = patient or await session.get(Patient, transfer.patient_id)
    facility = None
    if transfer.to_facility_id is not None:
        facility = await queries.facility(session, transfer.to_facility_id)
    if patient is not None:  # no facility: back to treatment at home
        await notify.patient_event(
            session, patient, kind, f"transfer {transfer.id}",
            facility=None if facility is None else facility.name, tier=transfer.to_tier,
        )  # fmt: skip


async def _audit(session: AsyncSession, ctx: Context, action: str, transfer: Transfer) -> None:
    await log_change(
        session,
        ctx,
        action=action,
        entity="transfer",
        entity_ids=[str(transfer.id)],
        detail=f"patient {transfer.patient_id}, tier {transfer.from_tier} → {transfer.to_tier}",
    )
