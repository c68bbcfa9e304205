"""Expected failures, each with a stable `extensions.code` (DESIGN.md §5)."""

from __future__ import annotations

from graphql import GraphQLError

from db.errors import is_unavailable as is_unavailable  # re-exported for schema/

INTERNAL = "INTERNAL"  # our fault: masked for the client, logged in full


class CodedError(GraphQLError):
    """An error the client may act on; never masked."""

    code = "INTERNAL"

    def __init__(self, message: str, **extra: object) -> None:
        super().__init__(message, extensions={"code": self.code, **extra})


class Unauthenticated(CodedError):
    """No valid token, or wrong credentials."""

    code = "UNAUTHENTICATED"


class Forbidden(CodedError):
    """The principal may not do or see this."""

    code = "FORBIDDEN"


class BadUserInput(CodedError):
    """An argument broke a rule; the message names the field and the rule."""

    code = "BAD_USER_INPUT"

    def __init__(self, field: str, rule: str, **extra: object) -> None:
        super().__init__(f"{field}: {rule}", field=field, **extra)


class InvalidInput(CodedError):
    """Several arguments broke rules: every one is listed (`extensions.invalid`)."""

    code = "BAD_USER_INPUT"

    def __init__(self, problems: list[tuple[str, str]], *, rows: int | None = None) -> None:
        shown = "; ".join(f"{field}: {rule}" for field, rule in problems[:20])
        more = f" (and {len(problems) - 20} more)" if len(problems) > 20 else ""
        head = f"{len(problems)} invalid value(s)" + (f" in {rows} row(s)" if rows else "")
        invalid = [{"field": field, "rule": rule} for field, rule in problems]
        super().__init__(f"{head}: {shown}{more}", invalid=invalid)


class NotFound(CodedError):
    """No such object in the caller's scope."""

    code = "NOT_FOUND"


class Conflict(CodedError):
    """The object is not in a state that allows this."""

    code = "CONFLICT"


class RateLimited(CodedError):
    """Too many attempts; try again later."""

    code = "RATE_LIMITED"


class ServiceUnavailable(CodedError):
    """The database cannot be reached now; the same request may succeed in a moment."""

    code = "SERVICE_UNAVAILABLE"
    RETRY_AFTER_SECONDS = 5

    def __init__(self) -> None:
        super().__init__(
            "The service is temporarily unavailable; retry in a few seconds.",
            retryable=True,
            retryAfterSeconds=self.RETRY_AFTER_SECONDS,
        )
