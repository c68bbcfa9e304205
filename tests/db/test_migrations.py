"""Migrations: empty database → head → base → head, and models match the migrations."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Connection, inspect, text
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from db.admin import drop_database, ensure_database
from db.base import Base
from db.engine import make_engine
from db.migrate import current_revision, downgrade, head_revision, upgrade
from tests.conftest import throwaway_url

TABLES = {
    "areas",
    "area_units",
    "area_successions",
    "rehoming_items",
    "facilities",
    "users",
    "declarations",
    "patients",
    "health_reports",
    "clinical_notes",
    "transfers",
    "alerts",
    "alert_events",
    "audit_log",
    "case_counters",
    "statistics_deltas",
    "daily_counts",
    "current_counts",
    "rollup_state",
    "comorbidities",
    "vaccinations",
    "test_results",
    "recovery_certificates",
    "drugs",
    "medication_orders",
    "adverse_events",
    "exposures",
    "contacts",
    "contact_sources",
    "contact_follow_ups",
    "contact_follow_up_days",
    "bed_reports",
    "person_events",
    "webhooks",
    "webhook_deliveries",
}


@pytest.fixture
async def empty_engine(server_url: str) -> AsyncIterator[AsyncEngine]:
    url = throwaway_url(server_url, "f0care_migr")
    await ensure_database(url)
    engine = make_engine(url, pool_size=1)
    try:
        yield engine
    finally:
        await engine.dispose()
        await drop_database(url)


async def _tables(engine: AsyncEngine) -> set[str]:
    async with engine.connect() as conn:
        names = await conn.run_sync(lambda c: inspect(c).get_table_names())
    return set(names) - {"alembic_version"}


async def test_upgrade_to_head_then_downgrade_to_base(empty_engine: AsyncEngine) -> None:
    # given an empty database
    assert await _tables(empty_engine) == set()
    # when it is upgraded to head
    await upgrade(empty_engine)
    # then every table of the data model exists and the revision is head
    assert await _tables(empty_engine) == TABLES
    async with empty_engine.connect() as conn:
        assert await current_revision(conn) == head_revision()
    # when it is downgraded to base, then nothing is left
    await downgrade(empty_engine)
    assert await _tables(empty_engine) == set()
    async with empty_engine.connect() as conn:
        assert await current_revision(conn) is None
    # and it can be upgraded again
    await upgrade(empty_engine)
    assert await _tables(empty_engine) == TABLES


async def test_models_match_migrations(engine: AsyncEngine) -> None:
    # given the test database at head; when the models are compared with it
    def diff(sync_conn: Connection) -> list[object]:
        context = MigrationContext.configure(sync_conn, opts={"compare_type": True})
        return list(compare_metadata(context, Base.metadata))

    async with engine.connect() as conn:
        differences = await conn.run_sync(diff)
    # then a migration covers every change to the models
    assert differences == []


async def test_concurrent_upgrades_migrate_once(
    empty_engine: AsyncEngine, caplog: pytest.LogCaptureFixture
) -> None:
    import asyncio
    import logging

    from alembic.script import ScriptDirectory

    from db.engine import async_url
    from db.migrate import alembic_config

    # given two processes' worth of upgrades at once on an empty database, each with its
    # own connection that gives up waiting for a lock after a while (no endless deadlock)
    url = empty_engine.url.render_as_string(hide_password=False)
    engines = [
        create_async_engine(
            async_url(url), connect_args={"server_settings": {"lock_timeout": "20s"}}
        )
        for _ in range(2)
    ]
    caplog.set_level(logging.INFO, logger="alembic.runtime.migration")
    try:
        await asyncio.gather(*(upgrade(engine) for engine in engines))
    finally:
        for engine in engines:
            await engine.dispose()
    # then both succeed, the database is at head, and each revision ran exactly once
    async with empty_engine.connect() as conn:
        assert await current_revision(conn) == head_revision()
    ran = [r.getMessage() for r in caplog.records if r.getMessage().startswith("Running upgrade")]
    revisions = list(ScriptDirectory.from_config(alembic_config()).walk_revisions())
    assert len(ran) == len(revisions), ran


async def test_loaded_areas_get_the_country_root(empty_engine: AsyncEngine) -> None:
    # given a database at revision 0002 with provinces loaded (no root above them)
    await upgrade(empty_engine, "0002")
    async with empty_engine.begin() as conn:
        await conn.execute(
            text(
                "INSERT INTO areas (code, name, level, division_type, codename, province_code) "
                "VALUES ('72', 'Tỉnh Tây Ninh', 'PROVINCE', 'tỉnh', 'tinh_tay_ninh', '72')"
            )
        )
    # when it is upgraded to head
    await upgrade(empty_engine)
    # then the province hangs under Việt Nam
    async with empty_engine.connect() as conn:
        rows = await conn.execute(text("SELECT code, name, parent_code FROM areas ORDER BY code"))
        assert [tuple(r) for r in rows] == [("72", "Tỉnh Tây Ninh", "VN"), ("VN", "Việt Nam", None)]


async def test_existing_contacts_get_their_follow_up_days(empty_engine: AsyncEngine) -> None:
    # given a contact at revision 0016, checked on day 2 with a cough, tested early on day 7
    await upgrade(empty_engine, "0016")
    async with empty_engine.begin() as conn:
        await conn.execute(
            text(
                "INSERT INTO areas (code, name, level, division_type, codename, province_code) "
                "VALUES ('25459', 'Phường 3', 'COMMUNE', 'phường', 'phuong_3', '72')"
            )
        )
        contact = await conn.scalar(
            text(
                "INSERT INTO contacts (full_name, commune_code, district_code, province_code, "
                "relation, last_exposure_on, quarantine_started_on, quarantine_until, status, "
                "rule_set, created_by) VALUES ('Người Cũ', '25459', '703', '72', 'HOUSEHOLD', "
                "'2021-12-01', '2021-12-01', '2021-12-07', 'UNDER_FOLLOW_UP', "
                "'vn-moh-2021-12-contacts', 'm') RETURNING id"
            )
        )
        await conn.execute(
            text(
                "INSERT INTO contact_follow_ups (contact_id, checked_at, checked_on, symptoms, "
                "recorded_by) VALUES (:c, '2021-12-02T03:00Z', '2021-12-02', '{COUGH}', 'm')"
            ),
            {"c": contact},
        )
        await conn.execute(
            text(
                "INSERT INTO test_results (contact_id, kind, result, taken_at, supervision, "
                "recorded_by, recorded_role) VALUES (:c, 'RAPID_ANTIGEN', 'NEGATIVE', "
                "'2021-12-06T17:30Z', 'STAFF', 'm', 'HEALTH_STAFF')"
            ),
            {"c": contact},
        )
    # when it is upgraded to head
    await upgrade(empty_engine)
    # then its days are those of the rule, with the check and the (local-day) test
    async with empty_engine.connect() as conn:
        rows = await conn.execute(
            text(
                "SELECT day_number, test_due, checked, tested, symptoms "
                "FROM contact_follow_up_days WHERE contact_id = :c ORDER BY day_number"
            ),
            {"c": contact},
        )
        days = [tuple(r) for r in rows]
    assert [d[0] for d in days] == [1, 2, 3, 4, 5, 6, 7]
    assert [d[0] for d in days if d[1]] == [1, 7]
    assert days[1] == (2, False, True, False, ["COUGH"])
    assert days[6] == (7, True, False, True, [])  # 17:30 UTC on the 6th is 00:30 on the 7th
