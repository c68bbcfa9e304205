"""Async engine and session factory for any PostgreSQL URL."""

from __future__ import annotations

from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)


def async_url(url: str) -> str:
    """Turn any PostgreSQL URL (postgres://, postgresql://, +psycopg) into an asyncpg one."""
    parsed = make_url(url.replace("postgres://", "postgresql://", 1))
    if parsed.get_backend_name() != "postgresql":
        raise ValueError(
            f"DATABASE_URL must be a PostgreSQL URL, got {parsed.get_backend_name()!r}"
        )
    return parsed.set(drivername="postgresql+asyncpg").render_as_string(hide_password=False)


def make_engine(
    url: str, *, pool_size: int = 16, autocommit: bool = False, max_overflow: int = 4
) -> AsyncEngine:
    """An engine with a pool sized for one server process: `pool_size` connections kept
    open (sized for the load a worker serves: a connection made and dropped per request
    costs a connect and a fresh plan of every prepared statement), up to `max_overflow`
    more at peaks. `autocommit`: one that only serves single-statement reads, with no
    BEGIN/ROLLBACK around each one. No engine pings the connections it hands out (a round
    trip per transaction): after a PostgreSQL restart the first request of each process
    is answered SERVICE_UNAVAILABLE, retryable, and the pool is renewed; writes are
    idempotent by key, so the retry is safe."""
    if autocommit:
        return create_async_engine(
            async_url(url),
            pool_size=pool_size,
            max_overflow=max_overflow,
            pool_recycle=600,
            pool_timeout=300,  # a queue of reads waits its turn rather than failing
            isolation_level="AUTOCOMMIT",
        )
    return create_async_engine(
        async_url(url), pool_size=pool_size, max_overflow=max_overflow, pool_recycle=600
    )


def make_session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Sessions whose objects stay readable after commit (no lazy loads in async code)."""
    return async_sessionmaker(engine, expire_on_commit=False)


def asyncpg_dsn(url: str) -> str:
    """The same URL as plain `postgresql://` for a raw asyncpg connection."""
    parsed = make_url(async_url(url))
    return parsed.set(drivername="postgresql").render_as_string(hide_password=False)
