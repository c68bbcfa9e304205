"""Opaque cursors and page-size rules shared by every connection."""

from __future__ import annotations

import base64
import binascii

from domain.text import rule
from resolvers.errors import BadUserInput
from resolvers.ids import parse_id

DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100


def page_size(first: int | None) -> int:
    """`first`, checked: 1 to 100 (default 20)."""
    if first is None:
        return DEFAULT_PAGE_SIZE
    if not 1 <= first <= MAX_PAGE_SIZE:
        raise BadUserInput(
            "first", rule("must be between 1 and {0}, got {1}", MAX_PAGE_SIZE, first)
        )
    return first


def encode_cursor(kind: str, row_id: int) -> str:
    """An opaque cursor pointing after row `row_id` of a `kind` list."""
    return base64.urlsafe_b64encode(f"{kind}:{row_id}".encode()).decode()


def decode_cursor(cursor: str | None, kind: str) -> int | None:
    """The row id inside a cursor of a `kind` list; BAD_USER_INPUT if it is not one."""
    if cursor is None:
        return None
    try:
        prefix, _, value = base64.urlsafe_b64decode(cursor.encode()).decode().partition(":")
        row_id = parse_id(value)
        if prefix == kind and row_id is not None:
            return row_id
    except (binascii.Error, UnicodeDecodeError, ValueError):
        pass
    raise BadUserInput("after", rule("not a cursor of the {0} list", kind))
