"""Relay-style connections, one generic pair for every list: `Connection[Patient]` is
`PatientConnection` in the schema, `Edge[Patient]` is `PatientEdge`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Generic, Protocol, TypeVar

import strawberry

from domain.paging import Page
from resolvers.pagination import encode_cursor

T = TypeVar("T")


class _Row(Protocol):
    id: int


R = TypeVar("R", bound=_Row)


@strawberry.type(description="Where a page of a list stands.")
class PageInfo:
    has_next_page: bool = strawberry.field(description="Whether more rows follow this page.")
    end_cursor: str | None = strawberry.field(
        description="Pass as `after` to get the next page; null on an empty page."
    )


@strawberry.type(description="An item of a list, with its cursor.")
class Edge(Generic[T]):
    node: T = strawberry.field(description="The item.")
    cursor: str = strawberry.field(description="Cursor of this item, for `after`.")


@strawberry.type(description="A page of a list, newest first.")
class Connection(Generic[T]):
    edges: list[Edge[T]] = strawberry.field(description="The items of this page.")
    page_info: PageInfo = strawberry.field(description="Where this page stands.")
    total_count: int = strawberry.field(
        description="How many items match the filter in the caller's scope."
    )


def connection(page: Page[R], kind: str, convert: Callable[[R], T]) -> Connection[T]:
    """The GraphQL view of a page of rows of a `kind` list."""
    edges = [Edge(node=convert(row), cursor=encode_cursor(kind, row.id)) for row in page.items]
    end = edges[-1].cursor if edges else None
    return Connection(
        edges=edges,
        page_info=PageInfo(has_next_page=page.has_next, end_cursor=end),
        total_count=page.total or 0,  # None only when totalCount was not selected
    )
