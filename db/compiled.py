"""Compiled reads: a read plan (`db.readplan`) as ONE statement that builds the response
JSON in PostgreSQL (json_build_object, correlated subqueries per relation, keyset paging
and pageInfo in SQL) and, when personal fields are read, appends the audit rows in the
same statement (a data-modifying CTE). The JSON comes back as text and is passed through
undecoded.

Row scope and filters are those of the generic path (`db.scope` and each list's
conditions), applied where the rows enter: the root's rows, and every nested patient. The
plan's JSON is rendered to SQL text once per plan (`_shape`); per request only the root's
filter is built, and asyncpg prepares the statement once per connection."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date
from functools import lru_cache
from typing import Any

from sqlalchemy import (
    ARRAY,
    CTE,
    ColumnElement,
    Date,
    Float,
    FromClause,
    Select,
    Text,
    bindparam,
    case,
    cast,
    column,
    exists,
    extract,
    func,
    insert,
    literal,
    literal_column,
    not_,
    null,
    select,
    table,
    union_all,
)
from sqlalchemy.dialects.postgresql import aggregate_order_by
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import KeyedColumnElement

from db.base import Base
from db.models import Area, Contact, Facility, Patient
from db.queries.alerts import AlertQuery, alert_conditions
from db.queries.areas import AreaQuery, FacilityQuery, area_conditions, facility_conditions
from db.queries.audit import AuditQuery, audit_conditions
from db.queries.declarations import DeclarationQuery, declaration_conditions
from db.queries.epidemiology import (
    ContactQuery,
    chain_edges,
    chain_nodes,
    chain_shown,
    contact_conditions,
)
from db.queries.medication import DrugQuery, drug_conditions
from db.queries.patients import PatientQuery, patient_conditions
from db.queries.person_events import PersonEventQuery, person_event_conditions
from db.queries.transfers import TransferQuery, transfer_conditions
from db.queries.users import UserQuery, user_conditions
from db.readplan import (
    ENTITIES,
    Chain,
    ChainPart,
    Column,
    ConnectionPlan,
    Const,
    Count,
    Leaf,
    Many,
    Nested,
    NestedPage,
    Newest,
    ObjectPlan,
    One,
    Path,
    RootPlan,
)
from db.related import kept, table_of
from db.scope import visible_of
from domain.scope import Scope

_NAME = re.compile(r"^[_A-Za-z][_0-9A-Za-z]*$")
EMPTY_LIST: ColumnElement[Any] = literal_column("'[]'::json")
# stand-ins: the rows of each scoped kind the reader may see (where such a row enters nested)
VISIBLE = {
    "patient": (table("visible", column("id")), Patient.id),
    "contact": (table("visible_contact", column("id")), Contact.id),
}
TODAY = table("today", column("d"))  # stand-in: today's date where the deployment is
LANGUAGE = table("reader_language", column("l"))  # stand-in: the language the reader reads

PageQuery = (
    PatientQuery | DeclarationQuery | TransferQuery | AlertQuery | ContactQuery | UserQuery
    | AuditQuery | PersonEventQuery
)  # fmt: skip
ListQuery = AreaQuery | FacilityQuery | DrugQuery


@dataclass(frozen=True)
class Reader:
    """Who reads, for the audit row written with personal reads."""

    subject: str
    role: str | None
    organisation: str | None = None  # "area:<code>" or "facility:<id>"
    language: str = "vi"  # of texts for people: "vi" or "en"
    detail: str | None = None  # of a reviewed read: its filter


@dataclass(frozen=True)
class Answer:
    """The root field's JSON (text, undecoded) and how many items it holds."""

    json: str
    items: int


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
    if kind == "day_number":
        return select(TODAY.c.d - column + 1).scalar_subquery()
    if kind == "due":
        return func.coalesce(select(column <= TODAY.c.d).scalar_subquery(), False)
    if kind == "until":
        return func.coalesce(select(column >= TODAY.c.d).scalar_subquery(), False)
    if kind == "organisation":
        area = select(Area.name).where(Area.code == func.substr(column, 6))
        facility = select(Facility.name).where(cast(Facility.id, Text) == func.substr(column, 10))
        return case(
            (column.startswith("area:"), area.scalar_subquery()),
            (column.startswith("facility:"), facility.scalar_subquery()),
            else_=null(),
        )
    return column


