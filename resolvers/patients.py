"""Patient reads, scoped by the principal."""

from __future__ import annotations

from db.models import Patient
from db.queries import patients as queries
from db.queries.pagination import Page
from domain.enums import PatientStatus
from resolvers.context import Context
from resolvers.errors import BadUserInput
from resolvers.pagination import decode_cursor, page_size


async def patient(ctx: Context, patient_id: str) -> Patient | None:
    """One patient in scope, or None (unknown and out of scope look the same)."""
    if not patient_id.isdigit():
        return None
    async with ctx.sessions() as session:
        return await queries.get_patient(
            session, scope=ctx.principal.scope, patient_id=int(patient_id)
        )


async def patients(
    ctx: Context,
    *,
    area_code: str | None,
    statuses: list[PatientStatus] | None,
    first: int | None,
    after: str | None,
) -> Page[Patient]:
    """A page of the patients in scope, newest first."""
    query = queries.PatientQuery(statuses=tuple(statuses or ()))
    if area_code is not None:
        area = await ctx.services.directory.area(area_code)
        if area is None:
            raise BadUserInput("filter.areaCode", f"no area has code {area_code!r}")
        query = queries.PatientQuery(area.code, area.level, query.statuses)
    async with ctx.sessions() as session:
        return await queries.list_patients(
            session,
            scope=ctx.principal.scope,
            query=query,
            first=page_size(first),
            after_id=decode_cursor(after, "patient"),
        )
