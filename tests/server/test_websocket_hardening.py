"""graphql-transport-ws probed as a hostile client would, against a real server process:
malformed frames, expired tokens, stale data, audit per operation and per event
(issue 13, points 11–14 and 17–19)."""

from __future__ import annotations

import asyncio
import json
import secrets
import time
from collections.abc import AsyncIterator, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed
from websockets.typing import Subprotocol

from auth.tokens import TokenClaims, mint_token
from db.demo import SeedResult
from db.models import AuditEntry
from domain.enums import Role
from tests.conftest import TEST_SECRET
from tests.factories import make_patient
from tests.server.live import post, servers, sos
from tests.tokens import token_of

PROTOCOL = Subprotocol("graphql-transport-ws")


@pytest.fixture(scope="module")
def server(
    database_url: str, demo: SeedResult, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, Path]]:
    """One server process (base URL) and its log file."""
    folder = tmp_path_factory.mktemp("ws-hardening")
    with servers(database_url, folder, {"F0CARE_JOBS": "false"}, count=1) as (base,):
        yield base, folder / "server-0.log"


@pytest.fixture(scope="module")
def commune(demo: SeedResult) -> str:
    area = next(a.area_code for a in demo.accounts if a.username == "health.commune")
    assert area is not None
    return area


@pytest.fixture(autouse=True)
def no_traceback_logged(server: tuple[str, Path]) -> Iterator[None]:
    """Whatever a client sends, the server logs no traceback and no error."""
    log = server[1]
    before = log.stat().st_size
    yield
    with log.open(encoding="utf-8") as text:
        text.seek(before)
        added = text.read()
    assert "Traceback" not in added, added
    assert "ERROR" not in added, added


def _url(base: str) -> str:
    return base.replace("http://", "ws://") + "/graphql"


class Socket:
    """A graphql-transport-ws connection."""

    def __init__(self, ws: ClientConnection) -> None:
        self.ws = ws

    @classmethod
    async def open(cls, base: str, token: str | None = None) -> Socket:
        ws = await connect(_url(base), subprotocols=[PROTOCOL])
        socket = cls(ws)
        if token is not None:
            await socket.send(
                {"type": "connection_init", "payload": {"authorization": f"Bearer {token}"}}
            )
            assert (await socket.recv())["type"] == "connection_ack"
        return socket

    async def send(self, message: object) -> None:
        await self.ws.send(message if isinstance(message, str) else json.dumps(message))

    async def recv(self, within: float = 10) -> dict[str, Any]:
        async with asyncio.timeout(within):
            message: dict[str, Any] = json.loads(await self.ws.recv())
            return message

    async def subscribe(
        self, op_id: str, query: str, variables: dict[str, Any] | None = None
    ) -> None:
        payload = {"query": query, "variables": variables or {}}
        await self.send({"id": op_id, "type": "subscribe", "payload": payload})

    async def result(self, op_id: str, within: float = 10) -> dict[str, Any]:
        """The next `next` or `error` message of operation `op_id`."""
        async with asyncio.timeout(within):
            while True:
                message = await self.recv(within)
                if message.get("id") == op_id and message["type"] in ("next", "error"):
                    return message

    async def closed(self, within: float = 10) -> tuple[int, str]:
        """Wait for the server to close the socket; its code and reason."""
        with pytest.raises(ConnectionClosed) as closed:
            await self._drain(within)
        assert closed.value.rcvd is not None
        return closed.value.rcvd.code, closed.value.rcvd.reason

    async def _drain(self, within: float) -> None:
        async with asyncio.timeout(within):
            while True:
                await self.ws.recv()

    async def close(self) -> None:
        await self.ws.close()


@pytest.fixture
async def sockets() -> AsyncIterator[list[Socket]]:
    opened: list[Socket] = []
    yield opened
    for socket in opened:
        await socket.close()


