"""Compiled reads, served: a query whose one root field has a read plan is answered by one
SQL statement that builds the JSON, passed through undecoded (an `orjson.Fragment`).

Everything the generic path would answer with an error (a document that does not parse or
validate, variables that cannot be coerced or break the input rules, an argument that
breaks a rule, a root field the role may not use) is left to it, so errors stay exactly
the same; so is any selection the planner cannot compile (the reason is logged at DEBUG).
Plans are kept per (document, operation name, role, values of the variables of
@skip/@include and of nested fields' arguments)."""

from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import Hashable, Iterator
from typing import Any

import orjson
from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    GraphQLError,
    OperationDefinitionNode,
    VariableNode,
    build_schema,
    get_operation_ast,
    specified_rules,
    validate,
    visit,
)
from graphql import ExecutionResult as GraphQLExecutionResult
from graphql.execution.values import VariableValues, get_argument_values, get_variable_values
from graphql.language import Visitor
from strawberry.types.execution import ExecutionResult

from db.compiled import Answer
from db.errors import is_unavailable
from resolvers import reads
from resolvers.audit import PersonalReads
from resolvers.context import Context
from resolvers.errors import CodedError
from resolvers.planner import (
    ROOTS,
    Planned,
    PlannedEvent,
    Step,
    Unplannable,
    fragments_of,
    plan_event,
    plan_operation,
)
from resolvers.rows import EventRow
from schema import Schema, export_sdl
from schema.caches import TextCache, parsed
from schema.input_rules import variable_errors

log = logging.getLogger("f0care.compiled")
MAX_PLANS = 512


class _Document:
    """A parsed, valid document and the variables its @skip/@include depend on."""

    def __init__(self, document: DocumentNode) -> None:
        self.document = document
        self.switches = tuple(sorted(_plan_variables(document)))


class CompiledReads:
    """Plans and runs compiled reads for a schema: against its printed SDL (the rules its
    directives declare), with its validation rules and limits, through its parse cache
    (a document the generic executor then answers is not parsed twice)."""

    def __init__(self, schema: Schema) -> None:
        self.schema = build_schema(export_sdl(schema))
        self.rules = [*specified_rules, *schema.validation_rules]
        self.max_tokens = schema.limits.max_tokens
        self.parsed = schema.document_caches.parsed
        self.documents: TextCache[_Document | bool] = TextCache()  # False: not for us
        self.plans: OrderedDict[Hashable, Planned | None] = OrderedDict()
        # subscriptions' plans, by operation node (kept alive here, so its id stays its own)
        self.events: OrderedDict[Hashable, tuple[OperationDefinitionNode, PlannedEvent | None]] = (
            OrderedDict()
        )

    def _document(self, text: str) -> _Document | None:
        known = self.documents.get(text)
        if known is None:
            try:
                document = parsed(self.parsed, text, max_tokens=self.max_tokens)
            except GraphQLError:
                known = False
            else:
                # only a valid document whose queries ask one compilable root field is for
                # us; the rest goes straight to the generic executor, next time at once
                known = (
                    _Document(document)
                    if _candidate(document) and not validate(self.schema, document, self.rules)
                    else False
                )
            self.documents.put(text, known)
        return known if isinstance(known, _Document) else None

    def _plan(
        self,
        text: str,
        parsed: _Document,
        operation: OperationDefinitionNode,
        variables: VariableValues,
        ctx: Context,
    ) -> Planned | None:
        switches = tuple(variables.coerced.get(name) for name in parsed.switches)
        key = (text, operation.name.value if operation.name else None, ctx.principal.role, switches)
        if key in self.plans:
            self.plans.move_to_end(key)
            return self.plans[key]
        try:
            planned: Planned | None = plan_operation(
                self.schema, fragments_of(parsed.document), operation, variables, ctx.principal.role
            )
        except Unplannable as reason:
            log.debug("not compiled (%s): %.80s", reason, text)
            planned = None
        self.plans[key] = planned
        if len(self.plans) > MAX_PLANS:
            self.plans.popitem(last=False)
        return planned

    async def event(
        self,
        ctx: Context,
        operation: OperationDefinitionNode,
        fragments: dict[str, FragmentDefinitionNode],
        variables: VariableValues,
        source: EventRow,
    ) -> tuple[GraphQLExecutionResult, PersonalReads] | None:
        """One subscription event for `ctx`'s audience: its own fields from the event, its
        object from the snapshot the event carries, what lies below read in one statement;
        and the personal reads to audit per delivery. None: the generic executor answers."""
        planned = self._event_plan(operation, fragments, variables, ctx)
        if planned is None:
            return None
        value: dict[str, Any] = {}
        personal = PersonalReads()
        for key, name in planned.fields:
            if name == "__typename":
                value[key] = "AlertEvent"
            elif name == "id":
                value[key] = str(source.id)
            elif name == "type":
                value[key] = source.type.value
            elif planned.plan is not None:
                try:
                    json, personal = await reads.snapshot(ctx, planned.plan, source.alert)
                except Exception as exc:
                    if not is_unavailable(exc):  # an outage: the generic path reports it
                        log.exception("compiled event failed; the generic executor answers")
                    return None
                value[key] = orjson.loads(json)
        errors = [
            GraphQLError(
                denied.message, nodes=[denied.node], path=path, extensions={"code": denied.code}
            )
            for denied in planned.denied
            for path in _places(value, denied.path, [planned.key])
        ]
        return GraphQLExecutionResult({planned.key: value}, errors or None), personal

    def _event_plan(
        self,
        operation: OperationDefinitionNode,
        fragments: dict[str, FragmentDefinitionNode],
        variables: VariableValues,
        ctx: Context,
    ) -> PlannedEvent | None:
        """The plan of a subscription's events, kept per (operation, role, variables)."""
        switches = tuple(sorted((k, repr(v)) for k, v in variables.coerced.items()))
        key = (id(operation), ctx.principal.role, switches)
        known = self.events.get(key)
        if known is not None and known[0] is operation:  # the same node, not a reused id
            self.events.move_to_end(key)
            return known[1]
        try:
            planned: PlannedEvent | None = plan_event(
                self.schema, fragments, operation, variables, ctx.principal.role
            )
        except Unplannable as reason:
            log.debug("event not compiled (%s)", reason)
            planned = None
        self.events[key] = (operation, planned)
        if len(self.events) > MAX_PLANS:
            self.events.popitem(last=False)
        return planned

    async def execute(
        self,
        ctx: Context,
        text: str | None,
        raw_variables: dict[str, Any] | None,
        operation_name: str | None,
    ) -> ExecutionResult | None:
        """The answer of a compiled read, or None: let the generic executor answer."""
        if ctx.principal.must_change_password:  # the generic path refuses every read
            return None
        parsed = self._document(text) if text else None
        if parsed is None or text is None:
            return None
        operation = get_operation_ast(parsed.document, operation_name)
        if operation is None:
            return None
        variables = get_variable_values(
            self.schema, operation.variable_definitions or (), raw_variables or {}
        )
        if isinstance(variables, list) or variable_errors(variables):
            return None
        planned = self._plan(text, parsed, operation, variables, ctx)
        if planned is None:
            return None
        query_type = self.schema.query_type
        assert query_type is not None  # noqa: S101 - every schema of ours has one
        definition = query_type.fields[planned.plan.field]
        arguments = get_argument_values(definition, planned.node, variables)
        try:
            answer = await reads.compiled(ctx, planned.plan, arguments)
        except CodedError:
            return None  # the generic path answers with the very same error
        if answer is None:
            return None
        return ExecutionResult(
            data={planned.key: orjson.Fragment(answer.json)},
            errors=_denied(planned, answer) or None,
        )


