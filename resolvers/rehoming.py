"""The rehoming queue after a move to a new map: staff of the new province see what waits
there and choose each record's commune (audited)."""

from __future__ import annotations

from datetime import UTC, datetime

from db.models import RehomingItem
from db.queries import rehoming as queries
from domain.text import rule
from resolvers import filters
from resolvers.audit import log_change
from resolvers.context import Context
from resolvers.errors import BadUserInput, Conflict, Forbidden, NotFound
from resolvers.ids import parse_id

MAX_REASON = 500


async def _province(ctx: Context, code: str) -> str:
    """The province the caller may look after (their own, or one inside their area)."""
    area = await ctx.services.directory.area(code)
    principal = ctx.principal.area
    if area is None:
        raise BadUserInput("provinceCode", rule("no area has code {0!r}", code))
    if principal is None or not principal.covers(area.code, area.ancestors):
        raise Forbidden(f"province {code} is not in your care: the queue is its staff's")
    return area.code


async def queue(ctx: Context, province_code: str) -> list[RehomingItem]:
    """What waits in a province for its commune on the new map, oldest first."""
    province = await _province(ctx, province_code)
    async with ctx.readers() as session:
        return await queries.open_items(session, province)


async def reassign(ctx: Context, item_id: str, commune_code: str, reason: str) -> RehomingItem:
    """Give a waiting record its commune (one of the province's), with the reason."""
    cleaned = filters.optional_text("reason", reason, MAX_REASON)
    if not cleaned:
        raise BadUserInput("reason", rule("must say why this commune"))
    key = parse_id(item_id)
    async with ctx.sessions.begin() as session:
        item = None if key is None else await queries.item_for_update(session, key)
        if item is None:
            raise NotFound(f"no rehoming item {item_id}")
        await _province(ctx, item.province_code)
        if item.resolved_at is not None:
            raise Conflict(f"rehoming item {item.id} was settled already ({item.resolved_code})")
        commune = await queries.commune_of(session, commune_code, item.province_code)
        if commune is None:
            raise BadUserInput(
                "communeCode", rule("must be a commune of province {0}", item.province_code)
            )
        await queries.rehome(session, item, commune)
        item.resolved_at = datetime.now(UTC)
        item.resolved_by = ctx.principal.subject
        item.resolved_code = commune.code
        await log_change(
            session, ctx, action="REASSIGN_HOME_COMMUNE", entity=item.kind.value.lower(),
            entity_ids=[str(item.entity_id)],
            detail=f"{item.old_code} ({item.old_edition.value}, {item.reason.value}) → "
            f"{commune.code}: {cleaned}",
        )  # fmt: skip
    return item
