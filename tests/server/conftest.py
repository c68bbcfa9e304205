"""A real `f0care serve` process on the test database."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from db.demo import SeedResult
from tests.conftest import TEST_SECRET
from tests.server.procs import serving


@pytest.fixture(scope="session")
def live_server(
    database_url: str, demo: SeedResult, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """Base URL (http://127.0.0.1:PORT) of a running server process."""
    with serving(
        tmp_path_factory.mktemp("server"),
        DATABASE_URL=database_url,
        F0CARE_JWT_SECRET=TEST_SECRET,
        F0CARE_DEMO=None,
    ) as base:
        yield base


def ws_url(base: str) -> str:
    """The WebSocket URL of /graphql."""
    return base.replace("http://", "ws://") + "/graphql"