def _object(plan: ObjectPlan, source: FromClause) -> ColumnElement[Any]:
    parts: list[ColumnElement[Any]] = []
    for field in plan.fields:
        parts.append(_key(field.key))
        if isinstance(field, Leaf) and field.column.english is not None:
            parts.append(_localized(source.c[field.column.name], source.c[field.column.english]))
        elif isinstance(field, Leaf):
            parts.append(_value(source.c[field.column.name], field.column.kind))
        elif isinstance(field, Const):
            parts.append(null() if field.value is None else _key(field.value))
        elif isinstance(field, NestedPage):
            parts.append(_page(field, source))
        else:
            parts.append(_nested(field, source))
    return func.json_build_object(*parts)


def _localized(vietnamese: ColumnElement[Any], english: ColumnElement[Any]) -> ColumnElement[Any]:
    """A text for people in the reader's language (its Vietnamese where it has no English)."""
    wants_english = select(LANGUAGE.c.l == "en").scalar_subquery()
    return case((wants_english, func.coalesce(english, vietnamese)), else_=vietnamese)


def _nested(field: Nested, source: FromClause) -> ColumnElement[Any]:
    relation = field.relation
    if isinstance(relation, Chain):
        assert field.selection is not None  # noqa: S101 - a chain has a selection
        return _chain(relation, field.selection, source)
    if isinstance(relation, ChainPart):
        raise TypeError("a chain's parts are read with the chain")
    target = table_of(relation.target).alias()
    joined = target.c[relation.target_key] == source.c[relation.key]
    if isinstance(relation, Count):
        counted = select(func.count()).select_from(target).where(joined, *kept(target, relation))
        return counted.scalar_subquery()
    assert field.selection is not None  # noqa: S101 - only counts have no selection
    obj = _object(field.selection, target)
    if isinstance(relation, One):
        found = select(obj).where(joined)
        if relation.scoped:  # the row enters only inside the reader's scope
            found = found.where(_visible(relation.target, target.c.id))
        return found.limit(1).scalar_subquery()
    if isinstance(relation, Newest):
        order = [target.c[c].desc() for c in relation.order]
        return select(obj).where(joined).order_by(*order).limit(1).scalar_subquery()
    assert isinstance(relation, Many)  # noqa: S101 - pages are NestedPage
    columns = [target.c[c] for c in relation.order]
    ordered = aggregate_order_by(obj, *(c.desc() if relation.newest_first else c for c in columns))
    listed = func.coalesce(func.json_agg(ordered), EMPTY_LIST)
    return (
        select(listed).select_from(target).where(joined, *kept(target, relation)).scalar_subquery()
    )


def _chain(relation: Chain, plan: ObjectPlan, source: FromClause) -> ColumnElement[Any]:
    """A case's transmission chain (the chain functions) as the reader may see it: shown
    nodes and the links between them, and how many nodes are hidden."""
    case_id = source.c[relation.key]
    cases, people = (select(VISIBLE[kind][0].c.id) for kind in ("patient", "contact"))
    parts: list[ColumnElement[Any]] = []
    for field in plan.fields:
        parts.append(_key(field.key))
        if isinstance(field, Const):
            parts.append(null() if field.value is None else _key(field.value))
            continue
        assert isinstance(field, Nested)  # noqa: S101 - a chain's fields are its parts
        assert isinstance(field.relation, ChainPart)  # noqa: S101
        if field.relation.part == "edges":
            edges = chain_edges(case_id, relation.depth)
            shown = (
                chain_shown(edges.c.from_kind, edges.c.from_id, cases, people),
                chain_shown(edges.c.to_kind, edges.c.to_id, cases, people),
            )
            by_keys = (edges.c.from_key.collate("C"), edges.c.to_key.collate("C"))
            parts.append(_listed(field, edges, shown, by_keys))
            continue
        nodes = chain_nodes(case_id, relation.depth)
        visible = chain_shown(nodes.c.kind, nodes.c.id, cases, people)
        if field.relation.part == "hidden":
            hidden = select(func.count()).select_from(nodes).where(not_(visible))
            parts.append(hidden.scalar_subquery())
        else:
            order = (nodes.c.generation, nodes.c.kind, nodes.c.id)
            parts.append(_listed(field, nodes, (visible,), order))
    return func.json_build_object(*parts)


