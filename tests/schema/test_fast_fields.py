"""Plain leaf fields by attribute access give the same answers and errors as the full path."""

from __future__ import annotations

from datetime import UTC, datetime
from enum import Enum

import strawberry

from schema.fast_fields import FastLeafExecutor


@strawberry.enum
class Colour(Enum):
    RED = "RED"


@strawberry.type
class Thing:
    name: str
    nickname: str | None
    colour: Colour
    seen_at: datetime


class Broken:
    """An object whose `name` attribute fails to read."""

    nickname = None
    colour = Colour.RED
    seen_at = datetime(2021, 9, 1, tzinfo=UTC)

    @property
    def name(self) -> str:
        raise RuntimeError("no name")


@strawberry.type
class Query:
    @strawberry.field
    def things(self) -> list[Thing | None]:
        ok = Thing(name="Xã Phước Chỉ", nickname=None, colour=Colour.RED, seen_at=Broken.seen_at)
        missing = Thing(name=None, nickname="x", colour=Colour.RED, seen_at=Broken.seen_at)  # type: ignore[arg-type]
        return [ok, missing, Broken()]  # type: ignore[list-item]


def test_values_nulls_and_errors_match_graphql_rules() -> None:
    schema = strawberry.Schema(query=Query, execution_context_class=FastLeafExecutor)
    result = schema.execute_sync("{ things { name nickname colour seenAt } }")
    # the first item is served by attribute access: values serialised as graphql-core would
    assert result.data is not None
    assert result.data["things"][0] == {
        "name": "Xã Phước Chỉ",
        "nickname": None,
        "colour": "RED",
        "seenAt": "2021-09-01T00:00:00+00:00",
    }
    # a null in a non-null field and an attribute that fails are field errors, with paths
    paths = sorted(tuple(e.path or ()) for e in result.errors or [])
    assert paths == [("things", 1, "name"), ("things", 2, "name")]
    assert result.data["things"][1] is None
    assert result.data["things"][2] is None
