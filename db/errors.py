"""Telling a database outage (retry later) from every other failure (a bug)."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import asyncpg
from sqlalchemy import event
from sqlalchemy import exc as sa_exc
from sqlalchemy.ext.asyncio import AsyncEngine

log = logging.getLogger("f0care.db")

# PostgreSQL refusing or dropping connections: 08xxx connection exceptions, 57xxx operator
# intervention (shutdown, crash recovery, "starting up"), 53300 too many connections
_UNAVAILABLE = (
    asyncpg.PostgresConnectionError,
    asyncpg.exceptions.OperatorInterventionError,
    asyncpg.TooManyConnectionsError,
    sa_exc.TimeoutError,  # no pooled connection within the pool timeout: overloaded
    OSError,  # refused, reset, unreachable, timed out while connecting
)


def _chain(error: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    todo: list[BaseException | None] = [error]
    while todo:
        current = todo.pop()
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        todo += [current.__cause__, current.__context__, getattr(current, "orig", None)]


def is_unavailable(error: BaseException) -> bool:
    """Whether `error` (or what caused it) means the database cannot be reached now."""
    for current in _chain(error):
        if isinstance(current, sa_exc.DBAPIError) and current.connection_invalidated:
            return True
        if isinstance(current, _UNAVAILABLE):
            return True
    return False


class Availability:
    """Logs an outage once when it starts and once when it ends, not once per request."""

    def __init__(self) -> None:
        self.down = False

    def failed(self, error: BaseException) -> None:
        """A request failed because the database is unreachable."""
        if not self.down:
            self.down = True
            reason = (str(error).splitlines() or [type(error).__name__])[0]
            log.warning("database unreachable (%s); answering SERVICE_UNAVAILABLE", reason)

    def connected(self) -> None:
        """A new database connection was made."""
        if self.down:
            self.down = False
            log.info("database reachable again")

    def watch(self, engine: AsyncEngine) -> None:
        """Notice recovery on every new connection of `engine`."""
        event.listen(engine.sync_engine, "connect", lambda *_: self.connected())
