"""Related rows for the generic executor's loaders, read exactly as `db.readplan.ENTITIES`
declares each relation (which rows, under which filter, in which order). The compiled
path reads the same declarations, so the two paths cannot drift apart."""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, FromClause, Table, func, select
from sqlalchemy.dialects.postgresql import distinct_on
from sqlalchemy.ext.asyncio import AsyncSession

from db.base import Base
from db.readplan import ENTITIES, Count, Many, Newest, One

R = TypeVar("R", One, Newest, Many, Count)


def declared(type_name: str, field: str, kind: type[R]) -> R:
    """The relation `type_name.field` as ENTITIES declares it, checked to be a `kind`."""
    found = ENTITIES[type_name].fields[field]
    if not isinstance(found, kind):
        raise TypeError(f"{type_name}.{field} is not declared as a {kind.__name__}")
    return found


def table_of(entity: str) -> Table:
    """The table an object type is read from."""
    return Base.metadata.tables[ENTITIES[entity].table]


def kept(target: FromClause, relation: Many | Count) -> list[ColumnElement[bool]]:
    """The conditions of a relation's declared filter, on `target` (its table or an alias)."""
    return [target.c[column].in_(values) for column, values in relation.where]


async def rows_of(
    session: AsyncSession, related: One | Newest | Many, keys: Sequence[Hashable]
) -> list[Any]:
    """The related rows of every key (read-only rows with the table's column names): for
    `One` the row per key, for `Newest` the newest row per key, for `Many` every row kept
    by its filter, each key's rows in the declared order."""
    target = table_of(related.target)
    key = target.c[related.target_key]
    stmt = select(target).where(key.in_(keys))
    if isinstance(related, Many):
        stmt = stmt.where(*kept(target, related))
        order = (target.c[c].desc() if related.newest_first else target.c[c] for c in related.order)
        stmt = stmt.order_by(key, *order)
    elif isinstance(related, Newest):
        newest = (target.c[c].desc() for c in related.order)
        stmt = stmt.ext(distinct_on(key)).order_by(key, *newest)
    return list((await session.execute(stmt)).all())


async def counts_of(
    session: AsyncSession, related: Count, keys: Sequence[Hashable]
) -> dict[Hashable, int]:
    """How many related rows each key has (keys with none are left out)."""
    target = table_of(related.target)
    key = target.c[related.target_key]
    stmt = select(key, func.count()).where(key.in_(keys), *kept(target, related))
    stmt = stmt.group_by(key)
    return {row[0]: row[1] for row in await session.execute(stmt)}
