"""Leader election among server processes with a session-level PostgreSQL advisory lock:
exactly one process holds it; if that process or its connection dies, the lock is freed
and another process takes over."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from typing import Any

import asyncpg

JOBS_LOCK = 0x0F0CA10B


@dataclass
class Leadership:
    """Try to become, and check that we still are, the one process running the jobs."""

    dsn: str
    key: int = JOBS_LOCK
    _connection: Any = None

    async def hold(self) -> bool:
        """True while this process holds the lock (taking it when free)."""
        if self._connection is None:
            self._connection = await asyncpg.connect(
                self.dsn, server_settings={"application_name": "f0care-jobs"}
            )
        # re-entrant within a session: the holder keeps getting true, others false
        held: bool = await self._connection.fetchval(
            "SELECT pg_try_advisory_lock($1)", self.key, timeout=5
        )
        return held

    async def release(self) -> None:
        """Give up leadership by closing the connection."""
        connection, self._connection = self._connection, None
        if connection is not None:
            with contextlib.suppress(Exception):
                await connection.close(timeout=2)
