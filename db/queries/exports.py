"""The line-list export: the patients a list filter matches, read through a server-side
cursor (a row at a time, never the whole list in memory), and its one audit entry listing
every exported id, written by the database itself."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from typing import Any

from sqlalchemy import Text, cast, func, insert, literal, select
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import Area, AuditEntry, Facility, Patient
from db.queries.patients import PatientQuery, patient_conditions
from domain.enums import Role
from domain.scope import Scope

# (header, column) of every export, and of exports by roles that may read personal data
COLUMNS: tuple[tuple[str, Any], ...] = (
    ("caseCode", Patient.case_code),
    ("status", Patient.status),
    ("tier", Patient.tier),
    ("severity", Patient.severity),
    ("homeCommune", Area.name),
    ("facility", Facility.name),
    ("confirmedAt", Patient.confirmed_at),
    ("releaseDueOn", Patient.release_due_on),
)
PERSONAL: tuple[tuple[str, Any], ...] = (
    ("fullName", Patient.full_name),
    ("dateOfBirth", Patient.date_of_birth),
    ("sex", Patient.sex),
    ("phone", Patient.phone),
    ("nationalId", Patient.national_id),
    ("address", Patient.address),
)
BATCH = 1000  # rows fetched from the cursor at a time


async def count(session: AsyncSession, *, scope: Scope, query: PatientQuery) -> int:
    """How many patients an export of `query` would hold."""
    stmt = select(func.count()).select_from(Patient).where(*patient_conditions(scope, query))
    return int(await session.scalar(stmt) or 0)


async def audit_export(
    session: AsyncSession,
    *,
    scope: Scope,
    query: PatientQuery,
    subject: str,
    role: Role | None,
    organisation: str | None,
    fields: Sequence[str],
    detail: str,
) -> None:
    """One audit entry for the export, its ids gathered by the database (in the export's
    transaction: the same rows as the file)."""
    ids = (
        select(
            func.coalesce(
                func.array_agg(cast(Patient.id, Text)), literal([], AuditEntry.entity_ids.type)
            )
        )
        .where(*patient_conditions(scope, query))
        .scalar_subquery()
    )
    row = select(
        literal(subject), literal(role.value if role else None), literal("EXPORT"),
        literal("patient"), ids, literal(list(fields), AuditEntry.entity_ids.type),
        literal(detail), literal(organisation),
    )  # fmt: skip
    columns = ["subject", "role", "action", "entity", "entity_ids", "fields", "detail",
               "organisation"]  # fmt: skip
    await session.execute(insert(AuditEntry).from_select(columns, row))


async def rows(
    session: AsyncSession, *, scope: Scope, query: PatientQuery, personal: bool
) -> AsyncIterator[Sequence[Any]]:
    """The export's rows in case order, streamed from a server-side cursor."""
    columns = [c for _, c in COLUMNS] + ([c for _, c in PERSONAL] if personal else [])
    stmt = (
        select(*columns)
        .select_from(Patient)
        .join(Area, Area.code == Patient.home_commune_code)
        .outerjoin(Facility, Facility.id == Patient.facility_id)
        .where(*patient_conditions(scope, query))
        .order_by(Patient.id)
        .execution_options(yield_per=BATCH)
    )
    result = await session.stream(stmt)
    async for row in result:
        yield tuple(row)
