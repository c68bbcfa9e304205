"""Compiled reads: a read plan (`db.readplan`) as ONE statement that builds the response
JSON in PostgreSQL (json_build_object, correlated subqueries per relation, keyset paging
and pageInfo in SQL) and, when personal fields are read, appends the audit row in the same
statement (a data-modifying CTE). The JSON comes back as text and is passed through
undecoded.

Row scope and filters are those of the generic path (`db.scope`, `patient_conditions`,
`declaration_conditions`), applied where the rows enter. The plan's JSON is rendered to
SQL text once per plan (`_shape`); per request only the page's filter is built, and
asyncpg prepares the statement once per connection."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from sqlalchemy import (
    ARRAY,
    CTE,
    ColumnElement,
    Float,
    FromClause,
    Text,
    bindparam,
    case,
    cast,
    column,
    extract,
    func,
    insert,
    literal,
    literal_column,
    null,
    select,
    table,
)
from sqlalchemy.dialects.postgresql import aggregate_order_by
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import KeyedColumnElement

from db.base import Base
from db.queries.declarations import DeclarationQuery, declaration_conditions
from db.queries.patients import PatientQuery, patient_conditions
from db.readplan import (
    ENTITIES,
    Const,
    Count,
    Leaf,
    Many,
    Nested,
    Newest,
    ObjectPlan,
    One,
    RootPlan,
)
from db.scope import declaration_visible, patient_visible
from domain.scope import Scope

_NAME = re.compile(r"^[_A-Za-z][_0-9A-Za-z]*$")
EMPTY_LIST: ColumnElement[Any] = literal_column("'[]'::json")


@dataclass(frozen=True)
class Reader:
    """Who reads, for the audit row written with personal reads."""

    subject: str
    role: str | None


@dataclass(frozen=True)
class Answer:
    """The root field's JSON (text, undecoded) and how many items it holds."""

    json: str
    items: int


def _table(entity: str) -> FromClause:
    return Base.metadata.tables[ENTITIES[entity].table]


def _key(name: str) -> ColumnElement[Any]:
    if not _NAME.match(name):  # GraphQL names only: safe to write into the statement
        raise ValueError(f"not a GraphQL name: {name!r}")
    return literal_column(f"'{name}'")


def _value(column: KeyedColumnElement[Any], kind: str) -> ColumnElement[Any]:
    """A column's value as the generic path serialises it."""
    if kind == "id":
        return cast(column, Text)
    if kind == "date":
        return func.to_char(column, "YYYY-MM-DD")
    if kind == "datetime":  # Python's isoformat(): microseconds only when there are some
        utc = column.op("AT TIME ZONE")(literal_column("'UTC'"))
        whole = func.to_char(utc, literal_column('\'YYYY-MM-DD"T"HH24:MI:SS"+00:00"\''))
        fine = func.to_char(utc, literal_column('\'YYYY-MM-DD"T"HH24:MI:SS.US"+00:00"\''))
        micros = extract("microseconds", column) % 1000000  # numeric: seconds × 10⁶ + µs
        return case((micros == 0, whole), else_=fine)
    if kind == "float":
        return cast(column, Float)
    return column


def _object(plan: ObjectPlan, source: FromClause) -> ColumnElement[Any]:
    parts: list[ColumnElement[Any]] = []
    for field in plan.fields:
        parts.append(_key(field.key))
        if isinstance(field, Leaf):
            parts.append(_value(source.c[field.column.name], field.column.kind))
        elif isinstance(field, Const):
            parts.append(null() if field.value is None else _key(field.value))
        else:
            parts.append(_nested(field, source))
    return func.json_build_object(*parts)


def _nested(field: Nested, source: FromClause) -> ColumnElement[Any]:
    relation = field.relation
    target = _table(relation.target).alias()
    joined = target.c[relation.target_key] == source.c[relation.key]
    if isinstance(relation, Count):
        kept = [target.c[column].in_(values) for column, values in relation.where]
        return select(func.count()).select_from(target).where(joined, *kept).scalar_subquery()
    assert field.selection is not None  # noqa: S101 - only counts have no selection
    obj = _object(field.selection, target)
    if isinstance(relation, One):
        return select(obj).where(joined).limit(1).scalar_subquery()
    if isinstance(relation, Newest):
        order = [target.c[c].desc() for c in relation.order]
        return select(obj).where(joined).order_by(*order).limit(1).scalar_subquery()
    assert isinstance(relation, Many)  # noqa: S101 - the four kinds of relation
    kept = [target.c[column].in_(values) for column, values in relation.where]
    ordered = aggregate_order_by(obj, *[target.c[c] for c in relation.order])
    listed = func.coalesce(func.json_agg(ordered), EMPTY_LIST)
    return select(listed).select_from(target).where(joined, *kept).scalar_subquery()


