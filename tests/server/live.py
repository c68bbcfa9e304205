"""Helpers for tests against real `f0care serve` processes: servers and WebSocket clients."""

from __future__ import annotations

import asyncio
import json
import signal
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TextIO

import httpx
from websockets.asyncio.client import ClientConnection, connect
from websockets.typing import Subprotocol

from tests.conftest import TEST_SECRET
from tests.server.procs import F0CARE, env, free_port, wait_ready

PROCESSES: dict[str, subprocess.Popen[str]] = {}  # each running server by its base URL

EVENTS = """subscription($after: ID) { alertEvents(afterId: $after) {
  id type alert { id kind status escalationLevel pressCount patient { id } }
} }"""


@contextmanager
def servers(
    database_url: str, cwd: Path, settings: dict[str, str], *, count: int = 2
) -> Iterator[list[str]]:
    """`count` server processes on one database; yields their base URLs."""
    procs: list[subprocess.Popen[str]] = []
    bases: list[str] = []
    logs: list[TextIO] = []
    environ = env(
        DATABASE_URL=database_url, F0CARE_JWT_SECRET=TEST_SECRET, F0CARE_DEMO=None, **settings
    )
    try:
        for n in range(count):
            port = free_port()
            log = (cwd / f"server-{n}.log").open("w")  # kept for diagnosis
            logs.append(log)
            proc = subprocess.Popen(
                [F0CARE, "serve", "--port", str(port), "--no-migrate"],
                env=environ, cwd=cwd, stdout=log, stderr=subprocess.STDOUT, text=True,
            )  # fmt: skip
            procs.append(proc)
            bases.append(f"http://127.0.0.1:{port}")
            PROCESSES[bases[-1]] = proc
        for base, proc in zip(bases, procs, strict=True):
            wait_ready(base, proc)
        yield bases
    finally:
        for proc in procs:
            proc.send_signal(signal.SIGINT)
        for proc in procs:
            proc.communicate(timeout=30)
        for log_file in logs:
            log_file.close()
        for base in bases:
            PROCESSES.pop(base, None)


class Subscriber:
    """A graphql-transport-ws client subscribed to alertEvents."""

    def __init__(self, ws: ClientConnection) -> None:
        self.ws = ws

    @classmethod
    async def open(
        cls, base: str, token: str, after: str | None = None, document: str = EVENTS
    ) -> Subscriber:
        url = base.replace("http://", "ws://") + "/graphql"
        ws = await connect(url, subprotocols=[Subprotocol("graphql-transport-ws")])
        await ws.send(
            json.dumps({"type": "connection_init", "payload": {"authorization": f"Bearer {token}"}})
        )
        assert json.loads(await ws.recv())["type"] == "connection_ack"
        variables = {"after": after} if document is EVENTS else {}
        payload = {"query": document, "variables": variables}
        await ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": payload}))
        return cls(ws)

    async def next(self, within: float) -> dict[str, Any]:
        """The next message (a `next` carries data, an `error` the errors)."""
        async with asyncio.timeout(within):
            return json.loads(await self.ws.recv())  # type: ignore[no-any-return]

    async def event(self, within: float) -> dict[str, Any]:
        """The next alert event."""
        message = await self.next(within)
        assert message["type"] == "next", message
        return message["payload"]["data"]["alertEvents"]  # type: ignore[no-any-return]

    async def first(self, alert_id: str, within: float) -> dict[str, Any]:
        """The first event about `alert_id` (events about other alerts are skipped)."""
        async with asyncio.timeout(within):
            while True:
                event = await self.event(within=within)
                if event["alert"]["id"] == alert_id:
                    return event

    async def quiet(self, seconds: float) -> list[dict[str, Any]]:
        """Every event that arrives within `seconds` (expected: none)."""
        got = []
        try:
            while True:
                got.append(await self.event(within=seconds))
        except TimeoutError:
            return got

    async def close(self) -> None:
        await self.ws.close()


async def post(base: str, token: str, query: str, variables: dict[str, Any]) -> dict[str, Any]:
    """A GraphQL request to one server over HTTP that must succeed; its `data`."""
    async with httpx.AsyncClient(timeout=10) as client:
        response = await client.post(
            f"{base}/graphql",
            json={"query": query, "variables": variables},
            headers={"Authorization": f"Bearer {token}"},
        )
    body = response.json()
    assert "errors" not in body, body
    data: dict[str, Any] = body["data"]
    return data


async def sos(base: str, token: str, key: str, patient_id: str | None = None) -> dict[str, Any]:
    """Press SOS through one server over HTTP."""
    query = "mutation($i: SosInput!) { raiseSos(input: $i) { id status pressCount } }"
    variables = {"i": {"idempotencyKey": key, "patientId": patient_id}}
    raised: dict[str, Any] = (await post(base, token, query, variables))["raiseSos"]
    return raised
