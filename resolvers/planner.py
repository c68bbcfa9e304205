"""From a GraphQL selection to a read plan (`db.readplan`), with the field rules decided
for one role. No SQL here: `db.compiled` turns the plan into one statement.

The rules come from the directives printed in the SDL (`@allow`, `@personalData`,
`@clinicalData`), so the compiled path enforces exactly what `schema.graphql` says. A
selection this module cannot plan (a field with Python logic, personal data below a nested
page or a newest row) raises Unplannable with the reason, and the request runs on
the generic executor instead."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLField,
    GraphQLIncludeDirective,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    GraphQLSkipDirective,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    get_named_type,
)
from graphql.execution.values import VariableValues, get_argument_values, get_directive_values

from db.readplan import (
    ENTITIES,
    Chain,
    ChainPart,
    Column,
    ConnectionPart,
    ConnectionPlan,
    Const,
    Count,
    Leaf,
    Many,
    Nested,
    NestedPage,
    ObjectPlan,
    One,
    Paged,
    Path,
    PersonalRead,
    RootPlan,
)
from domain.contacts import MAX_CHAIN_DEPTH
from domain.enums import Role
from resolvers.errors import CodedError
from resolvers.pagination import decode_cursor, page_size

EACH = 0  # in a path: every item of the list there
Step = str | int


@dataclass(frozen=True)
class Denied:
    """A field the role may not read: null plus this error at each place it appears."""

    path: tuple[Step, ...]  # from the root key; EACH stands for every index of a list
    message: str
    code: str
    node: FieldNode


@dataclass(frozen=True)
class Planned:
    """A root field's plan, and what the response needs besides the JSON: its key, its
    node, and the refused fields' errors (per item, in response order)."""

    plan: RootPlan
    key: str
    node: FieldNode
    denied: tuple[Denied, ...]


class Unplannable(Exception):
    """Why a selection stays on the generic executor."""


# root fields compiled: the type of their items and, for a plain list, its order
ROOTS: dict[str, tuple[str, tuple[str, ...]]] = {
    "patients": ("Patient", ()),
    "patient": ("Patient", ()),
    "declarations": ("Declaration", ()),
    "declaration": ("Declaration", ()),
    "transfers": ("Transfer", ()),
    "alerts": ("Alert", ()),
    "area": ("Area", ()),
    "areas": ("Area", ("code",)),
    "facilities": ("Facility", ("id",)),
    "drugs": ("Drug", ("code",)),
    "contacts": ("Contact", ()),
    "contact": ("Contact", ()),
    "users": ("User", ()),
    "user": ("User", ()),
    "auditLog": ("AuditEntry", ()),
    "myNotifications": ("PersonEvent", ()),
}
ROOT: Path = ()  # where an object sits: the relations from the root's items to it
DEEP = None  # below a newest row or a nested page (personal data there is not compiled)


def fragments_of(document: DocumentNode) -> dict[str, FragmentDefinitionNode]:
    """The fragments a document defines, by name."""
    return {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}


def plan_operation(
    schema: GraphQLSchema,
    fragments: dict[str, FragmentDefinitionNode],
    operation: OperationDefinitionNode,
    variables: VariableValues,
    role: Role | None,
) -> Planned:
    """The plan of a query operation with one root field, for principals of `role`;
    Unplannable says why there is none."""
    if operation.operation.value != "query":
        raise Unplannable(f"a {operation.operation.value} is not compiled")
    walker = _Walker(schema, fragments, variables, role)
    roots = list(walker.fields(operation.selection_set))
    if len(roots) != 1:
        raise Unplannable("only a document with exactly one root field is compiled")
    key, node = roots[0]
    name = node.name.value
    if name not in ROOTS:
        raise Unplannable(f"Query.{name} is not compiled yet")
    query_type = schema.query_type
    assert query_type is not None  # noqa: S101 - every schema of ours has one
    definition = query_type.fields[name]
    if walker.rule(definition, "Query", name) is not None:
        raise Unplannable(f"Query.{name} is not allowed for this role (the generic path says so)")
    type_name, order = ROOTS[name]
    returned = definition.type.of_type if isinstance(definition.type, GraphQLNonNull) else None
    if get_named_type(definition.type).name == type_name:  # an object or a plain list
        listed = isinstance(returned or definition.type, GraphQLList)
        item = walker.object(type_name, node.selection_set, (EACH,) if listed else (), ROOT)
        plan = RootPlan(name, "list" if listed else "object", item, None, walker.personal(), order)
        return Planned(plan, key, node, walker.denied())
    connection, item = walker.connection(type_name, node.selection_set, (), ROOT)
    plan = RootPlan(name, "connection", item, connection, walker.personal())
    return Planned(plan, key, node, walker.denied())


