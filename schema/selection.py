"""What a query selected below the current field, fragments included: lists use it to load
what their items will show in one batch before the items are resolved."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

import strawberry
from strawberry.types.nodes import SelectedField, Selection


def _fields(selections: Iterable[Selection]) -> Iterator[SelectedField]:
    for s in selections:
        if isinstance(s, SelectedField):
            yield s
        else:  # a fragment spread or an inline fragment
            yield from _fields(s.selections)


def selected(info: strawberry.Info[Any], *path: str) -> set[str]:
    """Names of the fields selected at `path` below the current field (e.g. "edges",
    "node"); empty when the path is not selected."""
    level: list[Selection] = [s for f in info.selected_fields for s in f.selections]
    for name in path:
        level = [s for f in _fields(level) if f.name == name for s in f.selections]
    return {f.name for f in _fields(level)}
