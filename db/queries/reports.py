"""Health reports and clinical notes."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import distinct_on, insert
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import ClinicalNote, HealthReport
from db.queries.pagination import Page, keyset_page
from db.queries.rows import fetch_rows, select_rows


async def insert_report(session: AsyncSession, values: dict[str, Any]) -> tuple[HealthReport, bool]:
    """Insert a report; a key its submitter used before returns the first report instead.
    The flag says whether this call created it."""
    stmt = (
        insert(HealthReport)
        .values(**values)
        .on_conflict_do_nothing(
            index_elements=[HealthReport.submitted_by, HealthReport.idempotency_key]
        )
        .returning(HealthReport)
    )
    created = await session.scalar(stmt)
    if created is not None:
        return created, True
    existing = await session.scalar(
        select(HealthReport).where(
            HealthReport.submitted_by == values["submitted_by"],
            HealthReport.idempotency_key == values["idempotency_key"],
        )
    )
    assert existing is not None  # noqa: S101 - the conflicting row exists
    return existing, False


async def report_page(
    session: AsyncSession, *, patient_id: int, first: int, after_id: int | None
) -> Page[HealthReport]:
    """One patient's reports, newest first (ids grow with arrival time)."""
    conditions = [HealthReport.patient_id == patient_id]
    return await keyset_page(session, HealthReport, conditions, first=first, after_id=after_id)


async def latest_reports(session: AsyncSession, patient_ids: Sequence[int]) -> list[HealthReport]:
    """The newest report of each of these patients (patients without one are left out;
    read-only rows)."""
    stmt = (
        select_rows(HealthReport)
        .where(HealthReport.patient_id.in_(patient_ids))
        .ext(distinct_on(HealthReport.patient_id))
        .order_by(HealthReport.patient_id, HealthReport.reported_at.desc(), HealthReport.id.desc())
    )
    return await fetch_rows(session, stmt, HealthReport)


async def add_note(session: AsyncSession, **values: Any) -> ClinicalNote:
    """Insert a clinical note."""
    note = ClinicalNote(**values)
    session.add(note)
    await session.flush()
    return note


async def notes_of(session: AsyncSession, patient_ids: Sequence[int]) -> list[ClinicalNote]:
    """Notes of these patients, oldest first."""
    stmt = (
        select(ClinicalNote)
        .where(ClinicalNote.patient_id.in_(patient_ids))
        .order_by(ClinicalNote.patient_id, ClinicalNote.id)
    )
    return list(await session.scalars(stmt))