def _cursor(row_id: KeyedColumnElement[Any], kind: str) -> ColumnElement[Any]:
    """`resolvers.pagination.encode_cursor` in SQL: url-safe base64 of "kind:id"."""
    raw = func.convert_to(literal_column(f"'{kind}:'") + cast(row_id, Text), "UTF8")
    return func.translate(func.encode(raw, "base64"), "+/", "-_")


@dataclass(frozen=True)
class _Shape:
    """What a plan needs, built once (the costly part: every nested object and list), over
    named stand-ins for the per-request CTEs: `shown` (the rows answered), `page` (one
    more, for hasNextPage) and `matching` (the count, for totalCount)."""

    columns: tuple[str, ...]  # columns of the item's table the JSON reads
    data: ColumnElement[Any]  # the root field's JSON, as text
    items: ColumnElement[Any]  # how many rows were answered
    audit: CTE | None  # the audit row of the personal fields read (reader as parameters)
    counted: bool  # totalCount is asked for: the `matching` CTE is needed


def _stand_in(name: str, entity: str, columns: tuple[str, ...]) -> FromClause:
    rows = _table(entity)
    return table(name, *(column(c, rows.c[c].type) for c in columns))


def _columns(plan: ObjectPlan) -> tuple[str, ...]:
    """The columns a plan's JSON reads: its leaves and its relations' keys."""
    wanted = {"id"}
    for field in plan.fields:
        if isinstance(field, Leaf):
            wanted.add(field.column.name)
        elif isinstance(field, Nested):
            wanted.add(field.relation.key)
    return tuple(sorted(wanted))


@lru_cache(maxsize=512)
def _shape(plan: RootPlan, dialect: Dialect) -> _Shape:
    columns = _columns(plan.item)
    shown = _stand_in("shown", plan.item.entity, columns)
    items = select(func.count()).select_from(shown).scalar_subquery()
    audit = _audit(shown, plan) if plan.personal else None
    if plan.connection is None:
        data = select(cast(_object(plan.item, shown), Text)).select_from(shown).scalar_subquery()
        unknown: ColumnElement[Any] = literal_column("'null'")
        one = _frozen(func.coalesce(data, unknown), dialect)
        return _Shape(columns, one, items, audit, counted=False)
    parts: list[ColumnElement[Any]] = []
    counted = False
    for key, part in plan.connection.fields:
        parts.append(_key(key))
        if part == "__typename":
            parts.append(_key(f"{plan.item.entity}Connection"))
        elif part == "totalCount":
            counted = True
            matching = table("matching", column("n"))
            parts.append(select(matching.c.n).scalar_subquery())
        elif isinstance(part, str):
            raise ValueError(f"unknown connection field {part}")
        elif part.part == "edges":
            edge: list[ColumnElement[Any]] = []
            for edge_key, name in part.fields:
                edge.append(_key(edge_key))
                if name == "node":
                    edge.append(_object(plan.item, shown))
                elif name == "cursor":
                    edge.append(_cursor(shown.c.id, plan.kind))
                else:
                    edge.append(_key(f"{plan.item.entity}Edge"))
            ordered = aggregate_order_by(func.json_build_object(*edge), shown.c.id.desc())
            listed = func.coalesce(func.json_agg(ordered), EMPTY_LIST)
            parts.append(select(listed).select_from(shown).scalar_subquery())
        else:
            info: list[ColumnElement[Any]] = []
            for info_key, name in part.fields:
                info.append(_key(info_key))
                if name == "hasNextPage":  # `page` holds one row more than `shown` if any
                    page = table("page", column("id"))
                    more = select(func.count()).select_from(page).scalar_subquery()
                    info.append(more > items)
                elif name == "endCursor":
                    last = select(_cursor(shown.c.id, plan.kind)).order_by(shown.c.id).limit(1)
                    info.append(last.scalar_subquery())
                else:
                    info.append(_key("PageInfo"))
            parts.append(func.json_build_object(*info))
    whole = _frozen(cast(func.json_build_object(*parts), Text), dialect)
    return _Shape(columns, whole, items, audit, counted)