def _listed(
    field: Nested,
    rows: FromClause,
    where: tuple[ColumnElement[bool], ...],
    order: tuple[ColumnElement[Any], ...],
) -> ColumnElement[Any]:
    """The JSON list of `field`'s objects over `rows` kept by `where`, in `order`."""
    assert field.selection is not None  # noqa: S101 - a list has a selection
    ordered = aggregate_order_by(_object(field.selection, rows), *order)
    listed = func.coalesce(func.json_agg(ordered), EMPTY_LIST)
    return select(listed).select_from(rows).where(*where).scalar_subquery()


def _visible(entity: str, row_id: ColumnElement[Any]) -> ColumnElement[bool]:
    """Whether the row `row_id` of `entity` lies in the reader's scope."""
    visible, _ = VISIBLE[ENTITIES[entity].kind]
    return exists(select(literal(1)).select_from(visible).where(visible.c.id == row_id))


def _page(field: NestedPage, source: FromClause) -> ColumnElement[Any]:
    """A nested connection: `first` related rows after the cursor, newest first by id."""
    relation = field.relation
    rows = table_of(relation.target)
    target = rows.alias()
    joined = target.c[relation.target_key] == source.c[relation.key]
    after = [target.c.id < field.after_id] if field.after_id is not None else []
    wanted = (target.c[c] for c in _object_columns(field.item, "id"))
    newest = select(*wanted).where(joined, *after).order_by(target.c.id.desc())
    newest = newest.correlate(source)
    shown = newest.limit(field.first).lateral()  # correlated to the row it belongs to
    more = exists(newest.offset(field.first).limit(1))
    counted = rows.alias()
    same = counted.c[relation.target_key] == source.c[relation.key]
    total = select(func.count()).select_from(counted).where(same).scalar_subquery()
    return _connection(field.connection, field.item, shown, more, total)


def _connection(
    plan: ConnectionPlan,
    item: ObjectPlan,
    shown: FromClause,
    more: ColumnElement[bool],
    total: ColumnElement[Any],
) -> ColumnElement[Any]:
    """`edges`, `pageInfo` and `totalCount` of the rows `shown` (newest first by id)."""
    kind = ENTITIES[item.entity].kind
    parts: list[ColumnElement[Any]] = []
    for key, part in plan.fields:
        parts.append(_key(key))
        if part == "__typename":
            parts.append(_key(f"{item.entity}Connection"))
        elif part == "totalCount":
            parts.append(total)
        elif isinstance(part, str):
            raise ValueError(f"unknown connection field {part}")
        elif part.part == "edges":
            edge: list[ColumnElement[Any]] = []
            for edge_key, name in part.fields:
                edge.append(_key(edge_key))
                if name == "node":
                    edge.append(_object(item, shown))
                elif name == "cursor":
                    edge.append(_cursor(shown.c.id, kind))
                else:
                    edge.append(_key(f"{item.entity}Edge"))
            ordered = aggregate_order_by(func.json_build_object(*edge), shown.c.id.desc())
            listed = func.coalesce(func.json_agg(ordered), EMPTY_LIST)
            parts.append(select(listed).select_from(shown).scalar_subquery())
        else:
            info: list[ColumnElement[Any]] = []
            for info_key, name in part.fields:
                info.append(_key(info_key))
                if name == "hasNextPage":
                    info.append(more)
                elif name == "endCursor":
                    last = select(_cursor(shown.c.id, kind)).order_by(shown.c.id).limit(1)
                    info.append(last.scalar_subquery())
                else:
                    info.append(_key("PageInfo"))
            parts.append(func.json_build_object(*info))
    return func.json_build_object(*parts)


def _cursor(row_id: KeyedColumnElement[Any], kind: str) -> ColumnElement[Any]:
    """`resolvers.pagination.encode_cursor` in SQL: url-safe base64 of "kind:id"."""
    raw = func.convert_to(literal_column(f"'{kind}:'") + cast(row_id, Text), "UTF8")
    return func.translate(func.encode(raw, "base64"), "+/", "-_")


