"""Facilities run by administrators inside their area, and the beds their staff report:
the latest report is the capacity a transfer is checked against; the history is the
occupancy trend."""

from __future__ import annotations

from dataclasses import dataclass

from db.models import BedReport, Facility
from db.queries import facilities as queries
from domain import intake
from domain.accounts import Place
from domain.enums import AreaLevel, FacilityKind, Role
from domain.text import Texts, rule
from resolvers.accounts import admin_area
from resolvers.audit import log_change
from resolvers.context import Context
from resolvers.errors import Conflict, Forbidden, InvalidInput, NotFound
from resolvers.ids import parse_id, shown

MAX_NAME, MAX_BEDS = 200, 100_000


@dataclass(frozen=True)
class FacilityInput:
    """A facility as an administrator gives it (None: unchanged, for an update)."""

    name: str | None = None
    kind: FacilityKind | None = None
    tier: int | None = None
    area_code: str | None = None
    active: bool | None = None


async def _commune(
    ctx: Context, code: str | None, admin: Place, problems: list[tuple[str, Texts]]
) -> tuple[str, str | None, str] | None:
    """The commune a facility lies in (its code, district and province), checked; None
    when none is given or it is wrong."""
    if code is None:
        return None
    found = await ctx.services.directory.area(code)
    if found is None or found.level is not AreaLevel.COMMUNE:
        problems.append(("input.areaCode", rule("must be the code of a commune")))
        return None
    if not Place(found.code, found.level, found.ancestors).inside(admin):
        problems.append(("input.areaCode", rule("must lie inside your area {0}", admin.code)))
        return None
    row = await ctx.loaders.area_by_code.load(found.code)  # its denormalised codes
    if row is None or row.province_code is None:
        raise LookupError(f"area {found.code} vanished")
    return found.code, row.district_code, row.province_code


def _checked(given: FacilityInput, problems: list[tuple[str, Texts]]) -> str | None:
    name = None if given.name is None else intake.clean_text(given.name)
    if name is not None and not 1 <= len(name) <= MAX_NAME:
        problems.append(("input.name", rule("must be 1 to {0} characters", MAX_NAME)))
    if given.tier is not None and given.tier not in (1, 2, 3):
        problems.append(("input.tier", rule("must be a tier: 1, 2 or 3")))
    return name


async def create_facility(ctx: Context, given: FacilityInput) -> Facility:
    """A new facility in a commune inside the administrator's area."""
    admin = admin_area(ctx)
    problems: list[tuple[str, Texts]] = []
    name = _checked(given, problems)
    for field, value in (("name", given.name), ("kind", given.kind), ("tier", given.tier),
                         ("areaCode", given.area_code)):  # fmt: skip
        if value is None:
            problems.append((f"input.{field}", rule("is required")))
    where = (
        None if given.area_code is None else await _commune(ctx, given.area_code, admin, problems)
    )
    if problems or where is None or name is None or given.kind is None or given.tier is None:
        raise InvalidInput(problems)
    commune, district, province = where
    async with ctx.sessions.begin() as session:
        if await queries.name_taken(session, area_code=commune, name=name):
            raise Conflict(f"a facility named {name!r} exists in {commune} already")
        facility = await queries.add_facility(
            session, name=name, kind=given.kind, tier=given.tier, area_code=commune,
            district_code=district, province_code=province, active=given.active is not False,
        )  # fmt: skip
        await log_change(
            session, ctx, action="CREATE_FACILITY", entity="facility",
            entity_ids=[str(facility.id)], detail=name,
        )  # fmt: skip
    return facility


async def _managed(ctx: Context, facility: Facility | None, given_id: str) -> Facility:
    """A facility inside the administrator's area (others do not exist for them)."""
    if facility is not None:
        area = await ctx.services.directory.area(facility.area_code)
        if area is not None and Place(area.code, area.level, area.ancestors).inside(
            admin_area(ctx)
        ):
            return facility
    raise NotFound(f"facility {shown(given_id)} not found")


async def update_facility(ctx: Context, facility_id: str, given: FacilityInput) -> Facility:
    """Rename, re-kind, move or switch off/on a facility inside the administrator's area."""
    admin = admin_area(ctx)
    problems: list[tuple[str, Texts]] = []
    name = _checked(given, problems)
    where = (
        None if given.area_code is None else await _commune(ctx, given.area_code, admin, problems)
    )
    if problems:
        raise InvalidInput(problems)
    row_id = parse_id(facility_id)
    async with ctx.sessions.begin() as session:
        found = None if row_id is None else await queries.facility_for_update(session, row_id)
        facility = await _managed(ctx, found, facility_id)
        values: dict[str, object] = {
            "name": name, "kind": given.kind, "tier": given.tier, "active": given.active
        }  # fmt: skip
        if where is not None:
            values |= dict(zip(("area_code", "district_code", "province_code"), where, strict=True))
        changed = sorted(
            k for k, v in values.items() if v is not None and getattr(facility, k) != v
        )
        if "name" in changed or "area_code" in changed:
            area = str(values.get("area_code") or facility.area_code)
            taken = await queries.name_taken(
                session, area_code=area, name=str(values.get("name") or facility.name),
                other_than=facility.id,
            )  # fmt: skip
            if taken:
                raise Conflict(f"a facility of that name exists in {area} already")
        for column in changed:
            setattr(facility, column, values[column])
        if changed:
            await log_change(
                session, ctx, action="UPDATE_FACILITY", entity="facility",
                entity_ids=[str(facility.id)], fields=changed,
            )  # fmt: skip
    ctx.services.directory.forget_facility(facility.id)
    return facility


async def report_beds(
    ctx: Context, facility_id: str, capacity: int, occupied_outside: int
) -> BedReport:
    """The beds of a facility now, by its own staff (or an administrator of its area):
    kept as history; the facility's capacity from now on. A report the same as the
    latest one changes nothing (a retry)."""
    problems: list[tuple[str, Texts]] = []
    if not 0 <= capacity <= MAX_BEDS:
        problems.append(("input.capacity", rule("must be 0 to {0}", MAX_BEDS)))
    if not 0 <= occupied_outside <= max(capacity, 0):
        problems.append(("input.occupiedOutsideF0care", rule("must be 0 to the capacity")))
    if problems:
        raise InvalidInput(problems)
    row_id = parse_id(facility_id)
    principal = ctx.principal
    async with ctx.sessions.begin() as session:
        found = None if row_id is None else await queries.facility_for_update(session, row_id)
        if found is not None and principal.role is Role.HOSPITAL_STAFF:
            if principal.facility is None or principal.facility.id != found.id:
                raise Forbidden("hospital staff report the beds of their own facility only")
            facility = found
        else:
            facility = await _managed(ctx, found, facility_id)
        latest = await queries.latest_report(session, facility.id)
        if latest is not None and (latest.capacity, latest.occupied_outside) == (
            capacity, occupied_outside
        ):  # fmt: skip
            return latest
        report = await queries.add_report(
            session, facility_id=facility.id, capacity=capacity,
            occupied_outside=occupied_outside,
            occupied_f0care=await queries.in_facility(session, facility.id),
            reported_by=principal.subject, reported_role=principal.role,
        )  # fmt: skip
        facility.bed_capacity = capacity
        facility.beds_occupied_outside = occupied_outside
        await log_change(
            session, ctx, action="REPORT_BEDS", entity="facility", entity_ids=[str(facility.id)],
            detail=f"{capacity} beds, {occupied_outside} taken by others",
        )  # fmt: skip
    return report
