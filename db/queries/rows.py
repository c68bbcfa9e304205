"""Read-only rows for lists and loaders: the columns of a model's table as plain result
rows (same attribute names as the model) instead of ORM objects, which cost an identity-map
entry and instance state each. Nothing may change or lazy-load through them."""

from __future__ import annotations

from typing import Any, TypeVar, cast

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

M = TypeVar("M")


def select_rows(model: type[M]) -> Select[Any]:
    """SELECT every column of `model`'s table."""
    table: Any = model
    return select(table.__table__)


async def fetch_rows(session: AsyncSession, stmt: Select[Any], model: type[M]) -> list[M]:
    """The rows of `stmt` (built on `select_rows(model)`), typed as `model` for reading."""
    return cast("list[M]", list((await session.execute(stmt)).all()))


def contains_pattern(search: str) -> str:
    """A LIKE pattern for text containing `search` (its wildcards taken literally: dropped,
    `_` read as a space)."""
    return "%" + search.replace("\\", "").replace("%", "").replace("_", " ") + "%"