@dataclass(frozen=True)
class _Shape:
    """What a plan needs, built once (the costly part: every nested object and list), over
    named stand-ins for the per-request CTEs: `shown` (the rows answered), `page` (one
    more, for hasNextPage), `matching` (the count, for totalCount) and `visible` (the
    patients the reader may see, where a nested patient enters)."""

    columns: tuple[str, ...]  # columns of the item's table the JSON reads
    data: ColumnElement[Any]  # the root field's JSON, as text
    items: ColumnElement[Any]  # how many rows were answered
    audit: CTE | None  # the audit rows of the personal fields read (reader as parameters)
    counted: bool  # totalCount is asked for: the `matching` CTE is needed
    scoped: frozenset[str]  # kinds of scoped rows entering nested: their `visible` CTEs
    dated: bool = False  # a field depends on today's date: the `today` CTE is needed
    localized: bool = False  # a text for people is read: the `reader_language` CTE is needed


def _stand_in(name: str, entity: str, columns: tuple[str, ...]) -> FromClause:
    rows = table_of(entity)
    return table(name, *(column(c, rows.c[c].type) for c in columns))


def _columns(plan: RootPlan) -> tuple[str, ...]:
    """The columns of the item's table a root plan reads."""
    key = "id" if plan.form == "connection" else ENTITIES[plan.item.entity].key
    return _object_columns(plan.item, key, *plan.order)


def _object_columns(plan: ObjectPlan, *also: str) -> tuple[str, ...]:
    """The columns an object's JSON reads (its leaves and its relations' keys), and `also`."""
    wanted = set(also)
    for field in plan.fields:
        if isinstance(field, Leaf):
            wanted.add(field.column.name)
            if field.column.english is not None:
                wanted.add(field.column.english)
        elif isinstance(field, Nested | NestedPage) and not isinstance(field.relation, ChainPart):
            wanted.add(field.relation.key)
    return tuple(sorted(wanted))


def _reads(plan: ObjectPlan, wanted: Callable[[Column], bool]) -> bool:
    """Whether a column field at or below `plan` is one `wanted`."""
    for field in plan.fields:
        if isinstance(field, Leaf) and wanted(field.column):
            return True
        if isinstance(field, NestedPage) and _reads(field.item, wanted):
            return True
        if isinstance(field, Nested) and field.selection is not None:
            if _reads(field.selection, wanted):
                return True
    return False


def _dated(column: Column) -> bool:
    """Whether a column is read against today's date."""
    return column.kind in ("day_number", "due", "until")


def _localized_column(column: Column) -> bool:
    """Whether a column is a text for people, read in the reader's language."""
    return column.english is not None


def _scoped(plan: ObjectPlan) -> frozenset[str]:
    """The kinds of scoped rows (patients, contacts) entering somewhere below (their scope
    is then checked there)."""
    kinds: set[str] = set()
    for field in plan.fields:
        if isinstance(field, NestedPage):
            kinds |= _scoped(field.item)
        if isinstance(field, Nested) and field.selection is not None:
            relation = field.relation
            if isinstance(relation, One) and relation.scoped:
                kinds.add(ENTITIES[relation.target].kind)
            if isinstance(relation, Chain):  # its nodes are cases and contacts
                kinds |= {"patient", "contact"}
            kinds |= _scoped(field.selection)
    return frozenset(kinds)


@lru_cache(maxsize=512)
def _shape(plan: RootPlan, dialect: Dialect) -> _Shape:
    shape = _shape_of(plan, dialect)
    return replace(
        shape,
        dated=_reads(plan.item, _dated),
        localized=_reads(plan.item, _localized_column),
    )


