"""A page of a keyset-paginated list, newest first."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from db.queries.rows import fetch_rows, select_rows

T = TypeVar("T")


@dataclass(frozen=True)
class Page(Generic[T]):
    """Rows of one page, whether more follow, and how many rows the whole list has (None
    when not asked for)."""

    items: list[T]
    has_next: bool
    total: int | None


async def keyset_page(
    session: AsyncSession,
    model: type[T],
    conditions: Sequence[ColumnElement[bool]],
    *,
    first: int,
    after_id: int | None,
    with_total: bool = True,
) -> Page[T]:
    """Rows of `model` matching `conditions`, newest first by id, `first` after the cursor,
    with the count of all matching rows if asked. Read-only rows (see `db.queries.rows`)."""
    table: Any = model
    total = None
    if with_total:
        counted = select(func.count()).select_from(table).where(*conditions)
        total = await session.scalar(counted) or 0
    page = [*conditions, table.id < after_id] if after_id is not None else list(conditions)
    stmt = select_rows(model).where(*page).order_by(table.id.desc()).limit(first + 1)
    rows = await fetch_rows(session, stmt, model)
    return Page(items=rows[:first], has_next=len(rows) > first, total=total)
