"""Argument checks shared by resolvers: list filters, tiers, optional notes."""

from __future__ import annotations

from domain.enums import TIERS, AreaLevel
from domain.text import rule
from resolvers.context import Context
from resolvers.errors import BadUserInput


async def area_level(ctx: Context, code: str | None) -> AreaLevel | None:
    """The level of the area named by `filter.areaCode` (None without one); an unknown
    code is BAD_USER_INPUT."""
    if code is None:
        return None
    area = await ctx.services.directory.area(code)
    if area is None:
        raise BadUserInput("filter.areaCode", rule("no area has code {0!r}", code))
    return area.level


def tier(field: str, value: int | None) -> int | None:
    """A tier argument, checked: 1, 2 or 3 (or none)."""
    if value is not None and value not in TIERS:
        raise BadUserInput(field, rule("must be a tier: 1, 2 or 3, got {0}", value))
    return value


def optional_text(field: str, value: str | None, max_length: int) -> str | None:
    """An optional note, trimmed (None when empty); longer than `max_length` is refused."""
    text = value.strip() if value else ""
    if len(text) > max_length:
        raise BadUserInput(field, rule("must be at most {0} characters", max_length))
    return text or None
