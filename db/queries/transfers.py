"""Tier transfers and facility occupancy."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import ColumnElement, select
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import Facility, Patient, Transfer
from db.queries.pagination import keyset_page
from db.scope import patient_in_area, transfer_visible
from domain.enums import OPEN_TRANSFER_STATUSES, AreaLevel, TransferStatus
from domain.paging import Page
from domain.scope import Scope


@dataclass(frozen=True)
class TransferQuery:
    """Filters of the transfer list."""

    area_code: str | None = None
    area_level: AreaLevel | None = None
    statuses: tuple[TransferStatus, ...] = ()
    facility_id: int | None = None


async def lock_patient(
    session: AsyncSession, *, patient_id: int, allowed: ColumnElement[bool] | None = None
) -> Patient | None:
    """The patient, locked for this transaction, if `allowed` (when given) holds for it."""
    stmt = select(Patient).where(Patient.id == patient_id).with_for_update()
    if allowed is not None:
        stmt = stmt.where(allowed)
    found: Patient | None = await session.scalar(stmt)
    return found


async def open_transfer_of(session: AsyncSession, patient_id: int) -> Transfer | None:
    """The patient's REQUESTED or ACCEPTED transfer, if any."""
    stmt = select(Transfer).where(
        Transfer.patient_id == patient_id, Transfer.status.in_(OPEN_TRANSFER_STATUSES)
    )
    found: Transfer | None = await session.scalar(stmt)
    return found


async def lock_transfer(
    session: AsyncSession, *, transfer_id: int, allowed: ColumnElement[bool]
) -> Transfer | None:
    """The transfer, locked for this transaction, if `allowed` holds for it."""
    stmt = select(Transfer).where(Transfer.id == transfer_id, allowed).with_for_update()
    found: Transfer | None = await session.scalar(stmt)
    return found


async def add_transfer(session: AsyncSession, **values: object) -> Transfer:
    """Insert a transfer."""
    transfer = Transfer(**values)
    session.add(transfer)
    await session.flush()
    return transfer


async def facility(session: AsyncSession, facility_id: int) -> Facility | None:
    """A facility by id."""
    return await session.get(Facility, facility_id)


async def cancel_open(session: AsyncSession, *, patient_id: int, by: str, reason: str) -> None:
    """Cancel the patient's open transfer, if any (e.g. on discharge)."""
    transfer = await open_transfer_of(session, patient_id)
    if transfer is not None:
        transfer.status = TransferStatus.CANCELLED
        transfer.cancelled_by = by
        transfer.cancelled_at = datetime.now(UTC)
        transfer.cancel_reason = reason


async def list_transfers(
    session: AsyncSession,
    *,
    scope: Scope,
    query: TransferQuery,
    first: int,
    after_id: int | None,
) -> Page[Transfer]:
    """Newest first (by id), `first` rows after the cursor, with the total count."""
    conditions = transfer_conditions(scope, query)
    return await keyset_page(session, Transfer, conditions, first=first, after_id=after_id)


def transfer_conditions(scope: Scope, query: TransferQuery) -> list[ColumnElement[bool]]:
    """The WHERE conditions of the transfer list: the scope and every given filter."""
    conditions = [transfer_visible(scope)]
    if query.area_code is not None and query.area_level is not None:
        home = select(Patient.id).where(patient_in_area(query.area_code, query.area_level))
        conditions.append(Transfer.patient_id.in_(home))
    if query.statuses:
        conditions.append(Transfer.status.in_(query.statuses))
    if query.facility_id is not None:
        fid = query.facility_id
        conditions.append((Transfer.to_facility_id == fid) | (Transfer.from_facility_id == fid))
    return conditions
