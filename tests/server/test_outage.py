"""A database outage, for real: the test starts a PostgreSQL of its own, serves f0care on
it, stops it, and starts it again (issue 13, point 9)."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from domain.enums import Role
from server.embedded import embedded_server
from tests.conftest import fresh_database
from tests.factories import make_patient
from tests.server.live import servers
from tests.server.test_websocket_hardening import Socket
from tests.tokens import token_of

COMMUNE = "25708"


@pytest.fixture(scope="module")
def own_postgres(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """A PostgreSQL server of this test alone (the bundled one of pgserver)."""
    server = embedded_server(tmp_path_factory.mktemp("outage-pg"))
    try:
        yield server
    finally:
        server.cleanup()


def _stop(server: Any) -> None:
    """Fast shutdown (SIGINT to the postmaster), and wait until it has exited."""
    pid = server.get_pid()
    os.kill(pid, signal.SIGINT)
    deadline = time.monotonic() + 30
    while Path(f"/proc/{pid}").exists():
        assert time.monotonic() < deadline, "PostgreSQL did not stop"
        time.sleep(0.1)


async def _ask(base: str, token: str) -> httpx.Response:
    async with httpx.AsyncClient(timeout=10) as client:
        return await client.post(
            f"{base}/graphql",
            json={"query": "{ patients(first: 1) { edges { node { id } } } }"},
            headers={"Authorization": f"Bearer {token}"},
        )


async def test_an_outage_is_503_and_a_subscription_error_then_recovers(
    own_postgres: Any, tmp_path: Path
) -> None:
    async with fresh_database(own_postgres.get_uri("postgres"), "outage") as (url, sessions):
        async with sessions.begin() as session:
            await make_patient(session, COMMUNE)
        await _outage_and_recovery(own_postgres, url, tmp_path)
    log = (tmp_path / "server-0.log").read_text(encoding="utf-8")
    assert "Traceback" not in log, log
    assert log.count("database unreachable") == 1, log
    assert "database reachable again" in log


async def _outage_and_recovery(own_postgres: Any, url: str, tmp_path: Path) -> None:
    token = token_of("outage.health", Role.HEALTH_STAFF, COMMUNE)
    with servers(url, tmp_path, {"F0CARE_JOBS": "false"}, count=1) as (base,):
        assert (await _ask(base, token)).status_code == 200
        # when PostgreSQL stops
        _stop(own_postgres)
        try:
            answers = [await _ask(base, token) for _ in range(5)]
            socket = await Socket.open(base, token)
            try:
                await socket.subscribe("1", 'subscription { alertEvents(afterId: "0") { id } }')
                message = await socket.result("1")
            finally:
                await socket.close()
        finally:
            own_postgres.ensure_postgres_running()
        # then HTTP callers get 503, retryable, and the subscription an error message
        for answer in answers:
            assert answer.status_code == 503
            assert answer.headers["retry-after"] == "5"
            [error] = answer.json()["errors"]
            assert error["extensions"] == {
                "code": "SERVICE_UNAVAILABLE",
                "retryable": True,
                "retryAfterSeconds": 5,
            }
        assert message["type"] == "error", message
        assert [e["extensions"]["code"] for e in message["payload"]] == ["SERVICE_UNAVAILABLE"]
        # and once it is back, requests succeed again
        deadline = time.monotonic() + 30
        while (await _ask(base, token)).status_code != 200:
            assert time.monotonic() < deadline, "no recovery within 30 s"
            await asyncio.sleep(0.2)


async def test_webhook_deliveries_survive_a_postgresql_restart(
    own_postgres: Any, tmp_path: Path
) -> None:
    """An event waiting for its endpoint is delivered once PostgreSQL and the endpoint are
    back (the server runs on through the outage); a healthy endpoint that already had its
    event gets nothing twice."""
    from tests.server.test_webhooks_live import SETTINGS, Receiver, _register, _verified_case

    admin = token_of("admin-72", Role.ADMIN, "72")
    healthy = Receiver().start()
    parked = Receiver().start()
    port = parked.server.server_address[1] if parked.server else 0
    url = parked.url
    parked.stop()  # this endpoint is down while the event happens
    back = None
    async with fresh_database(own_postgres.get_uri("postgres"), "outage_hooks") as (db, _):
        try:
            with servers(db, tmp_path, SETTINGS, count=1) as (base,):
                await _register(base, admin, healthy.url)
                await _register(base, admin, url)
                await _verified_case(base, COMMUNE)
                await healthy.wait(1, within=10)
                await asyncio.sleep(1)  # the parked one was tried and failed
                _stop(own_postgres)
                await asyncio.sleep(2)  # the dispatcher meets the outage
                own_postgres.ensure_postgres_running()
                back = Receiver().start(port)
                await back.wait(1, within=30)
                await asyncio.sleep(2)  # nothing more comes to either
            assert len(back.got) == 1
            assert json.loads(back.got[0][1])["type"] == "DECLARATION_VERIFIED"
            assert len(healthy.got) == 1
            assert back.got[0][0]["webhook-id"] == healthy.got[0][0]["webhook-id"]
        finally:
            healthy.stop()
            if back is not None:
                back.stop()
    log = (tmp_path / "server-0.log").read_text(encoding="utf-8")
    assert "Traceback" not in log, log
