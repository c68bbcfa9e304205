"""A page of a keyset-paginated list, newest first: what every list read returns."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class Page(Generic[T]):
    """Rows of one page, whether more follow, and how many rows the whole list has (None
    when not asked for)."""

    items: list[T]
    has_next: bool
    total: int | None
