"""Schema extensions: audit of personal reads, abuse limits, error masking.

No extension here has a `resolve` hook (it would wrap every field)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Iterator

from graphql import ASTValidationRule, GraphQLError
from graphql.validation import NoSchemaIntrospectionCustomRule
from strawberry.extensions import (
    AddValidationRules,
    MaxTokensLimiter,
    SchemaExtension,
)
from strawberry.extensions.max_aliases import create_validator as alias_rule
from strawberry.extensions.query_depth_limiter import create_validator as depth_rule

from resolvers.audit import record_reads
from resolvers.context import Context
from schema.caches import DocumentCaches
from schema.errors import coded_all
from schema.input_rules import StorableTextRule


class AuditPersonalReads(SchemaExtension):
    """After an operation, one audit row per entity listing the personal fields returned
    (events delivered by a subscription are audited one by one, as they go out)."""

    async def on_operation(self) -> AsyncIterator[None]:
        yield
        context = self.execution_context.context
        if isinstance(context, Context):
            # shielded: over WebSocket the data is already sent, and a client that
            # disconnects now (cancelling the operation) must not skip its audit row
            await asyncio.shield(record_reads(context))


def validation_rules(
    *, max_depth: int, max_aliases: int, introspection: bool
) -> list[type[ASTValidationRule]]:
    """Rules built once, so strawberry's validation cache keeps hitting (strawberry #4635)."""
    rules: list[type[ASTValidationRule]] = [
        depth_rule(max_depth, None),
        alias_rule(max_aliases),
        StorableTextRule,
    ]
    if not introspection:
        rules.append(NoSchemaIntrospectionCustomRule)
    return rules


class CodeErrors(SchemaExtension):
    """Gives every error its code and masks our own faults (`schema.errors.coded`), on
    each streamed result (subscriptions, WebSocket) or else on the operation's result.

    A plain attribute check, not strawberry's MaskErrors: its isinstance test against a
    runtime Protocol cost ~5 % of CPU per subscription event (profiled)."""

    streamed = False

    def on_operation(self) -> Iterator[None]:
        yield
        if not self.streamed:
            _code_errors(self.execution_context.result, _language(self.execution_context.context))

    def on_stream_result(self, result: object) -> Iterator[None]:
        self.streamed = True
        _code_errors(result, _language(self.execution_context.context))
        yield


def _code_errors(result: object, language: str) -> None:
    errors: list[GraphQLError] | None = getattr(result, "errors", None)
    if errors:
        result.errors = coded_all(errors, language)  # type: ignore[attr-defined]


def _language(context: object) -> str:
    return context.language if isinstance(context, Context) else "vi"


def extensions(
    *, rules: list[type[ASTValidationRule]], max_tokens: int, caches: DocumentCaches
) -> list[Callable[[], SchemaExtension]]:
    """Extension factories for the schema (strawberry takes classes or factories)."""
    return [
        lambda: MaxTokensLimiter(max_token_count=max_tokens),
        caches.parser,
        lambda: AddValidationRules(rules),
        caches.validator,
        CodeErrors,
        AuditPersonalReads,
    ]
