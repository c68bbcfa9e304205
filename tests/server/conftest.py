"""A real `f0care serve` process on the test database."""

from __future__ import annotations

import signal
import subprocess
from collections.abc import Iterator

import pytest

from db.demo import SeedResult
from tests.conftest import TEST_SECRET
from tests.server.procs import F0CARE, env, free_port, wait_ready


@pytest.fixture(scope="session")
def live_server(
    database_url: str, demo: SeedResult, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """Base URL (http://127.0.0.1:PORT) of a running server process."""
    port = free_port()
    proc = subprocess.Popen(
        [F0CARE, "serve", "--port", str(port), "--no-migrate"],
        env=env(DATABASE_URL=database_url, F0CARE_JWT_SECRET=TEST_SECRET, F0CARE_DEMO=None),
        cwd=tmp_path_factory.mktemp("server"),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_ready(base, proc)
        yield base
    finally:
        proc.send_signal(signal.SIGINT)
        proc.communicate(timeout=30)


def ws_url(base: str) -> str:
    """The WebSocket URL of /graphql."""
    return base.replace("http://", "ws://") + "/graphql"
