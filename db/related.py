"""Related rows for the generic executor's loaders, read exactly as `db.readplan.ENTITIES`
declares each relation (which rows, under which filter, in which order). The compiled
path reads the same declarations, so the two paths cannot drift apart."""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from typing import Any

from sqlalchemy import Table, func, select
from sqlalchemy.dialects.postgresql import distinct_on
from sqlalchemy.ext.asyncio import AsyncSession

from db.base import Base
from db.readplan import ENTITIES, Column, Count, Many, Newest, One, Relation


def relation(type_name: str, field: str) -> Relation:
    """The declared relation of `type_name.field` (a column is not one)."""
    found = ENTITIES[type_name].fields[field]
    if isinstance(found, Column):
        raise TypeError(f"{type_name}.{field} is a column, not a relation")
    return found


def _table(entity: str) -> Table:
    return Base.metadata.tables[ENTITIES[entity].table]


async def rows_of(
    session: AsyncSession, related: One | Newest | Many, keys: Sequence[Hashable]
) -> list[Any]:
    """The related rows of every key (read-only rows with the table's column names): for
    `One` the row per key, for `Newest` the newest row per key, for `Many` every row kept
    by its filter, each key's rows in the declared order."""
    target = _table(related.target)
    key = target.c[related.target_key]
    stmt = select(target).where(key.in_(keys))
    if isinstance(related, Many):
        kept = [target.c[column].in_(values) for column, values in related.where]
        stmt = stmt.where(*kept).order_by(key, *(target.c[c] for c in related.order))
    elif isinstance(related, Newest):
        newest = (target.c[c].desc() for c in related.order)
        stmt = stmt.ext(distinct_on(key)).order_by(key, *newest)
    return list((await session.execute(stmt)).all())


async def counts_of(
    session: AsyncSession, related: Count, keys: Sequence[Hashable]
) -> dict[Hashable, int]:
    """How many related rows each key has (keys with none are left out)."""
    target = _table(related.target)
    key = target.c[related.target_key]
    kept = [target.c[column].in_(values) for column, values in related.where]
    stmt = select(key, func.count()).where(key.in_(keys), *kept).group_by(key)
    return {row[0]: row[1] for row in await session.execute(stmt)}
