"""Declarations: idempotent inserts and scoped reads."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import Area, Declaration
from db.queries.pagination import keyset_page
from db.scope import declaration_in_area, declaration_visible
from domain.enums import AreaLevel, DeclarationKind, DeclarationStatus
from domain.paging import Page
from domain.scope import Scope


@dataclass(frozen=True)
class DeclarationQuery:
    """Filters of the declaration list."""

    area_code: str | None = None
    area_level: AreaLevel | None = None
    statuses: tuple[DeclarationStatus, ...] = ()
    kind: DeclarationKind | None = None
    tested_from: date | None = None
    tested_to: date | None = None


async def communes(session: AsyncSession, codes: Sequence[str]) -> dict[str, Area]:
    """The communes among `codes` (other levels and unknown codes are left out)."""
    stmt = select(Area).where(Area.code.in_(set(codes)), Area.level == AreaLevel.COMMUNE)
    return {a.code: a for a in await session.scalars(stmt)}


async def insert_idempotent(
    session: AsyncSession, *, submitted_by: str, rows: Sequence[dict[str, Any]]
) -> list[Declaration]:
    """Insert the rows; a key this submitter used before returns the first row, never a
    second one (also when retries race). Results come back in the order of `rows`."""
    values = [{**row, "submitted_by": submitted_by} for row in rows]
    stmt = (
        insert(Declaration)
        .on_conflict_do_nothing(
            index_elements=[Declaration.submitted_by, Declaration.idempotency_key]
        )
        .returning(Declaration)
    )
    created = list((await session.scalars(stmt, values)).all()) if values else []
    by_key = {d.idempotency_key: d for d in created}
    missing = [row["idempotency_key"] for row in rows if row["idempotency_key"] not in by_key]
    if missing:
        existing = await session.scalars(
            select(Declaration).where(
                Declaration.submitted_by == submitted_by, Declaration.idempotency_key.in_(missing)
            )
        )
        by_key.update({d.idempotency_key: d for d in existing})
    return [by_key[row["idempotency_key"]] for row in rows]


async def get_declaration(
    session: AsyncSession, *, scope: Scope, declaration_id: int, for_update: bool = False
) -> Declaration | None:
    """One declaration in scope (locked for the transaction when `for_update`)."""
    stmt = select(Declaration).where(Declaration.id == declaration_id, declaration_visible(scope))
    if for_update:
        stmt = stmt.with_for_update()
    found: Declaration | None = await session.scalar(stmt)
    return found


async def list_declarations(
    session: AsyncSession,
    *,
    scope: Scope,
    query: DeclarationQuery,
    first: int,
    after_id: int | None,
) -> Page[Declaration]:
    """Newest first (by id), `first` rows after the cursor, with the total count."""
    conditions = declaration_conditions(scope, query)
    return await keyset_page(session, Declaration, conditions, first=first, after_id=after_id)


def declaration_conditions(scope: Scope, query: DeclarationQuery) -> list[ColumnElement[bool]]:
    """The WHERE conditions of the declaration list: the scope and every given filter."""
    conditions = [declaration_visible(scope)]
    if query.area_code is not None and query.area_level is not None:
        conditions.append(declaration_in_area(query.area_code, query.area_level))
    if query.statuses:
        conditions.append(Declaration.status.in_(query.statuses))
    if query.kind is not None:
        conditions.append(Declaration.kind == query.kind)
    if query.tested_from is not None:
        conditions.append(Declaration.tested_on >= query.tested_from)
    if query.tested_to is not None:
        conditions.append(Declaration.tested_on <= query.tested_to)
    return conditions
