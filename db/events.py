"""The alert event bus: one dedicated LISTEN connection per process, fanned out in process
to subscribers through bounded queues.

Events are rows first; a notification only says "there is something after the last id you
read". After any gap (a dropped connection, a missed notification) the bus re-reads from the
last id it delivered, so nothing is lost and nothing is delivered twice.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import asyncpg
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from db.queries.alerts import CHANNEL, EventRow, events_after, last_event_id

log = logging.getLogger("f0care.events")
APPLICATION_NAME = "f0care-listener"


@dataclass(eq=False)
class Subscriber:
    """One subscription's mailbox. `accepts` decides which events it wants."""

    accepts: Callable[[EventRow], bool]
    queue: asyncio.Queue[EventRow]
    overflowed: bool = False


@dataclass
class AlertBus:
    """Receives committed alert events and hands them to this process's subscribers."""

    dsn: str
    sessions: async_sessionmaker[AsyncSession]
    probe_seconds: float = 5.0
    queue_size: int = 1000
    subscribers: set[Subscriber] = field(default_factory=set)
    # other channels on the same connection: each callback runs on a notification, and
    # after every (re)connection (what was notified meanwhile is then read)
    also: dict[str, Callable[[], None]] = field(default_factory=dict)
    last_id: int | None = None  # None until the first connection sets the starting point
    _wake: asyncio.Event = field(default_factory=asyncio.Event)
    _task: asyncio.Task[None] | None = None
    _connection: Any = None

    async def start(self) -> None:
        """Begin listening in the background; events committed before the first connection
        are history, not news."""
        self._task = asyncio.create_task(self._run(), name="alert-bus")

    async def stop(self) -> None:
        """Stop listening and drop the connection."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        await self._close()

    def subscribe(self, accepts: Callable[[EventRow], bool]) -> Subscriber:
        """A new mailbox receiving the events `accepts` lets through."""
        subscriber = Subscriber(accepts, asyncio.Queue(self.queue_size))
        self.subscribers.add(subscriber)
        return subscriber

    def unsubscribe(self, subscriber: Subscriber) -> None:
        """Stop delivering to a mailbox."""
        self.subscribers.discard(subscriber)

    async def _run(self) -> None:
        delay = 0.5
        while True:
            try:
                await self._listen()
                if delay > 0.5:
                    log.info("alert listener connected again")
                delay = 0.5
                while True:
                    await self._deliver()
                    try:
                        # asyncio.timeout, not wait_for: on Python 3.11 wait_for can swallow a
                        # cancel that arrives as the wake-up does, and stop() then waits forever
                        async with asyncio.timeout(self.probe_seconds):
                            await self._wake.wait()
                    except TimeoutError:  # quiet: probe, a dead socket is only seen on use
                        await self._connection.fetchval("SELECT 1", timeout=self.probe_seconds)
                    self._wake.clear()
                    if self._connection.is_closed():
                        raise ConnectionError("the LISTEN connection was closed")
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # a lost connection: reconnect, then re-read the gap
                if delay == 0.5:  # once per outage, not once per attempt
                    log.warning("alert listener lost its connection (%s); reconnecting", exc)
                await self._close()
                await asyncio.sleep(delay)
                delay = min(delay * 2, 5.0)

    async def _listen(self) -> None:
        self._connection = await asyncpg.connect(
            self.dsn, server_settings={"application_name": APPLICATION_NAME}
        )
        self._connection.add_termination_listener(lambda _conn: self._wake.set())
        await self._connection.add_listener(CHANNEL, self._notified)
        for channel, callback in self.also.items():
            await self._connection.add_listener(channel, lambda *_, run=callback: run())
            callback()
        if self.last_id is None:
            async with self.sessions() as session:
                self.last_id = await last_event_id(session)
        self._wake.set()  # read whatever was committed while we were not listening

    def _notified(self, *_args: object) -> None:
        self._wake.set()

    async def _deliver(self) -> None:
        while self.last_id is not None:
            async with self.sessions() as session:
                rows = await events_after(session, after_id=self.last_id)
            for row in rows:
                self._fan_out(row)
                self.last_id = row.id
            if len(rows) < 1000:
                return

    def _fan_out(self, row: EventRow) -> None:
        for subscriber in list(self.subscribers):
            if subscriber.overflowed or not subscriber.accepts(row):
                continue
            try:
                subscriber.queue.put_nowait(row)
            except asyncio.QueueFull:
                subscriber.overflowed = True  # its connection is closed by the subscription
                subscriber.queue = asyncio.Queue(1)

    async def _close(self) -> None:
        connection, self._connection = self._connection, None
        if connection is not None:
            with contextlib.suppress(Exception):
                await connection.close(timeout=2)
