"""Helpers shared by the list resolvers."""

from __future__ import annotations

from domain.enums import AreaLevel
from resolvers.context import Context
from resolvers.errors import BadUserInput


async def area_level(ctx: Context, code: str | None) -> AreaLevel | None:
    """The level of the area named by `filter.areaCode` (None without one); an unknown
    code is BAD_USER_INPUT."""
    if code is None:
        return None
    area = await ctx.services.directory.area(code)
    if area is None:
        raise BadUserInput("filter.areaCode", f"no area has code {code!r}")
    return area.level
