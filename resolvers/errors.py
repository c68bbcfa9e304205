"""Expected failures, each with a stable `extensions.code` (DESIGN.md §5)."""

from __future__ import annotations

from graphql import GraphQLError

from db.errors import is_unavailable as is_unavailable  # re-exported for schema/
from domain.text import Texts

INTERNAL = "INTERNAL"  # our fault: masked for the client, logged in full


class CodedError(GraphQLError):
    """An error the client may act on; never masked. Its message is Vietnamese unless the
    request asks for English (`in_language`, applied where the answer is sent)."""

    code = "INTERNAL"

    def __init__(self, message: str | Texts, **extra: object) -> None:
        self.texts = message if isinstance(message, Texts) else Texts.same(message)
        super().__init__(self.texts.vi, extensions={"code": self.code, **extra})

    def in_language(self, language: str) -> tuple[str, dict[str, object]]:
        """The message and extensions in `language`."""
        return self.texts.in_language(language), dict(self.extensions or {})


class Unauthenticated(CodedError):
    """No valid token, or wrong credentials."""

    code = "UNAUTHENTICATED"


class Forbidden(CodedError):
    """The principal may not do or see this."""

    code = "FORBIDDEN"


class BadUserInput(CodedError):
    """An argument broke a rule; the message names the field and the rule."""

    code = "BAD_USER_INPUT"

    def __init__(self, field: str, rule: Texts, **extra: object) -> None:
        super().__init__(Texts(f"{field}: {rule.vi}", f"{field}: {rule.en}"), field=field, **extra)


class InvalidInput(CodedError):
    """Several arguments broke rules: every one is listed (`extensions.invalid`)."""

    code = "BAD_USER_INPUT"

    SHOWN = 20  # problems named in the message (all are in `extensions.invalid`)

    def __init__(self, problems: list[tuple[str, Texts]], *, rows: int | None = None) -> None:
        self.problems, self.rows = problems, rows
        super().__init__(
            Texts(self._message("vi"), self._message("en")), invalid=self._invalid("vi")
        )

    def _message(self, language: str) -> str:
        n, more = len(self.problems), len(self.problems) - self.SHOWN
        shown = "; ".join(
            f"{field}: {rule.in_language(language)}" for field, rule in self.problems[: self.SHOWN]
        )
        if language == "en":
            head = f"{n} invalid value(s)" + (f" in {self.rows} row(s)" if self.rows else "")
            tail = f" (and {more} more)" if more > 0 else ""
        else:
            head = f"{n} giá trị không hợp lệ" + (f" trong {self.rows} dòng" if self.rows else "")
            tail = f" (và {more} lỗi khác)" if more > 0 else ""
        return f"{head}: {shown}{tail}"

    def _invalid(self, language: str) -> list[dict[str, str]]:
        return [
            {"field": field, "rule": rule.in_language(language)} for field, rule in self.problems
        ]

    def in_language(self, language: str) -> tuple[str, dict[str, object]]:
        return self._message(language), {
            **(self.extensions or {}),
            "invalid": self._invalid(language),
        }


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
            Texts(
                "Dịch vụ tạm thời gián đoạn; vui lòng thử lại sau vài giây.",
                "The service is temporarily unavailable; retry in a few seconds.",
            ),
            retryable=True,
            retryAfterSeconds=self.RETRY_AFTER_SECONDS,
        )
