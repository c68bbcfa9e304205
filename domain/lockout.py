"""Login throttling: after too many failures for one username, stop checking passwords."""

from __future__ import annotations

from datetime import datetime, timedelta

MAX_FAILURES = 5
WINDOW = timedelta(minutes=5)


def window_start(now: datetime) -> datetime:
    """Failures after this moment count towards the lockout."""
    return now - WINDOW


def locked(failures_in_window: int) -> bool:
    """Whether the username is locked out."""
    return failures_in_window >= MAX_FAILURES