@pytest.mark.parametrize(
    "frame", ["[]", '"x"', "1", "null", "[" * 100_000 + "]" * 100_000, "{not json"]
)
async def test_malformed_frames_before_init_close_4400(
    server: tuple[str, Path], frame: str
) -> None:
    socket = await Socket.open(server[0])
    await socket.send(frame)
    code, reason = await socket.closed()
    assert code == 4400
    assert reason


@pytest.mark.parametrize(
    "message",
    [
        {"type": "subscribe", "id": "1", "payload": "x"},
        {"type": "subscribe", "id": [1], "payload": {"query": "{ me { role } }"}},
        {"type": "subscribe", "id": "", "payload": {"query": "{ me { role } }"}},
        {"type": "subscribe", "id": "1", "payload": {"query": 123}},
        {"type": "subscribe", "id": "1", "payload": {"query": "{ me { role } }", "variables": []}},
        {"type": "complete", "id": {"a": 1}},
        {"type": 7},
        {"id": "1"},
    ],
)
async def test_malformed_messages_after_init_close_4400(
    server: tuple[str, Path], message: dict[str, Any]
) -> None:
    socket = await Socket.open(server[0], token_of("ws-frames", Role.HEALTH_STAFF, "72"))
    await socket.send(message)
    code, reason = await socket.closed()
    assert code == 4400
    assert reason


async def _http_errors(base: str, token: str, query: str, variables: dict[str, Any]) -> Any:
    async with httpx.AsyncClient(timeout=10) as client:
        response = await client.post(
            f"{base}/graphql",
            content=json.dumps({"query": query, "variables": variables}),
            headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        )
    return response.json()["errors"]


@pytest.mark.parametrize(
    ("query", "variables"),
    [
        ("subscription { alertEvents { id ", {}),
        ("{ " + "a " * 2100 + "}", {}),
        ("subscription { alertEvents { nope } }", {}),
        ("subscription($a: ID) { alertEvents(afterId: $a) { id } }", {"a": 1.5}),
        ("subscription($a: ID) { alertEvents(afterId: $a) { id } }", {"a": True}),
        ("subscription($a: ID) { alertEvents(afterId: $a) { id } }", {"a": ["1"]}),
        ("query($c: ID!) { area(code: $c) { name } }", {"c": "7\x002"}),
    ],
)
async def test_documents_failing_before_execution_get_the_errors_http_gives(
    server: tuple[str, Path], query: str, variables: dict[str, Any]
) -> None:
    token = token_of("ws-docs", Role.HEALTH_STAFF, "72")
    socket = await Socket.open(server[0], token)
    try:
        await socket.subscribe("1", query, variables)
        message = await socket.result("1")
    finally:
        await socket.close()
    assert message["type"] == "error"
    assert message["payload"] == await _http_errors(server[0], token, query, variables)
    assert all(e["extensions"]["code"] for e in message["payload"])


@pytest.mark.parametrize("after", ["99999999999999999999", "9223372036854775808", "²", "-1", "x"])
async def test_impossible_after_ids_are_bad_user_input(
    server: tuple[str, Path], after: str
) -> None:
    socket = await Socket.open(server[0], token_of("ws-after", Role.HEALTH_STAFF, "72"))
    try:
        await socket.subscribe(
            "1", "subscription($a: ID) { alertEvents(afterId: $a) { id } }", {"a": after}
        )
        message = await socket.result("1")
    finally:
        await socket.close()
    assert message["type"] == "error"
    assert [e["extensions"]["code"] for e in message["payload"]] == ["BAD_USER_INPUT"]


async def test_an_unknown_operation_name_is_bad_user_input(server: tuple[str, Path]) -> None:
    socket = await Socket.open(server[0], token_of("ws-opname", Role.HEALTH_STAFF, "72"))
    try:
        payload = {"query": "{ me { role } }", "operationName": "Z"}
        await socket.send({"id": "1", "type": "subscribe", "payload": payload})
        message = await socket.result("1")
    finally:
        await socket.close()
    assert message == {
        "id": "1",
        "type": "error",
        "payload": [
            {"message": 'Unknown operation named "Z".', "extensions": {"code": "BAD_USER_INPUT"}}
        ],
    }


