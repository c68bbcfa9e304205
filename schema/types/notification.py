"""Events for people: what happened to a citizen's own case, in their language."""

from __future__ import annotations

from datetime import datetime

import strawberry

from resolvers import rows
from resolvers.context import Context
from schema.types.enums import PersonEventKind


@strawberry.type(description="Something that happened to your case, told to you.")
class PersonEvent:
    id: strawberry.ID = strawberry.field(description="Event id (increasing: resume after it).")
    kind: PersonEventKind = strawberry.field(description="What happened.")
    case_code: str | None = strawberry.field(description="Your case code, when there is one.")
    created_at: datetime = strawberry.field(description="When.")
    message_vi: strawberry.Private[str]
    message_en: strawberry.Private[str]

    @classmethod
    def from_model(cls, row: rows.PersonEvent) -> PersonEvent:
        return cls(
            id=strawberry.ID(str(row.id)), kind=row.kind, case_code=row.case_code,
            created_at=row.created_at, message_vi=row.message_vi, message_en=row.message_en,
        )  # fmt: skip

    @strawberry.field(
        description=(
            "What to tell you, in the request's language (Accept-Language; Vietnamese by default)."
        )
    )
    def message(self, info: strawberry.Info[Context]) -> str:
        return self.message_en if info.context.language == "en" else self.message_vi
