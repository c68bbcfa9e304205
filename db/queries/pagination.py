"""A page of a keyset-paginated list, newest first."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from db.queries.rows import fetch_rows, select_rows
from domain.paging import Page

T = TypeVar("T")


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