def _shape_of(plan: RootPlan, dialect: Dialect) -> _Shape:
    columns = _columns(plan)
    shown = _stand_in("shown", plan.item.entity, columns)
    items = select(func.count()).select_from(shown).scalar_subquery()
    reviewed = ENTITIES[plan.item.entity].reviewed
    audit = _audit(shown, plan) if plan.personal or reviewed else None
    reached = (step for read in plan.personal for path, _ in read.paths for step in path)
    scoped = _scoped(plan.item) | {
        ENTITIES[s.target].kind for s in reached if isinstance(s, One) and s.scoped
    }
    if plan.form == "object":
        obj = select(cast(_object(plan.item, shown), Text)).select_from(shown).scalar_subquery()
        data = _frozen(func.coalesce(obj, literal_column("'null'")), dialect)
        return _Shape(columns, data, items, audit, counted=False, scoped=scoped)
    if plan.form == "list":
        ordered = aggregate_order_by(_object(plan.item, shown), *(shown.c[c] for c in plan.order))
        listed = cast(func.coalesce(func.json_agg(ordered), EMPTY_LIST), Text)
        data = _frozen(select(listed).select_from(shown).scalar_subquery(), dialect)
        return _Shape(columns, data, items, audit, counted=False, scoped=scoped)
    assert plan.connection is not None  # noqa: S101 - a connection's plan has one
    page = table("page", column("id"))  # `page` holds one row more than `shown` if any
    more = select(func.count()).select_from(page).scalar_subquery() > items
    matching = table("matching", column("n"))
    total = select(matching.c.n).scalar_subquery()
    whole = _connection(plan.connection, plan.item, shown, more, total)
    counted = any(part == "totalCount" for _, part in plan.connection.fields)
    data = _frozen(cast(whole, Text), dialect)
    return _Shape(columns, data, items, audit, counted, scoped)


def _frozen(expression: ColumnElement[Any], dialect: Dialect) -> ColumnElement[Any]:
    """`expression` as literal SQL text, rendered once: it holds only our constants, and a
    statement that embeds it costs no cache-key walk of its (large) tree per request."""
    sql = expression.compile(dialect=dialect, compile_kwargs={"literal_binds": True})
    return literal_column(f"({sql})")


def _audit(shown: FromClause, plan: RootPlan) -> CTE:
    """The audit rows of a read, inserted with it: one per kind of row whose personal
    fields it returns, with the ids of the rows returned and the fields read on them (a
    path that reached no row adds neither); for rows whose every read is reviewed (the
    audit log), one listing the rows shown, with the filter as detail. Who reads comes as
    parameters."""
    audit_log = Base.metadata.tables["audit_log"]
    rows: list[Select[*tuple[Any, ...]]] = []
    entity = ENTITIES[plan.item.entity]
    if entity.reviewed is not None:
        shown_ids = aggregate_order_by(cast(shown.c.id, Text), shown.c.id.desc())
        listed = func.coalesce(func.array_agg(shown_ids), literal([], ARRAY(Text)))
        rows.append(
            select(
                bindparam("reader", type_=Text),
                bindparam("reader_role", type_=Text),
                bindparam("reader_organisation", type_=Text),
                literal(entity.reviewed),
                literal(entity.kind),
                select(listed).scalar_subquery(),
                literal([], ARRAY(Text)),
                bindparam("reader_detail", type_=Text),
            )
        )
    for number, read in enumerate(plan.personal):
        reached = union_all(
            *(
                _reached(shown, path).add_columns(literal(list(fields), ARRAY(Text)).label("f"))
                for path, fields in read.paths
            )
        ).cte(f"reached_{number}")
        ids = select(reached.c.i).distinct().subquery()
        names = select(func.unnest(reached.c.f).label("n")).distinct().subquery()
        in_order = aggregate_order_by(ids.c.i, func.length(ids.c.i), ids.c.i)
        row = select(
            bindparam("reader", type_=Text),
            bindparam("reader_role", type_=Text),
            bindparam("reader_organisation", type_=Text),
            literal("READ_PERSONAL"),
            literal(read.entity),
            select(func.array_agg(in_order)).scalar_subquery(),
            select(
                func.array_agg(aggregate_order_by(names.c.n, names.c.n.collate("C")))
            ).scalar_subquery(),
            null(),
        ).where(exists(select(reached.c.i)))
        rows.append(row)
    written = rows[0] if len(rows) == 1 else union_all(*rows)
    columns = [
        "subject", "role", "organisation", "action", "entity", "entity_ids", "fields", "detail"
    ]  # fmt: skip
    return insert(audit_log).from_select(columns, written).returning(audit_log.c.id).cte("audit")


