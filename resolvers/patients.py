"""Patient reads, scoped by the principal."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

from aiodataloader import DataLoader
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import HealthReport, Patient
from db.queries import patients as queries
from db.queries import reports as report_queries
from db.queries import transfers as transfer_queries
from db.scope import patient_visible
from domain.enums import ACTIVE_PATIENT_STATUSES, PERSONAL_DATA_ROLES, PatientStatus, Role, Severity
from domain.intake import clean_text
from domain.paging import Page
from domain.text import rule
from resolvers import filters
from resolvers.context import Context
from resolvers.errors import BadUserInput, Conflict, Forbidden, NotFound
from resolvers.filters import area_level
from resolvers.ids import NO_ROW, parse_id, shown
from resolvers.pagination import decode_cursor, page_size

MIN_SEARCH, MAX_SEARCH = 2, 100  # characters of a search term


@dataclass(frozen=True)
class PatientListFilter:
    """The patient-list filter as the API received it."""

    area_code: str | None = None
    statuses: tuple[PatientStatus, ...] = ()
    severities: tuple[Severity, ...] = ()
    tier: int | None = None
    facility_id: str | None = None
    report_overdue: bool | None = None
    search: str | None = None
    release_due: bool | None = None


async def patient(ctx: Context, patient_id: str) -> Patient | None:
    """One patient in scope, or None (unknown and out of scope look the same)."""
    row_id = parse_id(patient_id)
    if row_id is None:
        return None
    async with ctx.sessions() as session:
        return await queries.get_patient(session, scope=ctx.principal.scope, patient_id=row_id)


async def patients(
    ctx: Context,
    given: PatientListFilter,
    *,
    first: int | None,
    after: str | None,
    with_total: bool = True,
) -> Page[Patient]:
    """A page of the patients in scope, newest first."""
    query = await list_query(ctx, given)
    async with ctx.readers() as session:
        return await queries.list_patients(
            session,
            scope=ctx.principal.scope,
            query=query,
            first=page_size(first),
            after_id=decode_cursor(after, "patient"),
            with_total=with_total,
        )


async def list_query(ctx: Context, given: PatientListFilter) -> queries.PatientQuery:
    """The patient-list filter, checked (BAD_USER_INPUT, FORBIDDEN for a search by a role
    that may not read personal data)."""
    query = queries.PatientQuery(
        statuses=given.statuses,
        severities=given.severities,
        tier=filters.tier("filter.tier", given.tier),
        report_overdue=given.report_overdue,
        overdue_before=datetime.now(UTC) - ctx.services.report_interval,
        release_due=given.release_due,
        today=ctx.services.today(),
    )
    if given.area_code is not None:
        level = await area_level(ctx, given.area_code)
        query = replace(query, area_code=given.area_code, area_level=level)
    if given.facility_id is not None:
        query = replace(query, facility_id=parse_id(given.facility_id) or NO_ROW)
    if given.search is not None:
        if ctx.principal.role not in PERSONAL_DATA_ROLES:  # search reads personal data
            role = ctx.principal.role.value if ctx.principal.role else "anonymous"
            raise Forbidden(f"filter.search reads personal data; role {role} may not use it")
        term = clean_text(given.search)
        if not MIN_SEARCH <= len(term) <= MAX_SEARCH:
            raise BadUserInput(
                "filter.search",
                rule("must be {0} to {1} characters after trimming", MIN_SEARCH, MAX_SEARCH),
            )
        query = replace(query, search=term)
    return query


async def prefetch(ctx: Context, rows: Sequence[Patient], fields: set[str]) -> None:
    """Load, in one batch per kind, what the page's items will show (`fields` selected on
    each patient), so that each item then resolves without waiting."""
    ids = [p.id for p in rows]
    loads: list[Awaitable[object]] = []
    loaders = ctx.loaders
    by_patient: dict[str, DataLoader[int, Any]] = {
        "latestReport": loaders.latest_report,
        "openAlerts": loaders.open_alerts,
        "transfers": loaders.transfers,
        "clinicalNotes": loaders.notes,
    }
    loads.extend(loader.load_many(ids) for name, loader in by_patient.items() if name in fields)
    if "facility" in fields:
        facilities = {p.facility_id for p in rows if p.facility_id is not None}
        loads.append(loaders.facility_by_id.load_many(sorted(facilities)))
    if "homeCommune" in fields:
        homes = {p.home_commune_code for p in rows}
        homes |= {c for p in rows for c in (p.home_district_code, p.home_province_code) if c}
        loads.append(_areas_and_above(ctx, homes))
    await asyncio.gather(*loads)


async def _areas_and_above(ctx: Context, codes: set[str]) -> None:
    """These areas and every area above them (the hierarchy is data: walk it up)."""
    known = ctx.services.areas
    while codes:
        found = await ctx.loaders.area_by_code.load_many(sorted(codes))
        codes = {a.parent_code for a in found if a and a.parent_code and a.parent_code not in known}


async def reports(
    ctx: Context, patient_id: int, *, first: int | None, after: str | None
) -> Page[HealthReport]:
    """A page of one (visible) patient's reports, newest first."""
    async with ctx.sessions() as session:
        return await report_queries.report_page(
            session,
            patient_id=patient_id,
            first=page_size(first),
            after_id=decode_cursor(after, "report"),
        )


def require_active(patient: Patient, action: str) -> None:
    """CONFLICT unless the patient is in treatment (home or facility)."""
    if patient.status not in ACTIVE_PATIENT_STATUSES:
        raise Conflict(f"patient {patient.id} is {patient.status.value}; cannot {action}")


async def lock_visible(session: AsyncSession, ctx: Context, patient_id: str) -> Patient:
    """A patient in the caller's scope, locked for the transaction; NOT_FOUND otherwise."""
    found = None
    row_id = parse_id(patient_id)
    if row_id is not None:
        found = await transfer_queries.lock_patient(
            session, patient_id=row_id, allowed=patient_visible(ctx.principal.scope)
        )
    if found is None:
        raise NotFound(f"patient {shown(patient_id)} not found")
    return found


async def lock_acting_for(session: AsyncSession, ctx: Context, patient_id: str | None) -> Patient:
    """The patient a report or SOS is about, locked: a citizen's own record when no id is
    given (staff must give one), else a patient in the caller's scope."""
    if patient_id is not None:
        return await lock_visible(session, ctx, patient_id)
    if ctx.principal.role is not Role.CITIZEN:
        raise BadUserInput("input.patientId", rule("staff must say which patient it is about"))
    own = await queries.own_patient(session, subject=ctx.principal.subject)
    if own is None:
        raise NotFound("you have no patient record")
    return own
