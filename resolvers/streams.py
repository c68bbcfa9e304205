"""A subscription that replays what a subscriber missed, then continues live: subscribed
to the bus first (live events are buffered meanwhile), then every event after `start`
read from the table, then the buffered and new ones — no gap, no duplicate."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable

from db.events import EventBus, R, Subscriber
from domain.text import Texts
from resolvers.errors import BadUserInput
from resolvers.ids import parse_id


def event_id(field: str, value: str, broken: Texts) -> int:
    """An event id a caller resumes (or replays) after: digits, or 0 for the very first
    (BAD_USER_INPUT naming `field` and the rule `broken` otherwise)."""
    found = 0 if value == "0" else parse_id(value)
    if found is None:
        raise BadUserInput(field, broken)
    return found


async def replay_then_live(
    bus: EventBus[R],
    accepts: Callable[[R], bool],
    start: int | None,
    read_after: Callable[[int], Awaitable[list[R]]],
    limit: int,
    next_live: Callable[[Subscriber[R]], Awaitable[R]],
) -> AsyncIterator[R]:
    """Events `accepts` lets through: after `start` (None: from now), then live."""
    subscriber = bus.subscribe(accepts)
    try:
        last = start if start is not None else (bus.last_id or 0)
        if start is not None:
            while True:
                rows = await read_after(last)
                for row in rows:
                    last = int(row.id)
                    if accepts(row):
                        yield row
                if len(rows) < limit:
                    break
        while True:
            row = await next_live(subscriber)
            if row.id > last:
                last = int(row.id)
                yield row
    finally:
        bus.unsubscribe(subscriber)
