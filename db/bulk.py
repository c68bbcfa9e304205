"""Loading millions of rows fast (benchmark datasets): PostgreSQL COPY into tables whose
secondary indexes, unique and foreign-key constraints and statistics triggers are set aside
meanwhile, then rebuilt in one pass each. Not for a database in service."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable, Sequence
from contextlib import asynccontextmanager
from typing import Any

import asyncpg


@asynccontextmanager
async def loading(conn: asyncpg.Connection, tables: Sequence[str]) -> AsyncIterator[None]:
    """While inside, `tables` have no secondary indexes, unique or foreign keys and no user
    triggers; afterwards all are restored (constraints validated against the loaded rows)."""
    constraints = await conn.fetch(
        "SELECT conrelid::regclass::text AS tbl, conname, contype, "
        "pg_get_constraintdef(oid) AS def FROM pg_constraint "
        "WHERE conrelid = ANY($1::regclass[]) AND contype IN ('f', 'u') "
        "ORDER BY contype",  # foreign keys ('f') go first, come back last
        list(tables),
    )
    indexes = await conn.fetch(
        "SELECT i.indexrelid::regclass::text AS name, pg_get_indexdef(i.indexrelid) AS def "
        "FROM pg_index i WHERE i.indrelid = ANY($1::regclass[]) AND NOT i.indisprimary "
        "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)",
        list(tables),
    )
    for c in constraints:
        await conn.execute(f'ALTER TABLE {c["tbl"]} DROP CONSTRAINT "{c["conname"]}"')
    for i in indexes:
        await conn.execute(f"DROP INDEX {i['name']}")
    for table in tables:
        await conn.execute(f"ALTER TABLE {table} DISABLE TRIGGER USER")
    try:
        yield
    finally:
        await conn.execute("SET maintenance_work_mem = '1GB'")
        for table in tables:
            await conn.execute(f"ALTER TABLE {table} ENABLE TRIGGER USER")
        for i in indexes:
            await conn.execute(i["def"])
        for c in reversed(constraints):
            await conn.execute(f'ALTER TABLE {c["tbl"]} ADD CONSTRAINT "{c["conname"]}" {c["def"]}')


async def copy_rows(
    conn: asyncpg.Connection, table: str, columns: Sequence[str], rows: Iterable[tuple[Any, ...]]
) -> None:
    """COPY `rows` into `table` (binary protocol)."""
    await conn.copy_records_to_table(table, records=rows, columns=list(columns))


async def advance_identity(conn: asyncpg.Connection, tables: Sequence[str]) -> None:
    """Move each table's id sequence past the ids loaded explicitly."""
    for table in tables:  # our own table names, never input
        top = await conn.fetchval(f"SELECT coalesce(max(id), 0) + 1 FROM {table}")  # noqa: S608
        await conn.execute("SELECT setval(pg_get_serial_sequence($1, 'id'), $2, false)", table, top)


async def analyze(conn: asyncpg.Connection, tables: Sequence[str]) -> None:
    """VACUUM ANALYZE the loaded tables (visibility map for index-only scans, planner stats)."""
    for table in tables:
        await conn.execute(f"VACUUM ANALYZE {table}")
