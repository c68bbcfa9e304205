"""Reference data: administrative areas and facilities."""

from __future__ import annotations

from db.models import Area, AreaUnit, Facility
from db.queries import areas as queries
from domain.enums import AreaEdition, AreaLevel
from domain.text import rule
from resolvers import filters
from resolvers.context import Context
from resolvers.errors import BadUserInput


async def edition_in_use(ctx: Context) -> AreaEdition:
    """The edition of the map the records use (read once per process)."""
    return await ctx.services.directory.edition()


async def other_edition(ctx: Context, edition: AreaEdition | None) -> AreaEdition | None:
    """`edition` when it is not the one in use (its areas are reference data), else None."""
    if edition is None or edition is await edition_in_use(ctx):
        return None
    return edition


async def area(ctx: Context, code: str, edition: AreaEdition) -> AreaUnit | None:
    """An area of an edition not in use."""
    async with ctx.readers() as session:
        return await queries.unit(session, edition, code)


async def area_query(
    ctx: Context, *, level: AreaLevel, parent_code: str | None, edition: AreaEdition | None
) -> queries.AreaQuery:
    """The area-list filter, checked (DISTRICT exists only on the 2021 map)."""
    of = edition or await edition_in_use(ctx)
    if level is AreaLevel.DISTRICT and of is not AreaEdition.VN_2021:
        raise BadUserInput("level", rule("there are no districts on the {0} map", of.value))
    return queries.AreaQuery(level, parent_code)


async def areas(
    ctx: Context, *, level: AreaLevel, parent_code: str | None, edition: AreaEdition | None
) -> list[Area] | list[AreaUnit]:
    """Areas of one level, optionally under one parent, of an edition (default: in use)."""
    query = await area_query(ctx, level=level, parent_code=parent_code, edition=edition)
    other = await other_edition(ctx, edition)
    async with ctx.readers() as session:
        if other is None:
            return await queries.list_areas(session, query)
        return await queries.units(session, other, query)


async def unit_children(ctx: Context, edition: AreaEdition, code: str) -> list[AreaUnit]:
    """The areas directly below one of an edition not in use."""
    async with ctx.readers() as session:
        return await queries.unit_children(session, edition, code)


async def successions(
    ctx: Context, edition: AreaEdition, code: str, *, later: bool
) -> list[tuple[AreaUnit, bool]]:
    """The areas of other editions continuing this one (`later`) or continued by it."""
    async with ctx.readers() as session:
        return await queries.successions(session, edition, code, later=later)


async def children(ctx: Context, code: str) -> list[Area]:
    """Child areas of one area."""
    found: list[Area] = await ctx.loaders.area_children.load(code)
    return found


async def facilities(ctx: Context, *, area_code: str | None, tier: int | None) -> list[Facility]:
    """Facilities inside an area and of a tier."""
    tier = filters.tier("tier", tier)
    async with ctx.sessions() as session:
        return await queries.list_facilities(session, queries.FacilityQuery(area_code, tier))
