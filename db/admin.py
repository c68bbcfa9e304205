"""Creating and dropping whole databases (embedded server, throwaway test databases)."""

from __future__ import annotations

import asyncpg
from sqlalchemy.engine import make_url


def _maintenance_dsn(url: str) -> tuple[str, str]:
    parsed = make_url(url.replace("postgres://", "postgresql://", 1))
    name = parsed.database or "postgres"
    dsn = parsed.set(drivername="postgresql", database="postgres")
    return dsn.render_as_string(hide_password=False), name


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


async def ensure_database(url: str) -> bool:
    """Create the database named in `url` unless it exists; True if it was created."""
    dsn, name = _maintenance_dsn(url)
    conn = await asyncpg.connect(dsn)
    try:
        if await conn.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name):
            return False
        await conn.execute(f"CREATE DATABASE {_quote(name)}")
        return True
    finally:
        await conn.close()


async def drop_database(url: str) -> None:
    """Drop the database named in `url`, ending its sessions first."""
    dsn, name = _maintenance_dsn(url)
    conn = await asyncpg.connect(dsn)
    try:
        await conn.execute(f"DROP DATABASE IF EXISTS {_quote(name)} WITH (FORCE)")
    finally:
        await conn.close()
