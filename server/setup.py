"""Getting a database ready: which server, migrations, reference data, demo data."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from auth.passwords import hash_password
from db import rollup
from db.admin import ensure_database
from db.area_migration import MoveReport, move_areas
from db.areas import (
    LoadResult,
    count_areas,
    current_edition,
    has_areas,
    load_areas,
    load_reference,
)
from db.demo import DEMO_PASSWORD, Progress, SeedResult, seed_demo
from db.engine import make_engine, make_session_factory
from db.migrate import upgrade
from domain.enums import AreaEdition
from server.embedded import embedded_url
from server.settings import Settings


def database_url(settings: Settings) -> str:
    """DATABASE_URL, or the embedded server's URL (server and database made on first use)."""
    if settings.database_url:
        return settings.database_url
    url = embedded_url(settings.data_dir)
    asyncio.run(ensure_database(url))
    return url


async def prepare(
    url: str,
    *,
    migrate: bool,
    demo: bool,
    timezone: str,
    edition: AreaEdition,
    insist: bool = False,
    progress: Progress | None = None,
    patients: int = 2000,
) -> SeedResult | None:
    """Migrate, load the areas (of `edition` when the database has none yet; a database on
    another map is refused when the edition was asked for: `insist`), make sure the
    statistics rollup holds the days of `timezone`, and seed the demo data if asked."""
    engine = make_engine(url, pool_size=2)
    try:
        if migrate:
            await upgrade(engine)
        sessions = make_session_factory(engine)
        async with sessions.begin() as session:
            if await has_areas(session):
                if insist:
                    await load_areas(session, edition)  # EditionInUse on another map
                await load_reference(session)  # a database made before the editions
            else:
                await load_areas(session, edition)
        async with sessions.begin() as session:
            await rollup.ensure(session, timezone)
        if not demo:
            return None
        async with sessions.begin() as session:
            return await seed_demo(
                session,
                now=datetime.now(UTC),
                patients=patients,
                progress=progress,
                password_hash=lambda: hash_password(DEMO_PASSWORD),
            )
    finally:
        await engine.dispose()


async def migrate_only(url: str) -> None:
    """Upgrade the database to the newest migration."""
    engine = make_engine(url, pool_size=1)
    try:
        await upgrade(engine)
    finally:
        await engine.dispose()


async def load_areas_only(url: str, edition: AreaEdition) -> tuple[LoadResult, dict[str, int]]:
    """Load the map (the edition in use, or `edition` into an empty database); returns what
    changed and the counts per level."""
    engine = make_engine(url, pool_size=1)
    try:
        sessions = make_session_factory(engine)
        async with sessions.begin() as session:
            result = await load_areas(session, await current_edition(session) or edition)
            counts = {level.value: n for level, n in (await count_areas(session)).items()}
        return result, counts
    finally:
        await engine.dispose()


async def move_areas_only(
    url: str, target: AreaEdition, *, by: str, timezone: str, dry_run: bool
) -> MoveReport:
    """Move the database to `target`'s map in one transaction (rolled back when `dry_run`);
    the report."""
    engine = make_engine(url, pool_size=1)
    try:
        async with make_session_factory(engine)() as session:
            report = await move_areas(session, target, by=by, timezone=timezone)
            if dry_run:
                await session.rollback()
            else:
                await session.commit()
        return report
    finally:
        await engine.dispose()