def _denied(planned: Planned, answer: Answer) -> list[GraphQLError]:
    """The FORBIDDEN errors of the generic path: one per place a refused field appears in
    the answer (every item of every list, only where the object holding it is not null)."""
    if not planned.denied or answer.items == 0:
        return []
    data = orjson.loads(answer.json)
    return [
        GraphQLError(
            denied.message, nodes=[denied.node], path=path, extensions={"code": denied.code}
        )
        for denied in planned.denied
        for path in _places(data, denied.path, [planned.key])
    ]


def _places(value: Any, steps: tuple[Step, ...], at: list[str | int]) -> Iterator[list[str | int]]:
    """The concrete paths of `steps` (EACH: every index of a list) inside `value`."""
    step, rest = steps[0], steps[1:]
    if isinstance(step, int):  # EACH, the only number among the steps
        for index, item in enumerate(value if isinstance(value, list) else ()):
            yield from _places(item, rest, [*at, index])
    elif isinstance(value, dict):  # a null object holds no refused field
        if rest:
            yield from _places(value.get(step), rest, [*at, step])
        else:
            yield [*at, step]


def _candidate(document: DocumentNode) -> bool:
    """Whether some query of the document selects exactly one field, of a compilable root
    (a fragment at the root is left to the generic executor)."""
    for definition in document.definitions:
        if (
            isinstance(definition, OperationDefinitionNode)
            and definition.operation.value == "query"
        ):
            selections = definition.selection_set.selections
            if len(selections) == 1 and isinstance(selections[0], FieldNode):
                if selections[0].name.value in ROOTS:
                    return True
    return False


def _plan_variables(document: DocumentNode) -> set[str]:
    """Variables a plan depends on: those of @skip/@include and those given to a field
    below the root (a nested page's `first`/`after`); the root's arguments are bound per
    request instead."""
    names: set[str] = set()

    class Used(Visitor):
        def enter_directive(self, node: Any, *_: Any) -> None:
            if node.name.value in ("skip", "include"):
                names.update(_variables(node.arguments))

        def enter_field(
            self, node: FieldNode, _key: Any, _parent: Any, _path: Any, ancestors: Any
        ) -> None:
            below = (FieldNode, FragmentDefinitionNode)  # a field inside a field or fragment
            if any(isinstance(a, below) for a in ancestors):
                names.update(_variables(node.arguments or ()))

    visit(document, Used())
    return names


def _variables(arguments: Any) -> Iterator[str]:
    for argument in arguments:
        if isinstance(argument.value, VariableNode):
            yield argument.value.name.value
