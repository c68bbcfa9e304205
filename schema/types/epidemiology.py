"""Epidemiology: exposure places of cases ("mốc dịch tễ")."""

from __future__ import annotations

from datetime import datetime

import strawberry

from resolvers import rows
from resolvers.context import Context
from schema.types.area import Area, area_of
from schema.types.enums import ExposureSetting


@strawberry.type(description="An exposure place of a case (mốc dịch tễ): where and when.")
class Exposure:
    id: strawberry.ID = strawberry.field(description="Exposure id.")
    place: str = strawberry.field(description="The place (e.g. Chợ Long Hoa, nhà văn hoá ấp).")
    address: str | None = strawberry.field(description="Its address, if known.")
    from_: datetime = strawberry.field(name="from", description="From when.")
    to: datetime | None = strawberry.field(description="Until when; null: a moment or unknown.")
    setting: ExposureSetting = strawberry.field(description="What kind of place.")
    note: str | None = strawberry.field(description="What happened there.")
    area_code: strawberry.Private[str | None]

    @classmethod
    def from_model(cls, row: rows.Exposure) -> Exposure:
        return cls(**rows.values_of("Exposure", row))

    @strawberry.field(description="The area it lies in, if known.")
    def area(self, info: strawberry.Info[Context]) -> Area | None:
        return area_of(info, self.area_code)


@strawberry.input(description="An exposure place.")
class ExposureInput:
    place: str = strawberry.field(description="The place, 1-200 characters.")
    setting: ExposureSetting = strawberry.field(description="What kind of place.")
    from_: datetime = strawberry.field(name="from", description="From when (last 30 days).")
    to: datetime | None = strawberry.field(default=None, description="Until when.")
    address: str | None = strawberry.field(default=None, description="Address, ≤ 300 chars.")
    area_code: strawberry.ID | None = strawberry.field(default=None, description="Its area.")
    note: str | None = strawberry.field(default=None, description="What happened there.")