PERSONAL = "{ patients(first: 2) { edges { node { id phone } } } }"


async def test_an_expired_token_is_refused_on_an_open_socket(
    server: tuple[str, Path], commune: str
) -> None:
    token, expires = mint_token(
        TokenClaims("ws-expiring", Role.HEALTH_STAFF, commune),
        secret=TEST_SECRET,
        ttl=timedelta(seconds=3),
    )
    socket = await Socket.open(server[0], token)
    # while valid, it reads
    await socket.subscribe("1", PERSONAL)
    assert (await socket.result("1"))["type"] == "next"
    # once expired, the socket is closed and nothing more is answered
    code, reason = await socket.closed(within=30)
    assert (code, reason) == (4403, "token expired: reconnect with a new token")
    assert expires.timestamp() <= time.time() + 1


async def _audit_rows(sessions: async_sessionmaker[AsyncSession], subject: str) -> list[AuditEntry]:
    async with sessions() as session:
        rows = await session.scalars(
            select(AuditEntry).where(
                AuditEntry.subject == subject, AuditEntry.action == "READ_PERSONAL"
            )
        )
        return list(rows)


async def _wait_for(check: Any, within: float = 20) -> Any:
    """Poll `check()` until it returns something truthy (or the deadline passes)."""
    deadline = time.monotonic() + within
    while True:
        found = await check()
        if found or time.monotonic() > deadline:
            return found
        await asyncio.sleep(0.2)


async def test_a_socket_audits_each_operation_exactly_once(
    server: tuple[str, Path], commune: str, sessions: async_sessionmaker[AsyncSession]
) -> None:
    subject = f"ws-audit-{secrets.token_hex(3)}"
    socket = await Socket.open(server[0], token_of(subject, Role.HEALTH_STAFF, commune))
    try:
        await socket.subscribe("1", PERSONAL)
        read = await socket.result("1")
        for n in range(3):
            await socket.subscribe(f"me-{n}", "{ me { role } }")
            assert (await socket.result(f"me-{n}"))["type"] == "next"
    finally:
        await socket.close()
    ids = {e["node"]["id"] for e in read["payload"]["data"]["patients"]["edges"]}
    rows = await _wait_for(lambda: _audit_rows(sessions, subject))
    await asyncio.sleep(1.5)  # anything written late would show now
    rows = await _audit_rows(sessions, subject)
    assert [(r.entity, set(r.entity_ids), r.fields) for r in rows] == [("patient", ids, ["phone"])]


ALERT_WITH_PERSON = """subscription { alertEvents {
  id type alert { id pressCount patient { id fullName phone severity latestReport { spo2 } } }
} }"""


async def _event(socket: Socket, alert_id: str | None = None) -> dict[str, Any]:
    while True:
        message = await socket.result("events")
        assert message["type"] == "next", message
        event: dict[str, Any] = message["payload"]["data"]["alertEvents"]
        if alert_id is None or event["alert"]["id"] == alert_id:
            return event


async def _sos(base: str, token: str, key: str) -> str:
    raised = await sos(base, token, key)
    alert_id: str = raised["id"]
    return alert_id


