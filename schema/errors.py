"""Every error leaves with an `extensions.code`: the caller's mistakes say what was wrong,
an outage says "retry", and only our own faults are masked (and logged, in full)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from graphql import GraphQLError, GraphQLSyntaxError
from strawberry.exceptions import StrawberryInputCoercionError
from strawberry.schema.exceptions import CannotGetOperationTypeError

from resolvers.errors import INTERNAL, CodedError, ServiceUnavailable, is_unavailable

PARSE_FAILED = "GRAPHQL_PARSE_FAILED"
VALIDATION_FAILED = "GRAPHQL_VALIDATION_FAILED"
BAD_USER_INPUT = "BAD_USER_INPUT"
INTERNAL_MESSAGE = "Internal error."


def code_of(error: GraphQLError) -> str:
    """The code `error` is answered with (INTERNAL for our own faults)."""
    code = (error.extensions or {}).get("code")
    if isinstance(code, str):
        return code
    original = error.original_error
    if isinstance(error, GraphQLSyntaxError):
        return PARSE_FAILED
    if original is not None and is_unavailable(original):
        return ServiceUnavailable.code
    if isinstance(original, CannotGetOperationTypeError):
        return BAD_USER_INPUT  # an operationName the document does not have
    if isinstance(error, StrawberryInputCoercionError):
        return BAD_USER_INPUT  # a literal strawberry's scalars (Date, DateTime) refused
    if error.path is None and original is None:
        return VALIDATION_FAILED  # unknown field, wrong argument, over a limit, …
    if error.path is None and error.nodes:
        return BAD_USER_INPUT  # a literal a scalar could not parse
    return INTERNAL


def coded(error: GraphQLError, language: str = "vi") -> GraphQLError:
    """`error` as the client sees it: with its code, our own words in `language`; masked
    when it is our fault."""
    code = code_of(error)
    ours = error if isinstance(error, CodedError) else error.original_error
    message = error.message
    extensions: dict[str, Any] = {**(error.extensions or {}), "code": code}
    if isinstance(ours, CodedError):
        message, extensions = ours.in_language(language)
        if message == error.message and extensions == error.extensions:
            return error
    elif code == ServiceUnavailable.code:
        message, extensions = ServiceUnavailable().in_language(language)
    elif extensions == error.extensions:
        return error
    elif isinstance(error.original_error, CannotGetOperationTypeError):
        message = error.original_error.as_http_error_reason()
    elif code == INTERNAL:
        message, extensions = INTERNAL_MESSAGE, {"code": INTERNAL}
    return GraphQLError(
        message,
        nodes=error.nodes,
        source=error.source,
        positions=error.positions,
        path=error.path,
        extensions=extensions,
    )


def coded_all(errors: Sequence[GraphQLError], language: str = "vi") -> list[GraphQLError]:
    """`errors` coded (`coded`) and in response order: by the list items they sit in, then
    where their field is written. The executor reports errors as resolvers finish, so the
    order would otherwise depend on which resolvers wait; the compiled path gives the same
    order without running any."""
    return sorted((coded(error, language) for error in errors), key=_response_order)


def _response_order(error: GraphQLError) -> tuple[tuple[int, ...], tuple[int, int]]:
    items = tuple(step for step in error.path or () if isinstance(step, int))
    where = error.locations[0] if error.locations else None
    return items, (where.line, where.column) if where is not None else (0, 0)
