"""A page of a keyset-paginated list."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class Page(Generic[T]):
    """Rows of one page, whether more follow, and how many rows the whole list has."""

    items: list[T]
    has_next: bool
    total: int
