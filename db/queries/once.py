"""Writes that a retry must not repeat: a row is inserted once per idempotency key."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeVar

from sqlalchemy import literal_column, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from db.base import Base

M = TypeVar("M", bound=Base)


async def insert_once(
    session: AsyncSession, model: type[M], values: dict[str, Any], key: Sequence[str]
) -> tuple[M, bool]:
    """Insert a row unless one with the same `key` columns exists (a unique constraint);
    the row either way, and whether this call inserted it."""
    stmt: Any = (
        insert(model)
        .values(values)
        .on_conflict_do_nothing(index_elements=list(key))
        .returning(literal_column("1"))
    )
    created = await session.scalar(stmt)
    found = await session.scalar(
        select(model).where(*(getattr(model, column) == values[column] for column in key))
    )
    if found is None:  # only a concurrent transaction's row, not yet visible
        raise LookupError(f"a {model.__tablename__} row with this key is being written")
    return found, created is not None
