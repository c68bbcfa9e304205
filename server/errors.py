"""Turning failures a user can fix into one clear line."""

from __future__ import annotations

import asyncpg
from sqlalchemy.exc import ArgumentError, DBAPIError

from db.area_migration import CannotMove
from db.areas import EditionInUse
from server.settings import SettingsError


class UserError(Exception):
    """A mistake the user can fix; printed as one line, exit code 1."""


def describe(exc: BaseException) -> str | None:
    """One line for a failure caused by configuration or environment, else None."""
    chain: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in chain:
        chain.append(current)
        current = current.__cause__ or current.__context__
    for err in chain:
        message = _describe_one(err)
        if message is not None:
            return message
    return None


def _describe_one(err: BaseException) -> str | None:
    if isinstance(err, UserError | SettingsError | EditionInUse | CannotMove):
        return str(err)
    if isinstance(err, ArgumentError | ValueError) and "URL" in str(err):
        return f"DATABASE_URL is not a valid PostgreSQL URL ({err})"
    if isinstance(
        err, asyncpg.InvalidPasswordError | asyncpg.InvalidAuthorizationSpecificationError
    ):
        return f"PostgreSQL refused the login: {err}"
    if isinstance(err, asyncpg.InvalidCatalogNameError):
        return f"PostgreSQL says: {err}; create it or fix DATABASE_URL"
    if isinstance(err, ConnectionRefusedError):
        return f"cannot connect to PostgreSQL (connection refused): check DATABASE_URL ({err})"
    if isinstance(err, TimeoutError):
        return "PostgreSQL did not answer in time: check DATABASE_URL"
    if isinstance(err, OSError) and not isinstance(err, DBAPIError):
        return f"cannot connect to PostgreSQL: {err}"
    return None
