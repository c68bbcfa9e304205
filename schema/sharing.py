"""Executing a subscription event once per audience instead of once per subscriber.

Every subscriber of a process receives the same event object. Subscribers whose
documents, variables and audience (role, area, facility, language) are the same get the same
result, so it is computed once: before this, graphql-core re-executed the selection
for each of 500 subscribers per process (41 % of a server's CPU in the alert benchmark).

Each event runs with a context of its own (fresh loaders: nothing stale from earlier
events), and the personal reads of the shared execution are audited for every subscriber
it is delivered to. Where the server compiles reads, an alert event is answered by the
same read plans as queries (`Services.compiled_events`): one statement per event and
audience, from the alert snapshot the event carries. The executor also turns the caller's
mistakes found while building it (variables, an unknown operation) into BAD_USER_INPUT.
"""

from __future__ import annotations

import asyncio
from collections.abc import Hashable
from typing import Any

from graphql import GraphQLError

from resolvers.audit import PersonalReads, record_delivery
from resolvers.context import Context
from resolvers.errors import BadUserInput
from resolvers.rows import EventRow
from schema.fast_fields import FastLeafExecutor
from schema.input_rules import variable_errors


def audience(context: object) -> Hashable:
    """What a result may depend on besides the document: the principal's role and scope,
    and the language texts for people are read in."""
    if not isinstance(context, Context):
        return None
    principal = context.principal
    area = principal.area.code if principal.area else None
    facility = principal.facility.id if principal.facility else None
    return (principal.role, area, facility, context.language)


class SharedEventExecutor(FastLeafExecutor):
    """strawberry's executor; for events carrying `shared_results`, one execution per
    (operation, variables, audience), its result (or in-flight task) reused by the rest."""

    @classmethod
    def build(cls, *args: Any, **kwargs: Any) -> Any:
        """The executor, or the caller's mistakes in the request (an unknown operation,
        variables that cannot be coerced or break the input rules) as BAD_USER_INPUT."""
        built = super().build(*args, **kwargs)
        if isinstance(built, list):
            return [_bad_input(error) for error in built]
        return variable_errors(built.variable_values) or built

    per_event = False  # set on the copy graphql-core makes for each subscription event

    def build_per_event_executor(self, payload: Any) -> Any:
        """The executor of one event: its own context (fresh loaders, so nothing is stale,
        and its own audit collector, so each delivery is audited)."""
        executor = super().build_per_event_executor(payload)
        if isinstance(executor, SharedEventExecutor):
            executor.per_event = True
            if isinstance(self.context_value, Context):
                executor.context_value = self.context_value.fork()
        return executor

    def execute_operation(self, serially: bool | None = None) -> Any:
        if not self.per_event:
            return super().execute_operation(serially)
        results = getattr(self.root_value, "shared_results", None)
        if not isinstance(results, dict):
            return self._deliver(asyncio.ensure_future(self._execute(serially)))
        variables = tuple(sorted((k, repr(v)) for k, v in self.variable_values.coerced.items()))
        key = (id(self.operation), variables, audience(self.context_value))
        if key not in results:
            results[key] = asyncio.ensure_future(self._execute(serially))
        return self._deliver(results[key])

    async def _execute(self, serially: bool | None) -> tuple[Any, PersonalReads]:
        context, row = self.context_value, getattr(self.root_value, "row", None)
        if isinstance(context, Context) and isinstance(row, EventRow):
            compiled = context.services.compiled_events
            if compiled is not None:
                answered = await compiled.event(
                    context, self.operation, self.fragment_definitions, self.variable_values, row
                )
                if answered is not None:
                    return answered
        outcome = super().execute_operation(serially)
        result = await outcome if self.is_awaitable(outcome) else outcome
        context = self.context_value
        return result, context.personal_reads if isinstance(context, Context) else PersonalReads()

    async def _deliver(self, execution: asyncio.Future[tuple[Any, PersonalReads]]) -> Any:
        # shielded: a subscriber that leaves must not cancel the execution others share
        result, reads = await asyncio.shield(execution)
        if isinstance(self.context_value, Context):
            record_delivery(self.context_value, reads)
        return result


def _bad_input(error: GraphQLError) -> GraphQLError:
    return GraphQLError(
        error.message,
        nodes=error.nodes,
        source=error.source,
        positions=error.positions,
        extensions={**(error.extensions or {}), "code": BadUserInput.code},
    )