# subscriptions compiled: the event type, its object's field and the object's type
EVENTS: dict[str, tuple[str, str, str]] = {"alertEvents": ("AlertEvent", "alert", "Alert")}
EVENT_FIELDS = ("id", "type", "__typename")  # taken from the event itself


@dataclass(frozen=True)
class PlannedEvent:
    """A subscription event's plan: the event's own fields (`fields`: response key and
    name, in response order) and the plan of its object (the snapshot the event carries,
    with everything below it read in one statement; None when not selected)."""

    key: str
    fields: tuple[tuple[str, str], ...]
    plan: RootPlan | None
    denied: tuple[Denied, ...]  # paths from the event (below the root key)


def plan_event(
    schema: GraphQLSchema,
    fragments: dict[str, FragmentDefinitionNode],
    operation: OperationDefinitionNode,
    variables: VariableValues,
    role: Role | None,
) -> PlannedEvent:
    """The plan of one event of a subscription operation, for principals of `role`;
    Unplannable says why there is none."""
    walker = _Walker(schema, fragments, variables, role)
    roots = list(walker.fields(operation.selection_set))
    name = roots[0][1].name.value if len(roots) == 1 else None
    if operation.operation.value != "subscription" or name not in EVENTS:
        raise Unplannable("only a subscription of alertEvents is compiled")
    key, node = roots[0]
    event_type, object_field, object_type = EVENTS[name]
    graphql_type = schema.type_map[event_type]
    assert isinstance(graphql_type, GraphQLObjectType)  # noqa: S101 - declared above
    fields: list[tuple[str, str]] = []
    item: ObjectPlan | None = None
    for field_key, field_node in walker.fields(node.selection_set):
        field_name = field_node.name.value
        definition = graphql_type.fields.get(field_name)
        if definition is not None and walker.rule(definition, event_type, field_name):
            raise Unplannable(f"{event_type}.{field_name} is refused (the generic path says so)")
        fields.append((field_key, field_name))
        if field_name == object_field:
            if item is not None:
                raise Unplannable(f"`{object_field}` is selected under two keys")
            item = walker.object(object_type, field_node.selection_set, (field_key,), ROOT)
        elif field_name not in EVENT_FIELDS:
            raise Unplannable(f"{event_type}.{field_name} is not compiled")
    if item is not None and not any(isinstance(f, Nested | NestedPage) for f in item.fields):
        raise Unplannable(f"only the {object_field}'s own fields: its snapshot answers them")
    plan = None if item is None else RootPlan(name, "object", item, None, walker.personal())
    return PlannedEvent(key, tuple(fields), plan, walker.denied())


