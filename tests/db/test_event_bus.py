"""The bus never lets a slow subscriber's mailbox grow: it is cut off, with a clear close."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from auth.directory import Directory
from db.events import alert_bus
from db.models import Alert
from db.queries.alerts import EventRow
from domain.alert_routing import EventPlace
from domain.enums import AlertEventType, AreaLevel


def _row(event_id: int) -> EventRow:
    place = EventPlace("72", "712", "25708", AreaLevel.COMMUNE, None)
    return EventRow(event_id, AlertEventType.CREATED, Alert(id=event_id), place)


def test_slow_subscriber_is_cut_off(sessions: async_sessionmaker[AsyncSession]) -> None:
    bus = alert_bus("postgresql://unused", sessions, queue_size=3)
    slow = bus.subscribe(lambda row: True)
    picky = bus.subscribe(lambda row: row.id % 2 == 0)
    for event_id in range(1, 6):
        bus._fan_out(_row(event_id))
    assert slow.overflowed is True
    assert picky.overflowed is False
    assert [picky.queue.get_nowait().id for _ in range(picky.queue.qsize())] == [2, 4]


async def test_overflowed_subscription_closes_its_socket(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    import pytest

    from resolvers import alerts
    from resolvers.context import Context, Services
    from resolvers.errors import Conflict

    closed: list[tuple[int, str]] = []

    class Socket:
        async def close(self, code: int, reason: str) -> None:
            closed.append((code, reason))

    bus = alert_bus("postgresql://unused", sessions, queue_size=1)
    subscriber = bus.subscribe(lambda row: True)
    subscriber.overflowed = True
    services = Services(
        sessions=sessions,
        directory=Directory(sessions),
        signing_secret="x",
        access_token_ttl=timedelta(minutes=1),
        bus=bus,
    )
    ctx = Context(services=services, websocket=Socket())
    with pytest.raises(Conflict):
        await alerts._next(ctx, subscriber)
    assert closed == [(alerts.SLOW_SUBSCRIBER_CLOSE, "too slow: resubscribe with afterId")]
