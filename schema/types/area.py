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
from schema.types.enums import AreaLevel, FacilityKind, Role


@strawberry.type(description="An administrative area of Viet Nam: province, district or commune.")
class Area:
    code: strawberry.ID = strawberry.field(
        description="Official code: 2 digits for a province, 3 for a district, 5 for a commune."
    )
    name: str = strawberry.field(
        description="Official name with its division type, e.g. 'Thị xã Trảng Bàng'."
    )
    level: AreaLevel = strawberry.field(description="Level in the hierarchy.")
    parent_code: strawberry.Private[str | None]

    @classmethod
    def from_model(cls, row: rows.Area) -> Area:
        """The GraphQL view of an area row."""
        return cls(**rows.values_of("Area", row))

    @strawberry.field(description="The area this one belongs to; null for the country.")
    def parent(self, info: strawberry.Info[Context]) -> Area | None:
        return area_of(info, self.parent_code)

    @strawberry.field(description="The areas directly below this one, ordered by code.")
    async def children(self, info: strawberry.Info[Context]) -> list[Area]:
        return [Area.from_model(a) for a in await resolve.children(info.context, str(self.code))]


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
