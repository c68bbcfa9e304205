"""The GraphQL schema, assembled from the types of each domain."""

from __future__ import annotations

import strawberry
from strawberry.printer import print_schema

from schema.query import Query


def build_schema() -> strawberry.Schema:
    """The f0care schema."""
    return strawberry.Schema(query=Query)


def export_sdl(schema: strawberry.Schema | None = None) -> str:
    """The schema as SDL: types sorted by name, ending with one newline."""
    return print_schema(schema or build_schema()).rstrip("\n") + "\n"
