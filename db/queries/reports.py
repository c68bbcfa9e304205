"""Health reports and clinical notes."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from db.base import Base
from db.models import ClinicalNote, HealthReport
from db.queries.pagination import keyset_page
from domain.enums import Severity
from domain.paging import Page

_REPORTS = Base.metadata.tables["health_reports"]
# built once: per report only the values are bound (no statement built, no cache key walked)
_INSERT_REPORT = (
    insert(_REPORTS)
    .on_conflict_do_nothing(index_elements=[_REPORTS.c.submitted_by, _REPORTS.c.idempotency_key])
    .returning(*_REPORTS.c)
)
_REPORT_BY_KEY = select(*_REPORTS.c).where(
    _REPORTS.c.submitted_by == bindparam("submitted_by"),
    _REPORTS.c.idempotency_key == bindparam("idempotency_key"),
)


async def insert_report(session: AsyncSession, values: dict[str, Any]) -> tuple[HealthReport, bool]:
    """Insert a report; a key its submitter used before returns the first report instead.
    The flag says whether this call created it. The report is a detached row object."""
    created = (await session.execute(_INSERT_REPORT, values)).mappings().one_or_none()
    if created is not None:
        return HealthReport(**created), True
    key = {"submitted_by": values["submitted_by"], "idempotency_key": values["idempotency_key"]}
    existing = (await session.execute(_REPORT_BY_KEY, key)).mappings().one()  # the first
    return HealthReport(**existing), False


_PATIENTS = Base.metadata.tables["patients"]
_NOTE_REPORT = (
    update(_PATIENTS)
    .where(_PATIENTS.c.id == bindparam("patient"))
    .values(severity=bindparam("severity"), last_report_at=bindparam("at"))
)


async def note_report(
    session: AsyncSession, *, patient_id: int, severity: Severity, at: datetime
) -> None:
    """The patient's severity and last report time after a report (one UPDATE, built once;
    the patient's loaded row object is not changed)."""
    await session.execute(_NOTE_REPORT, {"patient": patient_id, "severity": severity, "at": at})


async def report_page(
    session: AsyncSession, *, patient_id: int, first: int, after_id: int | None
) -> Page[HealthReport]:
    """One patient's reports, newest first (ids grow with arrival time)."""
    conditions = [HealthReport.patient_id == patient_id]
    return await keyset_page(session, HealthReport, conditions, first=first, after_id=after_id)


async def add_note(session: AsyncSession, **values: Any) -> ClinicalNote:
    """Insert a clinical note."""
    note = ClinicalNote(**values)
    session.add(note)
    await session.flush()
    return note
