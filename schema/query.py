"""The root Query type."""

from __future__ import annotations

import strawberry

from resolvers import areas as resolve
from resolvers.context import Context
from schema.types.area import Area, Facility
from schema.types.enums import AreaLevel


@strawberry.type(description="Everything that can be read.")
class Query:
    @strawberry.field(description="One administrative area by its official code; null if unknown.")
    async def area(self, info: strawberry.Info[Context], code: strawberry.ID) -> Area | None:
        row = await resolve.area(info.context, str(code))
        return None if row is None else Area.from_model(row)

    @strawberry.field(
        description="Areas of one level, optionally only those under `parentCode`, ordered by code."
    )
    async def areas(
        self,
        info: strawberry.Info[Context],
        level: AreaLevel,
        parent_code: strawberry.ID | None = None,
    ) -> list[Area]:
        parent = None if parent_code is None else str(parent_code)
        rows = await resolve.areas(info.context, level=level, parent_code=parent)
        return [Area.from_model(r) for r in rows]

    @strawberry.field(
        description="Health facilities inside an area (at any depth) and of a tier, ordered by id."
    )
    async def facilities(
        self,
        info: strawberry.Info[Context],
        area_code: strawberry.ID | None = None,
        tier: int | None = None,
    ) -> list[Facility]:
        code = None if area_code is None else str(area_code)
        rows = await resolve.facilities(info.context, area_code=code, tier=tier)
        return [Facility.from_model(r) for r in rows]
