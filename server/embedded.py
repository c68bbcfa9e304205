"""The embedded PostgreSQL (pgserver) used when DATABASE_URL is not set."""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

from server.settings import SettingsError


def embedded_server(data_dir: Path) -> Any:
    """Start (or join) the embedded server on `data_dir/pgdata`.

    pgserver counts the processes using one data folder and stops the server when the
    last of them exits, so several `f0care` processes can share it.
    """
    try:
        with warnings.catch_warnings():
            # platformdirs warns when XDG_RUNTIME_DIR is unset (containers); it falls back fine
            warnings.simplefilter("ignore")
            from pgserver import postgres_server
    except ImportError as exc:
        raise SettingsError(
            "the embedded PostgreSQL (pgserver) is not available on this Python; "
            "set DATABASE_URL to a PostgreSQL server"
        ) from exc
    data_dir.mkdir(parents=True, exist_ok=True)
    try:
        return postgres_server.get_server(data_dir / "pgdata", cleanup_mode="stop")
    except Exception as exc:
        raise SettingsError(
            f"could not start the embedded PostgreSQL in {data_dir}: {exc}"
        ) from exc


def embedded_url(data_dir: Path, database: str = "f0care") -> str:
    """URL of database `database` on the embedded server (created by the caller if needed)."""
    return str(embedded_server(data_dir).get_uri(database))