def _reached(shown: FromClause, path: Path) -> Select[str]:
    """The ids (as text) of the rows reached from the answered rows along `path`, as far as
    they entered the answer (a patient only inside the reader's scope)."""
    here, conditions = shown, []
    for step in path:
        there = table_of(step.target).alias()
        conditions.append(there.c[step.target_key] == here.c[step.key])
        if isinstance(step, Many):
            conditions += kept(there, step)
        elif step.scoped:
            conditions.append(_visible(step.target, there.c.id))
        here = there
    return select(cast(here.c.id, Text).label("i")).select_from(shown).where(*conditions)


def _literal(count: int) -> ColumnElement[Any]:
    """A page size written into the statement, not bound: PostgreSQL then plans a prepared
    statement once (a generic plan) instead of on every execution (a LIMIT parameter makes
    the generic plan look costly, and planning this statement costs as much as running
    it). Page sizes are 1-101, so a plan has at most a hundred statement texts."""
    return literal_column(str(int(count)))


def _page_conditions(scope: Scope, query: PageQuery) -> list[ColumnElement[bool]]:
    if isinstance(query, PatientQuery):
        return patient_conditions(scope, query)
    if isinstance(query, DeclarationQuery):
        return declaration_conditions(scope, query)
    if isinstance(query, TransferQuery):
        return transfer_conditions(scope, query)
    if isinstance(query, ContactQuery):
        return contact_conditions(scope, query)
    if isinstance(query, UserQuery):
        return user_conditions(scope, query)
    if isinstance(query, AuditQuery):
        return audit_conditions(scope, query)
    if isinstance(query, PersonEventQuery):
        return person_event_conditions(query)
    return alert_conditions(scope, query)


async def read_page(
    session: AsyncSession,
    plan: RootPlan,
    *,
    scope: Scope,
    query: PageQuery,
    first: int,
    after_id: int | None,
    reader: Reader,
    today: date,
) -> Answer:
    """A connection root (`patients`, `declarations`, `transfers`, `alerts`, `contacts`):
    newest first by id, `first` rows after the cursor (keyset), one statement."""
    conditions = _page_conditions(scope, query)
    shape = _shape(plan, session.get_bind().dialect)
    rows = table_of(plan.item.entity)
    after = [rows.c.id < after_id] if after_id is not None else []
    page = (
        select(*(rows.c[c] for c in shape.columns))
        .where(*conditions, *after)
        .order_by(rows.c.id.desc())
        .limit(_literal(first + 1))
        .cte("page")
    )
    shown = select(page).order_by(page.c.id.desc()).limit(_literal(first)).cte("shown")
    ctes = [page, shown]
    if shape.counted:
        counted = select(func.count().label("n")).select_from(rows).where(*conditions)
        ctes.append(counted.cte("matching"))
    return await _run(session, shape, ctes, scope, reader, today)


async def read_list(
    session: AsyncSession,
    plan: RootPlan,
    *,
    scope: Scope,
    query: ListQuery,
    reader: Reader,
    today: date,
) -> Answer:
    """A plain list root (`areas`, `facilities`, `drugs`) in the plan's order, one statement."""
    if isinstance(query, AreaQuery):
        conditions = area_conditions(query)
    elif isinstance(query, FacilityQuery):
        conditions = facility_conditions(query)
    else:
        conditions = drug_conditions(query)
    shape = _shape(plan, session.get_bind().dialect)
    rows = table_of(plan.item.entity)
    shown = select(*(rows.c[c] for c in shape.columns)).where(*conditions).cte("shown")
    return await _run(session, shape, [shown], scope, reader, today)


async def read_object(
    session: AsyncSession,
    plan: RootPlan,
    *,
    scope: Scope,
    key: int | str,
    reader: Reader,
    today: date,
) -> Answer:
    """A single-object root (`patient`, `declaration`, `area`) by its key, one statement
    (JSON null when unknown or out of scope)."""
    entity = ENTITIES[plan.item.entity]
    shape = _shape(plan, session.get_bind().dialect)
    rows = table_of(plan.item.entity)
    allowed = visible_of(entity.kind, scope)
    found = select(*(rows.c[c] for c in shape.columns)).where(rows.c[entity.key] == key, allowed)
    return await _run(session, shape, [found.cte("shown")], scope, reader, today)


