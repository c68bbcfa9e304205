"""The GraphQL schema, assembled from the types of each domain."""

from __future__ import annotations

import logging
from dataclasses import dataclass

import strawberry
from graphql import ASTValidationRule, GraphQLError
from strawberry.printer import print_schema
from strawberry.types import ExecutionContext

from resolvers.context import Context
from resolvers.errors import INTERNAL, ServiceUnavailable
from schema.caches import DocumentCaches
from schema.errors import code_of
from schema.extensions import extensions, validation_rules
from schema.mutation import Mutation
from schema.query import Query
from schema.sharing import SharedEventExecutor
from schema.subscription import Subscription

log = logging.getLogger("f0care.graphql")


@dataclass(frozen=True)
class Limits:
    """Abuse limits of one deployment."""

    max_depth: int = 10
    max_aliases: int = 30
    max_tokens: int = 2000
    introspection: bool = True


class Schema(strawberry.Schema):
    """Logs only our own faults, in full, and an outage once; the caller's mistakes are the
    caller's business. Keeps its limits, its validation rules and its parsed and validated
    documents, for the compiled reads to use the same."""

    limits: Limits
    validation_rules: list[type[ASTValidationRule]]
    document_caches: DocumentCaches

    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        for error in errors:
            code = code_of(error)
            if code == INTERNAL:
                log.error("unexpected error at %s", error.path, exc_info=error.original_error)
            elif code == ServiceUnavailable.code and error.original_error is not None:
                context = execution_context.context if execution_context else None
                if isinstance(context, Context):
                    context.services.availability.failed(error.original_error)


def build_schema(limits: Limits | None = None) -> Schema:
    """The f0care schema with its limits."""
    limits = limits or Limits()
    caches = DocumentCaches()
    rules = validation_rules(
        max_depth=limits.max_depth,
        max_aliases=limits.max_aliases,
        introspection=limits.introspection,
    )
    schema = Schema(
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        execution_context_class=SharedEventExecutor,
        extensions=extensions(rules=rules, max_tokens=limits.max_tokens, caches=caches),
    )
    schema.limits, schema.validation_rules, schema.document_caches = limits, rules, caches
    return schema


def export_sdl(schema: strawberry.Schema | None = None) -> str:
    """The schema as SDL: types sorted by name, ending with one newline."""
    return print_schema(schema or build_schema()).rstrip("\n") + "\n"