class _Walker:
    def __init__(
        self,
        schema: GraphQLSchema,
        fragments: dict[str, FragmentDefinitionNode],
        variables: VariableValues,
        role: Role | None,
    ) -> None:
        self.schema, self.fragments, self.variables, self.role = schema, fragments, variables, role
        self.refused: list[Denied] = []
        self.read_personal: dict[str, dict[Path, set[str]]] = {}

    def personal(self) -> tuple[PersonalRead, ...]:
        return tuple(
            PersonalRead(
                ENTITIES[entity].kind,
                tuple((path, tuple(sorted(names))) for path, names in paths.items()),
            )
            for entity, paths in self.read_personal.items()
        )

    def denied(self) -> tuple[Denied, ...]:
        return tuple(self.refused)

    def fields(self, selection: SelectionSetNode | None) -> Iterator[tuple[str, FieldNode]]:
        """(response key, first field node) in response order; the same key merges."""
        seen: dict[str, FieldNode] = {}
        for key, node in self._collect(selection):
            if key in seen:
                if node.selection_set is not None or seen[key].selection_set is not None:
                    raise Unplannable(f"`{key}` is selected twice with sub-selections")
                continue
            seen[key] = node
        yield from seen.items()

    def _collect(self, selection: SelectionSetNode | None) -> Iterator[tuple[str, FieldNode]]:
        for item in selection.selections if selection else ():
            if not self._included(item):
                continue
            if isinstance(item, FieldNode):
                yield (item.alias or item.name).value, item
            elif isinstance(item, InlineFragmentNode):
                yield from self._collect(item.selection_set)
            elif isinstance(item, FragmentSpreadNode):
                yield from self._collect(self.fragments[item.name.value].selection_set)

    def _included(self, node: Any) -> bool:
        skip = get_directive_values(GraphQLSkipDirective, node, self.variables)
        if skip is not None and skip.get("if") is True:
            return False
        include = get_directive_values(GraphQLIncludeDirective, node, self.variables)
        return include is None or include.get("if") is not False

    def rule(self, definition: GraphQLField, type_name: str, name: str) -> tuple[str, str] | None:
        """(message, code) when the role may not read the field, as the generic path says."""
        for directive in _directives(definition):
            kind = directive.name.value
            if kind == "public":
                return None
            roles = _roles(directive)
            if kind == "authenticated":
                roles = {r.value for r in Role}
            if roles is None:
                continue
            where = f"{type_name}.{name}"
            if kind == "personalData":
                if self.role is not None and self.role.value in roles:
                    return None
                who = "anonymous callers" if self.role is None else f"role {self.role.value}"
                return f"{where} is personal data; {who} may not read it", "FORBIDDEN"
            if self.role is None:
                return f"{where} needs a valid bearer token", "UNAUTHENTICATED"
            if self.role.value not in roles:
                return f"role {self.role.value} may not use {where}", "FORBIDDEN"
        return None

    def object(
        self,
        type_name: str,
        selection: SelectionSetNode | None,
        at: tuple[Step, ...],
        origin: Path | None,
    ) -> ObjectPlan:
        """The plan of one object at `at`; `origin` says how it is reached from the root's
        items (or DEEP), for the audit of personal fields."""
        entity = ENTITIES.get(type_name)
        graphql_type = self.schema.type_map[type_name]
        if entity is None or not isinstance(graphql_type, GraphQLObjectType):
            raise Unplannable(f"{type_name} is not mapped")
        planned: list[Leaf | Const | Nested | NestedPage] = []
        for key, node in self.fields(selection):
            name = node.name.value
            if name == "__typename":
                planned.append(Const(key, type_name))
                continue
            definition = graphql_type.fields[name]
            source = entity.fields.get(name)
            if definition.args and node.arguments and not isinstance(source, Paged | Chain):
                raise Unplannable(f"{type_name}.{name} with arguments is not compiled")
            refused = self.rule(definition, type_name, name)
            if refused is not None:
                self.refused.append(Denied((*at, key), refused[0], refused[1], node))
                planned.append(Const(key, None))
                continue
            if _personal(definition):
                if origin is None:
                    raise Unplannable("personal data below a newest row or a page is not compiled")
                paths = self.read_personal.setdefault(type_name, {})
                paths.setdefault(origin, set()).add(name)
            if source is None:
                raise Unplannable(f"{type_name}.{name} is computed in Python")
            if isinstance(source, Column):
                planned.append(Leaf(key, source))
            elif isinstance(source, Count):
                planned.append(Nested(key, source, None))
            elif isinstance(source, Paged):
                planned.append(self.page(source, node, definition, (*at, key)))
            elif isinstance(source, Chain):
                planned.append(self.chain(source, node, definition, (*at, key)))
            elif isinstance(source, ChainPart):
                target = get_named_type(definition.type).name
                inner = (
                    None if source.part == "hidden"
                    else self.object(target, node.selection_set, (*at, key, EACH), DEEP)
                )  # fmt: skip
                planned.append(Nested(key, source, inner))
            else:
                target = get_named_type(definition.type).name
                below: Path | None = DEEP
                if origin is not None and isinstance(source, One | Many):
                    below = (*origin, source)
                inside = (*at, key, EACH) if isinstance(source, Many) else (*at, key)
                inner = self.object(target, node.selection_set, inside, below)
                planned.append(Nested(key, source, inner))
        return ObjectPlan(type_name, tuple(planned))

    def page(
        self, relation: Paged, node: FieldNode, definition: GraphQLField, at: tuple[Step, ...]
    ) -> NestedPage:
        """A nested connection, `first` rows after `after` (their values are part of the
        plan: the plan cache keys on the variables they use)."""
        arguments = get_argument_values(definition, node, self.variables)
        kind = ENTITIES[relation.target].kind
        try:
            first = page_size(arguments.get("first"))
            after_id = decode_cursor(arguments.get("after"), kind)
        except CodedError as error:  # the generic path answers with this error
            raise Unplannable(f"{node.name.value}: {error}") from None
        connection, item = self.connection(relation.target, node.selection_set, at, DEEP)
        key = (node.alias or node.name).value
        return NestedPage(key, relation, connection, item, first, after_id)

    def chain(
        self, relation: Chain, node: FieldNode, definition: GraphQLField, at: tuple[Step, ...]
    ) -> Nested:
        """A transmission chain `depth` links each way (the value is part of the plan, as
        a page's size is); a depth out of bounds stays with the generic path's error."""
        depth = get_argument_values(definition, node, self.variables).get("depth")
        if not isinstance(depth, int) or not 1 <= depth <= MAX_CHAIN_DEPTH:
            raise Unplannable(f"{node.name.value}: depth {depth!r} is out of bounds")
        inner = self.object("TransmissionChain", node.selection_set, at, DEEP)
        return Nested((node.alias or node.name).value, replace(relation, depth=depth), inner)

    def connection(
        self,
        type_name: str,
        selection: SelectionSetNode | None,
        at: tuple[Step, ...],
        origin: Path | None,
    ) -> tuple[ConnectionPlan, ObjectPlan]:
        item: ObjectPlan | None = None
        parts: list[tuple[str, str | ConnectionPart]] = []
        for key, node in self.fields(selection):
            name = node.name.value
            if name in ("__typename", "totalCount"):
                parts.append((key, name))
            elif name == "edges":
                edge: list[tuple[str, str]] = []
                for edge_key, edge_node in self.fields(node.selection_set):
                    part = edge_node.name.value
                    if part == "node":
                        if item is not None:
                            raise Unplannable("`node` is selected twice")
                        item = self.object(
                            type_name, edge_node.selection_set, (*at, key, EACH, edge_key), origin
                        )
                    edge.append((edge_key, part))
                parts.append((key, ConnectionPart("edges", tuple(edge))))
            elif name == "pageInfo":
                info = tuple((k, n.name.value) for k, n in self.fields(node.selection_set))
                parts.append((key, ConnectionPart("pageInfo", info)))
        return ConnectionPlan(tuple(parts)), item or ObjectPlan(type_name, ())


def _roles(directive: Any) -> set[str] | None:
    for argument in directive.arguments or ():
        if argument.name.value == "roles":
            return {value.value for value in argument.value.values}
    return None


def _directives(definition: GraphQLField) -> tuple[Any, ...]:
    """The directives printed on a field in the SDL (its rule)."""
    node = definition.ast_node
    return tuple(node.directives or ()) if node is not None else ()


def _personal(definition: GraphQLField) -> bool:
    return any(d.name.value == "personalData" for d in _directives(definition))
