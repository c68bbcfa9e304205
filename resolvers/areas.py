"""Reference data: administrative areas and facilities."""

from __future__ import annotations

from db.models import Area, Facility
from db.queries import areas as queries
from domain.enums import AreaLevel
from resolvers import filters
from resolvers.context import Context


async def areas(ctx: Context, *, level: AreaLevel, parent_code: str | None) -> list[Area]:
    """Areas of one level, optionally under one parent."""
    async with ctx.sessions() as session:
        return await queries.list_areas(session, queries.AreaQuery(level, parent_code))


async def children(ctx: Context, code: str) -> list[Area]:
    """Child areas of one area."""
    found: list[Area] = await ctx.loaders.area_children.load(code)
    return found


async def facilities(ctx: Context, *, area_code: str | None, tier: int | None) -> list[Facility]:
    """Facilities inside an area and of a tier."""
    tier = filters.tier("tier", tier)
    async with ctx.sessions() as session:
        return await queries.list_facilities(session, queries.FacilityQuery(area_code, tier))
