"""Short codes people read from paper or hear over the phone and type back."""

from __future__ import annotations

import secrets

ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"  # no 0/O, 1/I/L to misread


def new_code(length: int) -> str:
    """A random code of `length` characters of ALPHABET (about 5 bits each)."""
    return "".join(secrets.choice(ALPHABET) for _ in range(length))


def normalised_code(code: str) -> str:
    """A code as typed: spaces and dashes dropped, upper case."""
    return "".join(c for c in code.upper() if c.isalnum())
