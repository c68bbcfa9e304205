"""The GraphQL schema, assembled from the types of each domain."""

from __future__ import annotations

from dataclasses import dataclass

import strawberry
from strawberry.printer import print_schema

from schema.extensions import extensions
from schema.mutation import Mutation
from schema.query import Query


@dataclass(frozen=True)
class Limits:
    """Abuse limits of one deployment."""

    max_depth: int = 10
    max_aliases: int = 30
    max_tokens: int = 2000
    introspection: bool = True


def build_schema(limits: Limits | None = None) -> strawberry.Schema:
    """The f0care schema with its limits."""
    limits = limits or Limits()
    return strawberry.Schema(
        query=Query,
        mutation=Mutation,
        extensions=extensions(
            max_depth=limits.max_depth,
            max_aliases=limits.max_aliases,
            max_tokens=limits.max_tokens,
            introspection=limits.introspection,
        ),
    )


def export_sdl(schema: strawberry.Schema | None = None) -> str:
    """The schema as SDL: types sorted by name, ending with one newline."""
    return print_schema(schema or build_schema()).rstrip("\n") + "\n"
