"""Object ids as the API takes them: decimal strings of a positive bigint. A string that
cannot be one (letters, "²", beyond 2^63 - 1) names no object: reads find nothing and
mutations answer NOT_FOUND, exactly as for an id that does not exist."""

from __future__ import annotations

MAX_ID = 2**63 - 1  # PostgreSQL bigint
NO_ROW = 0  # ids start at 1: a filter on this id matches nothing


def parse_id(value: object) -> int | None:
    """The row id `value` names, or None when it cannot name one."""
    text = str(value)
    if not (0 < len(text) <= 19 and text.isascii() and text.isdigit()):
        return None
    number = int(text)
    return number if 0 < number <= MAX_ID else None


def shown(value: object) -> str:
    """`value` as an error message may repeat it: at most 40 characters."""
    text = str(value)
    return text if len(text) <= 40 else text[:39] + "…"
