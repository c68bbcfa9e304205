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
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

import asyncpg
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from db.models import PersonEvent
from db.queries import alerts, person_events
from db.queries.alerts import EventRow

log = logging.getLogger("f0care.events")
APPLICATION_NAME = "f0care-listener"


R = TypeVar("R", EventRow, PersonEvent)  # the events a bus carries (each has an int id)


@dataclass(eq=False)
class Subscriber(Generic[R]):
    """One subscription's mailbox. `accepts` decides which events it wants."""

    accepts: Callable[[R], bool]
    queue: asyncio.Queue[R]
    overflowed: bool = False


async def _alert_events(session: AsyncSession, after_id: int) -> list[EventRow]:
    return await alerts.events_after(session, after_id=after_id)


@dataclass
class EventBus(Generic[R]):
    """Receives committed events of one kind (rows of a table with monotonic ids, each
    announced on `channel`) and hands them to this process's subscribers."""

    dsn: str
    sessions: async_sessionmaker[AsyncSession]
    channel: str
    read_after: Callable[[AsyncSession, int], Awaitable[list[R]]]
    newest: Callable[[AsyncSession], Awaitable[int]]
    probe_seconds: float = 5.0
    queue_size: int = 1000
    # False: no LISTEN connection of its own; another bus's connection wakes it (`wake`,
    # as one of its `also` channels), and it reads anyway every `probe_seconds`
    listens: bool = True
    subscribers: set[Subscriber[R]] = field(default_factory=set)
    # other channels on the same connection: each callback runs on a notification, and
    # after every (re)connection (what was notified meanwhile is then read)
    also: dict[str, Callable[[], None]] = field(default_factory=dict)
    last_id: int | None = None  # None until the first connection sets the starting point
    _wake: asyncio.Event = field(default_factory=asyncio.Event)
    _task: asyncio.Task[None] | None = None
    _connection: Any = None
    _stopping: bool = False

    async def start(self) -> None:
        """Begin listening in the background; events committed before the first connection
        are history, not news."""
        self._task = asyncio.create_task(self._run(), name="alert-bus")

    async def stop(self) -> None:
        """Stop listening and drop the connection. A bus without a connection of its own
        first finishes its current read (a query is not cut off halfway)."""
        if self._task is not None and not self.listens:
            self._stopping = True
            self._wake.set()
            with contextlib.suppress(TimeoutError, asyncio.CancelledError):
                await asyncio.wait_for(self._task, 5)
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        await self._close()

    def subscribe(self, accepts: Callable[[R], bool]) -> Subscriber[R]:
        """A new mailbox receiving the events `accepts` lets through."""
        subscriber: Subscriber[R] = Subscriber(accepts, asyncio.Queue(self.queue_size))
        self.subscribers.add(subscriber)
        return subscriber

    def unsubscribe(self, subscriber: Subscriber[R]) -> None:
        """Stop delivering to a mailbox."""
        self.subscribers.discard(subscriber)

    async def _run(self) -> None:
        delay = 0.5
        if not self.listens:
            await self._follow()
            return
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
        await self._connection.add_listener(self.channel, self._notified)
        for channel, callback in self.also.items():
            await self._connection.add_listener(channel, _on_notify(callback))
            callback()
        if self.last_id is None:
            async with self.sessions() as session:
                self.last_id = await self.newest(session)
        self._wake.set()  # read whatever was committed while we were not listening

    def _notified(self, *_args: object) -> None:
        self._wake.set()

    def wake(self) -> None:
        """Something was committed (another bus heard it): read it now."""
        self._wake.set()

    async def _follow(self) -> None:
        """Read new events whenever woken, and every `probe_seconds` anyway."""
        delay = 0.5
        while not self._stopping:
            try:
                if self.last_id is None:
                    async with self.sessions() as session:
                        self.last_id = await self.newest(session)
                await self._deliver()
                delay = 0.5
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(self.probe_seconds):
                        await self._wake.wait()
                self._wake.clear()
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # an outage: try again, then re-read the gap
                if delay == 0.5:
                    log.warning("event reader failed (%s); trying again", exc)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 5.0)

    async def _deliver(self) -> None:
        while self.last_id is not None:
            async with self.sessions() as session:
                rows = await self.read_after(session, self.last_id)
            for row in rows:
                self._fan_out(row)
                self.last_id = int(row.id)
            if len(rows) < 1000:
                return

    def _fan_out(self, row: R) -> None:
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


def _on_notify(callback: Callable[[], None]) -> Callable[..., None]:
    """An asyncpg listener (connection, pid, channel, payload) that runs `callback`."""

    def notified(*_args: object) -> None:
        callback()

    return notified


def alert_bus(dsn: str, sessions: async_sessionmaker[AsyncSession], **more: Any) -> AlertBus:
    """The bus of alert events."""
    return EventBus(dsn, sessions, alerts.CHANNEL, _alert_events, alerts.last_event_id, **more)


AlertBus = EventBus[EventRow]
PersonBus = EventBus[PersonEvent]


async def _person_events(session: AsyncSession, after_id: int) -> list[PersonEvent]:
    return await person_events.events_after(session, after_id=after_id)


def person_event_bus(
    dsn: str, sessions: async_sessionmaker[AsyncSession], **more: Any
) -> PersonBus:
    """The bus of events for people: woken by the alert bus's connection (no LISTEN
    connection of its own)."""
    return EventBus(
        dsn, sessions, person_events.CHANNEL, _person_events, person_events.last_event_id,
        listens=False, **more,
    )  # fmt: skip
