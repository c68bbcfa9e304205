"""Patients, always filtered by the caller's scope."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import Patient
from db.queries.pagination import Page
from db.scope import patient_in_area, patient_visible
from domain.enums import AreaLevel, PatientStatus
from domain.scope import Scope


@dataclass(frozen=True)
class PatientQuery:
    """Filters of the patient list."""

    area_code: str | None = None
    area_level: AreaLevel | None = None
    statuses: tuple[PatientStatus, ...] = ()


async def get_patient(session: AsyncSession, *, scope: Scope, patient_id: int) -> Patient | None:
    """One patient, or None when unknown or out of scope."""
    stmt = select(Patient).where(Patient.id == patient_id, patient_visible(scope))
    found: Patient | None = await session.scalar(stmt)
    return found


async def patients_by_ids(
    session: AsyncSession, *, scope: Scope, ids: Sequence[int]
) -> list[Patient]:
    """The visible patients among `ids`, in no particular order."""
    stmt = select(Patient).where(Patient.id.in_(ids), patient_visible(scope))
    return list(await session.scalars(stmt))


async def list_patients(
    session: AsyncSession,
    *,
    scope: Scope,
    query: PatientQuery,
    first: int,
    after_id: int | None,
) -> Page[Patient]:
    """Newest first (by id), `first` rows after the cursor, with the total count."""
    conditions = [patient_visible(scope)]
    if query.area_code is not None and query.area_level is not None:
        conditions.append(patient_in_area(query.area_code, query.area_level))
    if query.statuses:
        conditions.append(Patient.status.in_(query.statuses))
    total = await session.scalar(select(func.count()).select_from(Patient).where(*conditions))
    if after_id is not None:
        conditions.append(Patient.id < after_id)
    stmt = select(Patient).where(*conditions).order_by(Patient.id.desc()).limit(first + 1)
    rows = list(await session.scalars(stmt))
    return Page(items=rows[:first], has_next=len(rows) > first, total=total or 0)