async def test_every_subscriber_is_audited_per_delivered_event_while_still_connected(
    server: tuple[str, Path],
    commune: str,
    sessions: async_sessionmaker[AsyncSession],
    sockets: list[Socket],
) -> None:
    # given two staff of one commune on one process, following alerts with personal fields
    subjects = [f"ws-reader-{n}-{secrets.token_hex(3)}" for n in (1, 2)]
    for subject in subjects:
        socket = await Socket.open(server[0], token_of(subject, Role.HEALTH_STAFF, commune))
        await socket.subscribe("events", ALERT_WITH_PERSON)
        sockets.append(socket)
    await asyncio.sleep(0.5)  # both subscriptions are listening
    citizen = f"ws-citizen-{secrets.token_hex(3)}"
    async with sessions.begin() as session:
        patient = await make_patient(session, commune, citizen_subject=citizen)
    # when an SOS reaches both
    alert_id = await _sos(server[0], token_of(citizen, Role.CITIZEN), "audit-sos")
    for socket in sockets:
        event = await _event(socket, alert_id)
        assert event["alert"]["patient"]["phone"] == "0912345678"
    # then each of them is in the audit log for that patient, once, within seconds,
    # and before they disconnect

    async def both() -> list[list[AuditEntry]] | None:
        found = [await _audit_rows(sessions, subject) for subject in subjects]
        return found if all(found) else None

    audited = await _wait_for(both)
    assert audited is not None, "a subscriber's read was not audited within 20 s"
    for rows in audited:
        [row] = rows
        assert row.entity == "patient"
        assert row.entity_ids == [str(patient.id)]
        assert row.fields == ["fullName", "phone"]


async def test_events_and_queries_on_a_socket_show_fresh_values(
    server: tuple[str, Path],
    commune: str,
    sessions: async_sessionmaker[AsyncSession],
    sockets: list[Socket],
) -> None:
    staff = token_of(f"ws-fresh-{secrets.token_hex(3)}", Role.HEALTH_STAFF, commune)
    socket = await Socket.open(server[0], staff)
    sockets.append(socket)
    await socket.subscribe("events", ALERT_WITH_PERSON)
    await asyncio.sleep(0.5)
    citizen = f"ws-fresh-citizen-{secrets.token_hex(3)}"
    async with sessions.begin() as session:
        patient = await make_patient(session, commune, citizen_subject=citizen)
    citizen_token = token_of(citizen, Role.CITIZEN)
    detail = f'{{ patient(id: "{patient.id}") {{ severity latestReport {{ spo2 }} }} }}'
    # given an SOS seen on the socket, before any report
    alert_id = await _sos(server[0], citizen_token, "fresh-1")
    first = await _event(socket, alert_id)
    assert first["alert"]["patient"]["latestReport"] is None
    await socket.subscribe("q1", detail)
    assert (await socket.result("q1"))["payload"]["data"]["patient"]["latestReport"] is None
    # when a report with SpO2 91 arrives over HTTP
    await post(
        server[0],
        citizen_token,
        "mutation($i: HealthReportInput!) { submitHealthReport(input: $i) { id } }",
        {"i": {"idempotencyKey": "fresh-report", "spo2": 91, "respiratoryRate": 18}},
    )
    # then the next event and the next query on the same socket show it
    await _sos(server[0], citizen_token, "fresh-2")
    again = await _event(socket, alert_id)
    assert again["alert"]["pressCount"] == 2
    assert again["alert"]["patient"]["latestReport"] == {"spo2": 91}
    assert again["alert"]["patient"]["severity"] != "MILD"
    await socket.subscribe("q2", detail)
    fresh = (await socket.result("q2"))["payload"]["data"]["patient"]
    assert fresh["latestReport"] == {"spo2": 91}


async def test_a_read_is_audited_even_when_the_client_leaves_at_once(
    server: tuple[str, Path], commune: str, sessions: async_sessionmaker[AsyncSession]
) -> None:
    subject = f"ws-leaver-{secrets.token_hex(3)}"
    socket = await Socket.open(server[0], token_of(subject, Role.HEALTH_STAFF, commune))
    await socket.subscribe("1", PERSONAL)
    assert (await socket.result("1"))["type"] == "next"
    await socket.close()  # before the operation's `complete`
    rows = await _wait_for(lambda: _audit_rows(sessions, subject))
    assert len(rows) == 1


LIVE_STATISTICS = """subscription($a: ID) { statisticsUpdates(areaCode: $a) {
  activePatients daily { date newCases reports } breakdown { area { code } activePatients }
} }"""


