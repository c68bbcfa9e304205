"""The embedded PostgreSQL (pgserver) used when DATABASE_URL is not set."""

from __future__ import annotations

import os
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
        server = postgres_server.get_server(data_dir / "pgdata", cleanup_mode="stop")
    except Exception as exc:
        raise SettingsError(
            f"could not start the embedded PostgreSQL in {data_dir}: {exc}"
        ) from exc
    _forget_dead_processes(server)
    return server


def _forget_dead_processes(server: Any) -> None:
    # A process killed without running its exit hooks stays in pgserver's list of users
    # and would keep the server running forever; drop such entries under pgserver's lock.
    with server._lock:
        handles = server.global_process_id_list
        handles.put([pid for pid in handles.get() if _alive(pid)])


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def embedded_url(data_dir: Path, database: str = "f0care") -> str:
    """URL of database `database` on the embedded server (created by the caller if needed)."""
    return str(embedded_server(data_dir).get_uri(database))
