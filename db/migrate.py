"""Alembic migrations, run programmatically under a PostgreSQL advisory lock."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

MIGRATIONS = Path(__file__).parent / "migrations"
# Any constant shared by every f0care process: serialises concurrent `serve` starts.
MIGRATION_LOCK_KEY = 0x0F0CA5E


def alembic_config() -> Config:
    """Alembic configuration pointing at this package's migrations."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def head_revision() -> str | None:
    """The newest revision in the code."""
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


async def current_revision(conn: AsyncConnection) -> str | None:
    """The revision the database is at (None on an empty database)."""

    def _current(sync_conn: Connection) -> str | None:
        return MigrationContext.configure(sync_conn).get_current_revision()

    return await conn.run_sync(_current)


async def upgrade(engine: AsyncEngine, target: str = "head") -> None:
    """Upgrade to `target` in one transaction; concurrent callers migrate once."""
    await _run(engine, lambda cfg: command.upgrade(cfg, target))


async def downgrade(engine: AsyncEngine, target: str = "base") -> None:
    """Downgrade to `target` in one transaction."""
    await _run(engine, lambda cfg: command.downgrade(cfg, target))


async def _run(engine: AsyncEngine, action: object) -> None:
    config = alembic_config()

    def _apply(sync_conn: Connection) -> None:
        config.attributes["connection"] = sync_conn
        action(config)  # type: ignore[operator]

    async with engine.begin() as conn:
        await conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": MIGRATION_LOCK_KEY})
        await conn.run_sync(_apply)