async def test_live_statistics_are_capped_per_principal_and_never_delay_alerts(
    server: tuple[str, Path],
    commune: str,
    sessions: async_sessionmaker[AsyncSession],
    sockets: list[Socket],
) -> None:
    from db.queries.statistics import child_areas

    # given one analyst following the province's districts and communes live, to the limit
    async with sessions() as session:
        districts = [a.code for a in await child_areas(session, "72")]
        communes = [a.code for a in await child_areas(session, districts[0])]
    analyst = token_of(f"ws-bi-{secrets.token_hex(3)}", Role.ANALYST, "72")
    held = []
    for n, area in enumerate(["72", *districts[:3], communes[0], communes[1]]):
        socket = await Socket.open(server[0], analyst)
        sockets.append(socket)
        await socket.subscribe("stats", LIVE_STATISTICS, {"a": area})
        held.append(await socket.result("stats", within=60))
        if n == 5:  # the sixth is refused: five per principal per process
            assert held[-1]["type"] == "error"
            assert held[-1]["payload"][0]["extensions"]["code"] == "RATE_LIMITED"
    assert [m["type"] for m in held[:5]] == ["next"] * 5
    # when citizens press SOS meanwhile, a commune health worker gets each within 2 s (p99)
    watcher = await Socket.open(
        server[0], token_of(f"ws-sos-{secrets.token_hex(3)}", Role.HEALTH_STAFF, commune)
    )
    sockets.append(watcher)
    await watcher.subscribe("events", "subscription { alertEvents { alert { id } } }")
    await asyncio.sleep(0.5)
    delays = []
    for n in range(20):
        citizen = f"ws-sos-citizen-{secrets.token_hex(3)}"
        async with sessions.begin() as session:
            await make_patient(session, commune, citizen_subject=citizen)
        started = time.monotonic()
        alert_id = await _sos(server[0], token_of(citizen, Role.CITIZEN), f"starve-{n}")
        while True:
            message = await watcher.result("events", within=30)
            if message["payload"]["data"]["alertEvents"]["alert"]["id"] == alert_id:
                break
        delays.append(time.monotonic() - started)
    assert max(delays) < 2, sorted(delays)


def _resident_kib(base: str) -> int:
    """VmRSS of the server process listening at `base`."""
    port = base.rsplit(":", 1)[1]
    for proc in Path("/proc").iterdir():
        try:
            cmdline = (proc / "cmdline").read_bytes().split(b"\0")
            status = (proc / "status").read_text()
        except (OSError, ValueError):
            continue
        if b"serve" in cmdline and port.encode() in cmdline:
            line = next(x for x in status.splitlines() if x.startswith("VmRSS:"))
            return int(line.split()[1])
    raise AssertionError(f"no server process for port {port}")


async def test_large_documents_do_not_stay_in_memory(server: tuple[str, Path]) -> None:
    socket = await Socket.open(server[0], token_of("ws-large", Role.HEALTH_STAFF, "72"))
    try:

        async def send_large(n: int) -> None:
            padding = f"{n:04d}" + "x" * 900_000  # ~0.9 MB, under the 1 MB frame limit
            query = f'query A {{ __typename }} query B {{ area(code: "{padding}") {{ code }} }}'
            payload = {"query": query, "operationName": "A"}
            await socket.send({"id": f"large-{n}", "type": "subscribe", "payload": payload})
            assert (await socket.result(f"large-{n}"))["type"] == "next"

        for n in range(5):  # warm up: allocator arenas, code paths
            await send_large(n)
        baseline = _resident_kib(server[0])
        for n in range(5, 65):
            await send_large(n)
        await asyncio.sleep(0.5)
        grown = _resident_kib(server[0]) - baseline
    finally:
        await socket.close()
    # 60 distinct documents of 0.9 MB: a cache keeping them would hold over 100 MB
    assert grown < 40_000, f"resident memory grew by {grown} KiB"
