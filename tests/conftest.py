"""Fixtures: one throwaway PostgreSQL database per test run, migrated and seeded once.

With DATABASE_URL set (CI), the database is created on that server; otherwise on an
embedded PostgreSQL started for the run. Either way it is dropped at the end.
"""

from __future__ import annotations

import os
import secrets
import tempfile
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from pydantic import SecretStr
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from auth.passwords import hash_password
from db import rollup
from db.admin import drop_database, ensure_database
from db.areas import load_areas
from db.demo import DEMO_PASSWORD, SeedResult, seed_demo
from db.engine import make_engine, make_session_factory
from db.migrate import upgrade
from domain.enums import AreaEdition
from server.app import create_app
from server.embedded import embedded_server
from server.settings import Settings

TEST_SECRET = "test-secret-" + "x" * 40
# background jobs change alerts on their own schedule: off unless a test turns them on
os.environ.setdefault("F0CARE_JOBS", "false")
DEMO_PATIENTS = 800


def _server_url() -> Iterator[str]:
    url = os.environ.get("DATABASE_URL")
    if url:
        yield url
        return
    with tempfile.TemporaryDirectory(prefix="f0care-test-pg-") as folder:
        server = embedded_server(Path(folder))
        try:
            yield str(server.get_uri("postgres"))
        finally:
            server.cleanup()


@pytest.fixture(scope="session")
def server_url() -> Iterator[str]:
    """A URL of the PostgreSQL server the tests use (any database on it)."""
    yield from _server_url()


def throwaway_url(server_url: str, prefix: str = "f0care_test") -> str:
    """The URL of a fresh database name on the test server."""
    name = f"{prefix}_{secrets.token_hex(4)}"
    url = make_url(server_url.replace("postgres://", "postgresql://", 1)).set(database=name)
    return url.render_as_string(hide_password=False)


@asynccontextmanager
async def fresh_database(
    server_url: str, prefix: str = "f0care_test", edition: AreaEdition = AreaEdition.VN_2021
) -> AsyncIterator[tuple[str, async_sessionmaker[AsyncSession]]]:
    """A new database on the server, migrated, with the areas loaded (`edition`'s map: by
    default 2021's, which the demo and most tests use); dropped afterwards. Yields its URL
    and a session factory."""
    url = throwaway_url(server_url, prefix)
    await ensure_database(url)
    engine = make_engine(url, pool_size=4)
    try:
        await upgrade(engine)
        sessions = make_session_factory(engine)
        async with sessions.begin() as session:
            await load_areas(session, edition)
            await rollup.ensure(session, "Asia/Ho_Chi_Minh")
        yield url, sessions
    finally:
        await engine.dispose()
        await drop_database(url)


@pytest.fixture(scope="session")
async def database_url(server_url: str) -> AsyncIterator[str]:
    """A database for this run, migrated, with the areas loaded (the demo data by `demo`)."""
    async with fresh_database(server_url) as (url, _):
        yield url


@pytest.fixture(scope="session")
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    """The engine of the test database."""
    eng = make_engine(database_url)
    yield eng
    await eng.dispose()


@pytest.fixture(scope="session")
def sessions(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Session factory of the test database."""
    return make_session_factory(engine)


@pytest.fixture(scope="session")
async def demo(sessions: async_sessionmaker[AsyncSession]) -> SeedResult:
    """The demo data, seeded once (fewer patients than the default, same shape)."""
    async with sessions.begin() as session:
        return await seed_demo(
            session,
            now=datetime.now(UTC),
            patients=DEMO_PATIENTS,
            password_hash=lambda: hash_password(DEMO_PASSWORD),
        )


@pytest.fixture(scope="session")
def settings(database_url: str) -> Settings:
    """Settings of the app under test."""
    return Settings(database_url=database_url, jwt_secret=SecretStr(TEST_SECRET), jobs=False)


@pytest.fixture(scope="session")
async def client(settings: Settings, demo: SeedResult) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client talking to the app in process (lifespan included)."""
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://f0care.test") as c:
            yield c


async def gql(
    client: httpx.AsyncClient,
    query: str,
    variables: dict[str, Any] | None = None,
    token: str | None = None,
    language: str | None = None,
) -> dict[str, Any]:
    """POST a GraphQL document (asking for texts in `language`, if given); returns the
    decoded response body."""
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    if language is not None:
        headers["Accept-Language"] = language
    response = await client.post(
        "/graphql", json={"query": query, "variables": variables or {}}, headers=headers
    )
    body: dict[str, Any] = response.json()
    return body


@dataclass(frozen=True)
class OnMap:
    """A whole deployment on one edition of the map: its database, demo data and client."""

    edition: AreaEdition
    sessions: async_sessionmaker[AsyncSession]
    demo: SeedResult
    client: httpx.AsyncClient


@pytest.fixture(scope="session")
async def on_2025(server_url: str, settings: Settings) -> AsyncIterator[OnMap]:
    """A second deployment, on the 2025 map: the demo of the new Tây Ninh (80)."""
    async with fresh_database(server_url, "f0care_vn2025", AreaEdition.VN_2025) as (url, made):
        async with made.begin() as session:
            seeded = await seed_demo(
                session,
                now=datetime.now(UTC),
                patients=DEMO_PATIENTS,
                password_hash=lambda: hash_password(DEMO_PASSWORD),
            )
        app = create_app(settings.model_copy(update={"database_url": url}))
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://vn2025") as c:
                yield OnMap(AreaEdition.VN_2025, made, seeded, c)