def _frozen(expression: ColumnElement[Any], dialect: Dialect) -> ColumnElement[Any]:
    """`expression` as literal SQL text, rendered once: it holds only our constants, and a
    statement that embeds it costs no cache-key walk of its (large) tree per request."""
    sql = expression.compile(dialect=dialect, compile_kwargs={"literal_binds": True})
    return literal_column(f"({sql})")


def _audit(shown: FromClause, plan: RootPlan) -> CTE:
    """The audit row of a read, inserted with it: who reads comes as parameters."""
    audit_log = Base.metadata.tables["audit_log"]
    ids = cast(shown.c.id, Text)
    row = (
        select(
            bindparam("reader", type_=Text),
            bindparam("reader_role", type_=Text),
            literal("READ_PERSONAL"),
            literal(plan.kind),
            func.array_agg(aggregate_order_by(ids, func.length(ids), ids)),
            literal(list(plan.personal), ARRAY(Text)),
        )
        .select_from(shown)
        .having(func.count() > 0)
    )
    columns = ["subject", "role", "action", "entity", "entity_ids", "fields"]
    return insert(audit_log).from_select(columns, row).returning(audit_log.c.id).cte("audit")


async def read_patients(
    session: AsyncSession,
    plan: RootPlan,
    *,
    scope: Scope,
    query: PatientQuery,
    first: int,
    after_id: int | None,
    reader: Reader,
) -> Answer:
    """The `patients` connection of `plan`, one statement."""
    conditions = patient_conditions(scope, query)
    return await _read_page(session, plan, conditions, first, after_id, reader)


async def read_declarations(
    session: AsyncSession,
    plan: RootPlan,
    *,
    scope: Scope,
    query: DeclarationQuery,
    first: int,
    after_id: int | None,
    reader: Reader,
) -> Answer:
    """The `declarations` connection of `plan`, one statement."""
    conditions = declaration_conditions(scope, query)
    return await _read_page(session, plan, conditions, first, after_id, reader)


async def read_patient(
    session: AsyncSession, plan: RootPlan, *, scope: Scope, patient_id: int, reader: Reader
) -> Answer:
    """`patient(id)` of `plan`, one statement (JSON null when unknown or out of scope)."""
    return await _read_one(session, plan, patient_id, patient_visible(scope), reader)


async def read_declaration(
    session: AsyncSession, plan: RootPlan, *, scope: Scope, declaration_id: int, reader: Reader
) -> Answer:
    """`declaration(id)` of `plan`, one statement (JSON null when unknown or out of scope)."""
    return await _read_one(session, plan, declaration_id, declaration_visible(scope), reader)


async def _read_page(
    session: AsyncSession,
    plan: RootPlan,
    conditions: list[ColumnElement[bool]],
    first: int,
    after_id: int | None,
    reader: Reader,
) -> Answer:
    """Newest first by id, `first` rows after the cursor (keyset), of the plan's table."""
    shape = _shape(plan, session.get_bind().dialect)
    rows = _table(plan.item.entity)
    after = [rows.c.id < after_id] if after_id is not None else []
    page = (
        select(*(rows.c[c] for c in shape.columns))
        .where(*conditions, *after)
        .order_by(rows.c.id.desc())
        .limit(first + 1)
        .cte("page")
    )
    shown = select(page).order_by(page.c.id.desc()).limit(first).cte("shown")
    ctes = [page, shown]
    if shape.counted:
        counted = select(func.count().label("n")).select_from(rows).where(*conditions)
        ctes.append(counted.cte("matching"))
    return await _run(session, shape, ctes, reader)


async def _read_one(
    session: AsyncSession,
    plan: RootPlan,
    row_id: int,
    visible: ColumnElement[bool],
    reader: Reader,
) -> Answer:
    shape = _shape(plan, session.get_bind().dialect)
    rows = _table(plan.item.entity)
    shown = (
        select(*(rows.c[c] for c in shape.columns)).where(rows.c.id == row_id, visible).cte("shown")
    )
    return await _run(session, shape, [shown], reader)


async def _run(session: AsyncSession, shape: _Shape, ctes: list[CTE], reader: Reader) -> Answer:
    columns: list[ColumnElement[Any]] = [shape.data.label("data"), shape.items.label("items")]
    values: dict[str, Any] = {}
    if shape.audit is not None:
        ctes.append(shape.audit)
        written = select(func.count()).select_from(shape.audit).scalar_subquery()
        columns.append(written.label("audited"))
        values = {"reader": reader.subject, "reader_role": reader.role}
    statement = select(*columns).add_cte(*ctes)
    row = (await session.execute(statement, values)).one()
    return Answer(json=row.data, items=row.items)
