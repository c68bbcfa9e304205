"""/healthz and /readyz."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from pydantic import SecretStr

from db.admin import drop_database, ensure_database
from server.app import create_app
from server.settings import Settings
from tests.conftest import TEST_SECRET, throwaway_url


async def test_ready_when_database_is_migrated(client: httpx.AsyncClient) -> None:
    alive = await client.get("/healthz")
    ready = await client.get("/readyz")
    assert alive.status_code == 200
    assert ready.status_code == 200
    assert ready.json()["status"] == "ready"


@pytest.fixture
async def unmigrated_client(server_url: str) -> AsyncIterator[httpx.AsyncClient]:
    url = throwaway_url(server_url, "f0care_unmigrated")
    await ensure_database(url)
    app = create_app(Settings(database_url=url, jwt_secret=SecretStr(TEST_SECRET), jobs=False))
    try:
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://t") as c:
                yield c
    finally:
        await drop_database(url)


async def test_not_ready_when_migrations_pending(unmigrated_client: httpx.AsyncClient) -> None:
    ready = await unmigrated_client.get("/readyz")
    assert ready.status_code == 503
    assert "migration" in ready.json()["reason"]
    assert (await unmigrated_client.get("/healthz")).status_code == 200


async def test_not_ready_when_database_unreachable() -> None:
    app = create_app(
        Settings(
            database_url="postgresql://postgres@127.0.0.1:9/none", jwt_secret=SecretStr(TEST_SECRET)
        )
    )
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as c:
            ready = await c.get("/readyz")
    assert ready.status_code == 503
    assert ready.json()["reason"] == "database unreachable"