@dataclass(frozen=True)
class Reached:
    """Rows of `entity` whose personal `fields` a read returned (for the audit)."""

    entity: str
    fields: tuple[str, ...]
    ids: tuple[str, ...]


async def read_snapshot(
    session: AsyncSession,
    plan: RootPlan,
    *,
    scope: Scope,
    row: object,
    today: date,
    language: str,
) -> tuple[str, list[Reached]]:
    """An object's JSON from a snapshot of its row (`row`: a model instance, such as the
    alert an event carries) instead of the table, with its relations read live inside
    the reader's scope, in one statement; and the personal rows it returned. Nothing is
    audited here: the caller audits each delivery."""
    shape = _shape(plan, session.get_bind().dialect)
    rows = table_of(plan.item.entity)
    values = (literal(getattr(row, c), rows.c[c].type).label(c) for c in shape.columns)
    ctes = [select(*values).cte("shown")]
    reached = _reached_arrays(plan, session.get_bind().dialect)
    arrays = (ids.label(f"r{n}") for n, (_, ids) in enumerate(reached))
    columns = [shape.data.label("data"), *arrays]
    found = (
        await session.execute(
            select(*columns).add_cte(*_context(shape, scope, today, language), *ctes)
        )
    ).one()
    returned = [
        Reached(entity, fields, tuple(ids))
        for ((entity, fields), _), ids in zip(reached, found[1:], strict=True)
        if ids
    ]
    return found.data, returned


@lru_cache(maxsize=512)
def _reached_arrays(
    plan: RootPlan, dialect: Dialect
) -> tuple[tuple[tuple[str, tuple[str, ...]], ColumnElement[Any]], ...]:
    """Per personal path of a plan, (entity, fields) and the ids it reaches as an array."""
    shown = _stand_in("shown", plan.item.entity, _columns(plan))
    arrays = []
    for read in plan.personal:
        for path, fields in read.paths:
            ids = _reached(shown, path).subquery()
            array = select(func.array_agg(ids.c.i)).scalar_subquery()
            arrays.append(((read.entity, fields), _frozen(array, dialect)))
    return tuple(arrays)


def _context(shape: _Shape, scope: Scope, today: date, language: str) -> list[CTE]:
    """The per-request CTEs a shape reads: the rows in scope of each kind entering nested,
    today's date, the reader's language."""
    ctes = [_visible_cte(kind, scope) for kind in sorted(shape.scoped)]
    if shape.dated:
        ctes.append(select(literal(today, Date).label("d")).cte("today"))
    if shape.localized:
        ctes.append(select(literal(language, Text).label("l")).cte("reader_language"))
    return ctes


def _visible_cte(kind: str, scope: Scope) -> CTE:
    """The rows of `kind` the reader may see (inlined where such a row enters nested)."""
    visible, row_id = VISIBLE[kind]
    return (
        select(row_id)
        .where(visible_of(kind, scope))
        .cte(visible.name)
        .prefix_with("NOT MATERIALIZED")
    )


async def _run(
    session: AsyncSession,
    shape: _Shape,
    ctes: list[CTE],
    scope: Scope,
    reader: Reader,
    today: date,
) -> Answer:
    columns: list[ColumnElement[Any]] = [shape.data.label("data"), shape.items.label("items")]
    values: dict[str, Any] = {}
    ctes[:0] = _context(shape, scope, today, reader.language)
    if shape.audit is not None:
        ctes.append(shape.audit)
        written = select(func.count()).select_from(shape.audit).scalar_subquery()
        columns.append(written.label("audited"))
        values = {
            "reader": reader.subject,
            "reader_role": reader.role,
            "reader_organisation": reader.organisation,
            "reader_detail": reader.detail,
        }
    statement = select(*columns).add_cte(*ctes)
    row = (await session.execute(statement, values)).one()
    return Answer(json=row.data, items=row.items)
