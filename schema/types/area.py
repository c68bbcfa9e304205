"""Areas (tỉnh / huyện / xã) and health facilities."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal, overload

import strawberry

from resolvers import areas as resolve
from resolvers import rows
from resolvers.context import Context
from resolvers.loaders import now_or_later
from schema.permissions import authenticated
from schema.types.enums import AreaEdition, AreaLevel, FacilityKind, Role


@strawberry.type(
    description="An administrative area of Viet Nam: province, district (2021 map only) or "
    "commune, of one edition of the map."
)
class Area:
    code: strawberry.ID = strawberry.field(
        description="Official code: 2 digits for a province, 3 for a district, 5 for a commune. "
        "Codes are reused across editions: a code names a place only with its edition."
    )
    name: str = strawberry.field(
        description="Official name with its division type, e.g. 'Thị xã Trảng Bàng'."
    )
    level: AreaLevel = strawberry.field(description="Level in the hierarchy.")
    edition: AreaEdition = strawberry.field(description="The edition of the map it belongs to.")
    parent_code: strawberry.Private[str | None]

    @classmethod
    def from_model(cls, row: rows.Area | rows.AreaUnit) -> Area:
        """The GraphQL view of an area row (of the edition in use, or of another)."""
        return cls(**rows.values_of("Area", row))

    @strawberry.field(description="The area this one belongs to; null for the country.")
    async def parent(self, info: strawberry.Info[Context]) -> Area | None:
        if self.parent_code is None:
            return None
        return await area_in(info, self.parent_code, self.edition)

    @strawberry.field(description="The areas directly below this one, ordered by code.")
    async def children(self, info: strawberry.Info[Context]) -> list[Area]:
        other = await resolve.other_edition(info.context, self.edition)
        if other is None:
            found = await resolve.children(info.context, str(self.code))
            return [Area.from_model(a) for a in found]
        units = await resolve.unit_children(info.context, other, str(self.code))
        return [Area.from_model(a) for a in units]

    @strawberry.field(
        description="The areas of the later edition that continue this one (the official "
        "conversion table, by code): one, or several when it was split (`partial`)."
    )
    async def successors(self, info: strawberry.Info[Context]) -> list[AreaSuccession]:
        found = await resolve.successions(info.context, self.edition, str(self.code), later=True)
        return [AreaSuccession(area=Area.from_model(a), partial=part) for a, part in found]

    @strawberry.field(
        description="The areas of the earlier edition this one continues (wholly, or "
        "`partial`: part of a split one)."
    )
    async def predecessors(self, info: strawberry.Info[Context]) -> list[AreaSuccession]:
        found = await resolve.successions(info.context, self.edition, str(self.code), later=False)
        return [AreaSuccession(area=Area.from_model(a), partial=part) for a, part in found]


async def area_in(
    info: strawberry.Info[Context], code: str, edition: AreaEdition | None
) -> Area | None:
    """The area `code` of `edition` (default: the one in use), or None when unknown."""
    other = await resolve.other_edition(info.context, edition)
    row: rows.Area | rows.AreaUnit | None
    if other is None:
        row = await info.context.loaders.area_by_code.load(code)
    else:
        row = await resolve.area(info.context, code, other)
    return None if row is None else Area.from_model(row)


@strawberry.type(description="An area of another edition of the map linked to this one.")
class AreaSuccession:
    area: Area = strawberry.field(description="The area of the other edition.")
    partial: bool = strawberry.field(
        description="Only part of the older area is concerned: it was split between several."
    )


@strawberry.type(
    description="A health facility: commune health station, hospital or screening hospital."
)
class Facility:
    id: strawberry.ID = strawberry.field(description="Facility id.")
    name: str = strawberry.field(description="Name of the facility.")
    tier: int = strawberry.field(
        description="Treatment tier: 1 commune/home care, 2 COVID-19 hospital, 3 intensive care."
    )
    bed_capacity: int | None = strawberry.field(
        description="Number of beds for COVID-19 patients, if known (the latest bed report)."
    )
    kind: FacilityKind = strawberry.field(description="What it does.")
    active: bool = strawberry.field(description="false: switched off by an administrator.")
    beds_occupied_outside_f0care: int | None = strawberry.field(
        description="Beds taken by patients f0care does not follow (the latest bed report)."
    )
    area_code: strawberry.Private[str]

    @classmethod
    def from_model(cls, row: rows.Facility) -> Facility:
        """The GraphQL view of a facility row."""
        return cls(**rows.values_of("Facility", row))

    @strawberry.field(description="The commune the facility is located in.")
    def area(self, info: strawberry.Info[Context]) -> Area:
        return area_of(info, self.area_code, required=True)

    @strawberry.field(description="Patients IN_FACILITY here now (compare with bedCapacity).")
    async def occupancy(self, info: strawberry.Info[Context]) -> int:
        count: int = await info.context.loaders.occupancy.load(int(self.id))
        return count

    @strawberry.field(
        description="Its bed reports, latest first (signed-in callers).",
        extensions=authenticated(),
    )
    def bed_reports(self, info: strawberry.Info[Context]) -> list[BedReport] | None:
        return now_or_later(
            info.context.loaders.bed_reports.load(int(self.id)),
            lambda found: [BedReport.from_model(r) for r in found],
        )


@strawberry.type(description="A facility's beds as reported at one time.")
class BedReport:
    id: strawberry.ID = strawberry.field(description="Report id.")
    capacity: int = strawberry.field(description="Beds for COVID-19 patients.")
    occupied_outside_f0care: int = strawberry.field(
        description="Beds taken by patients f0care does not follow."
    )
    occupied_f0care: int = strawberry.field(
        description="f0care's patients IN_FACILITY when reported."
    )
    reported_role: Role = strawberry.field(description="Who reported: their role.")
    reported_at: datetime = strawberry.field(description="When.")

    @classmethod
    def from_model(cls, row: rows.BedReport) -> BedReport:
        return cls(**rows.values_of("BedReport", row))


@overload
def area_of(info: strawberry.Info[Context], code: str, *, required: Literal[True]) -> Area: ...
@overload
def area_of(info: strawberry.Info[Context], code: str | None) -> Area | None: ...
def area_of(info: strawberry.Info[Context], code: str | None, *, required: bool = False) -> Any:
    """The area with this code (at once when known; areas are kept per process); None for
    None or unknown, unless `required` (a foreign key guarantees it)."""
    if code is None:
        return None

    def view(row: rows.Area | None) -> Area | None:
        if row is None and required:
            raise LookupError(f"no area {code}")
        return None if row is None else Area.from_model(row)

    return now_or_later(info.context.loaders.area_by_code.load(code), view)


def facility_of(info: strawberry.Info[Context], facility_id: int | None) -> Facility | None:
    """The facility with this id (at once when prefetched); None for None or unknown."""
    if facility_id is None:
        return None
    return now_or_later(
        info.context.loaders.facility_by_id.load(facility_id),
        lambda row: None if row is None else Facility.from_model(row),
    )
