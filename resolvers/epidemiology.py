"""Epidemiology: the exposure places of a case ("mốc dịch tễ")."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from db.models import Area, Exposure
from db.queries import epidemiology as queries
from domain import intake
from domain.enums import AreaLevel, ExposureSetting
from resolvers import filters
from resolvers.audit import log_change
from resolvers.context import Context
from resolvers.errors import InvalidInput, NotFound
from resolvers.ids import parse_id, shown
from resolvers.patients import lock_visible

MAX_PLACE, MAX_ADDRESS, MAX_NOTE = 200, 300, 2000
LOOKBACK = timedelta(days=30)  # exposures of interest lie within a month before the case
CLOCK_SKEW = timedelta(minutes=5)


@dataclass(frozen=True)
class ExposureInput:
    """An exposure place as submitted."""

    place: str
    setting: ExposureSetting
    from_at: datetime
    to_at: datetime | None = None
    address: str | None = None
    area_code: str | None = None
    note: str | None = None


async def add_exposure(ctx: Context, patient_id: str, given: ExposureInput) -> Exposure:
    """An exposure place of a case in scope."""
    now = datetime.now(UTC)
    place = intake.clean_text(given.place)
    problems: list[tuple[str, str]] = []
    if not 1 <= len(place) <= MAX_PLACE:
        problems.append(("input.place", f"must be 1 to {MAX_PLACE} characters after trimming"))
    address = None if given.address is None else intake.clean_text(given.address) or None
    if address is not None and len(address) > MAX_ADDRESS:
        problems.append(("input.address", f"must be at most {MAX_ADDRESS} characters"))
    for field, moment in (("input.from", given.from_at), ("input.to", given.to_at)):
        if moment is None:
            continue
        if moment.tzinfo is None:
            problems.append((field, "must carry a time zone offset"))
        elif moment > now + CLOCK_SKEW:
            problems.append((field, "must not be in the future"))
        elif moment < now - LOOKBACK:
            problems.append((field, f"must be within the last {LOOKBACK.days} days"))
    if (
        given.to_at is not None
        and given.to_at.tzinfo is not None
        and given.from_at.tzinfo is not None
        and given.to_at < given.from_at
    ):
        problems.append(("input.to", "must not be before `from`"))
    if problems:
        raise InvalidInput(problems)
    note = filters.optional_text("input.note", given.note, MAX_NOTE)
    async with ctx.sessions.begin() as session:
        patient = await lock_visible(session, ctx, patient_id)
        if given.area_code is not None:
            area = await session.get(Area, given.area_code)
            if area is None or area.level is AreaLevel.COUNTRY:
                raise InvalidInput([("input.areaCode", "must be the code of an area of Viet Nam")])
        exposure = await queries.add_exposure(
            session,
            patient_id=patient.id,
            place=place,
            address=address,
            area_code=given.area_code,
            from_at=given.from_at,
            to_at=given.to_at,
            setting=given.setting,
            note=note,
            created_by=ctx.principal.subject,
        )
        await log_change(
            session,
            ctx,
            action="ADD_EXPOSURE",
            entity="patient",
            entity_ids=[str(patient.id)],
            detail=f"exposure {exposure.id}",
        )
    return exposure


async def remove_exposure(ctx: Context, exposure_id: str) -> bool:
    """Remove an exposure place of a case in scope (e.g. entered by mistake)."""
    async with ctx.sessions.begin() as session:
        row_id = parse_id(exposure_id)
        found = None if row_id is None else await queries.exposure_for_update(session, row_id)
        if found is None:
            raise NotFound(f"exposure {shown(exposure_id)} not found")
        await lock_visible(session, ctx, str(found.patient_id))  # scope
        await queries.remove_exposure(session, found.id)
        await log_change(
            session,
            ctx,
            action="REMOVE_EXPOSURE",
            entity="patient",
            entity_ids=[str(found.patient_id)],
            detail=f"exposure {found.id}: {found.place}",
        )
    return True
