"""One poller per key per process, shared by every subscriber of that key: a thousand
committee screens on one province cost one computation per interval, not a thousand."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncGenerator, Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from resolvers.errors import is_unavailable

log = logging.getLogger("f0care.polls")

_UNSET: Any = object()


@dataclass
class LiveStatisticsLimits:
    """How much live statistics one process serves: subscriptions per principal, areas
    polled at once (F0CARE_MAX_LIVE_STATISTICS_PER_PRINCIPAL, F0CARE_MAX_LIVE_STATISTICS_AREAS)."""

    per_principal: int = 5
    areas: int = 100
    following: dict[str, int] = field(default_factory=dict)  # subject → subscriptions


@dataclass
class _Poll:
    latest: Any = _UNSET
    queues: set[asyncio.Queue[Any]] = field(default_factory=set)
    task: asyncio.Task[None] | None = None


def _offer(queue: asyncio.Queue[Any], value: Any) -> None:
    """Hand over the newest value; a subscriber that has not taken the previous one gets
    only the newest (a snapshot supersedes the last)."""
    if queue.full():
        queue.get_nowait()
    queue.put_nowait(value)


class SharedPolls:
    """Keyed pollers that run while somebody follows them."""

    def __init__(self) -> None:
        self._polls: dict[str, _Poll] = {}

    def running(self) -> int:
        """How many pollers run now."""
        return len(self._polls)

    def has(self, key: str) -> bool:
        """Whether a poller of `key` runs now."""
        return key in self._polls

    async def follow(
        self, key: str, produce: Callable[[], Awaitable[Any]], every: float
    ) -> AsyncGenerator[Any, None]:
        """The key's current value, then each different value, checked every `every`
        seconds. The first follower of a key starts its poller, the last one stops it."""
        poll = self._polls.get(key)
        if poll is None:
            poll = self._polls[key] = _Poll()
            poll.task = asyncio.create_task(self._run(poll, produce, every), name=f"poll-{key}")
        queue: asyncio.Queue[Any] = asyncio.Queue(maxsize=1)
        poll.queues.add(queue)
        if poll.latest is not _UNSET:
            _offer(queue, poll.latest)
        try:
            while True:
                yield await queue.get()
        finally:
            poll.queues.discard(queue)
            if not poll.queues and self._polls.get(key) is poll:
                del self._polls[key]
                if poll.task is not None:
                    poll.task.cancel()
                    with contextlib.suppress(asyncio.CancelledError):
                        await poll.task

    @staticmethod
    async def _run(poll: _Poll, produce: Callable[[], Awaitable[Any]], every: float) -> None:
        while True:
            try:
                value = await produce()
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # the followers wait for the next round
                if is_unavailable(exc):  # an outage: logged once, where it is noticed
                    log.debug("a shared poll could not reach the database: %s", exc)
                else:
                    log.exception("a shared poll failed; retrying in %.0f s", every)
            else:
                if value != poll.latest:
                    poll.latest = value
                    for queue in poll.queues:
                        _offer(queue, value)
            await asyncio.sleep(every)
