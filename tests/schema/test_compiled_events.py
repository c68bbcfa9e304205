"""Alert events on the compiled path equal the generic executor's: the same documents,
subscribed as every principal of the access matrix, replay the same payloads (data and
errors, key order included) and leave the same audit rows; and each event costs one
statement."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, MutableMapping
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.applications import Starlette

from db.demo import SeedResult
from server.app import create_app
from server.settings import Settings
from tests.conftest import gql
from tests.schema.conftest import World
from tests.schema.test_compiled_reads import PRINCIPALS, _audit_after, _last_audit
from tests.schema.test_statement_count import counting
from tests.tokens import token_named

IDLE = 1.0  # seconds without a message: the replay is over

DOCUMENTS: list[tuple[str, dict[str, Any]]] = [
    (
        """subscription($after: ID) { alertEvents(afterId: $after) { id type __typename
          alert { __typename id kind status severity message raisedAt acknowledgedAt
            resolvedAt escalationLevel pressCount lastPressedAt
            patient { id caseCode fullName phone dateOfBirth nationalId address severity
              homeCommune { name parent { name } } facility { name occupancy }
              latestReport { spo2 warningSigns } openAlerts { id kind } } } } }""",
        {},
    ),
    (
        """fragment A on Alert { id kind p: patient { ...P } }
        fragment P on Patient { fullName nationalId tier }
        subscription($after: ID, $full: Boolean!) { e: alertEvents(afterId: $after) {
          kind: type a: alert { ...A pressCount @include(if: $full) status @skip(if: $full)
            ... on Alert { severity } } } }""",
        {"full": True},
    ),
    (
        """subscription($after: ID) { alertEvents(afterId: $after) { id alert { id
          patient { caseCode healthReports(first: 2) { totalCount pageInfo { hasNextPage }
              edges { cursor node { spo2 reportedAt } } }
            clinicalNotes { text author } transfers { status toFacility { name } } } } } }""",
        {},
    ),
    ("subscription($after: ID) { alertEvents(afterId: $after) { type id } }", {}),
    # the alert's own fields only: no statement, the generic executor reads the snapshot
    (
        "subscription($after: ID) { alertEvents(afterId: $after) { alert { id kind raisedAt } } }",
        {},
    ),
]


class Socket:
    """A graphql-transport-ws client talking to the application in this process (ASGI)."""

    def __init__(self, app: Starlette) -> None:
        self.app = app
        self.inbox: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self.outbox: asyncio.Queue[MutableMapping[str, Any]] = asyncio.Queue()
        self.task: asyncio.Task[None] | None = None

    async def open(self, token: str | None, language: str | None = None) -> bool:
        """Connect and initialise (naming the language of texts for people, if given);
        False when the server refuses the connection."""
        scope = {
            "type": "websocket",
            "asgi": {"version": "3.0"},
            "scheme": "ws",
            "path": "/graphql",
            "raw_path": b"/graphql",
            "query_string": b"",
            "root_path": "",
            "headers": [(b"host", b"test"), (b"sec-websocket-protocol", b"graphql-transport-ws")],
            "subprotocols": ["graphql-transport-ws"],
            "client": ("127.0.0.1", 50000),
            "server": ("test", 80),
        }
        self.task = asyncio.create_task(self.app(scope, self.inbox.get, self.outbox.put))
        await self.inbox.put({"type": "websocket.connect"})
        assert (await self.receive())["type"] == "websocket.accept"
        payload = {"authorization": f"Bearer {token}"} if token else {}
        if language is not None:
            payload["acceptLanguage"] = language
        await self.send({"type": "connection_init", "payload": payload})
        answer = await self.receive()
        return answer.get("type") == "websocket.send" and '"connection_ack"' in answer["text"]

    async def send(self, message: dict[str, Any]) -> None:
        await self.inbox.put({"type": "websocket.receive", "text": json.dumps(message)})

    async def receive(self, within: float = 10) -> MutableMapping[str, Any]:
        return await asyncio.wait_for(self.outbox.get(), within)

    async def replay(self, document: str, variables: dict[str, Any]) -> list[Any]:
        """Subscribe, and every message of the subscription until it goes quiet (objects
        as lists of pairs: key order counts)."""
        payload = {"query": document, "variables": variables}
        await self.send({"id": "1", "type": "subscribe", "payload": payload})
        messages: list[Any] = []
        while True:
            try:
                message = await self.receive(IDLE)
            except TimeoutError:
                return messages
            if message["type"] != "websocket.send":
                return [*messages, message]
            messages.append(json.loads(message["text"], object_pairs_hook=list))

    async def close(self) -> None:
        await self.inbox.put({"type": "websocket.disconnect", "code": 1000})
        if self.task is not None:
            await asyncio.wait_for(self.task, 10)


async def _app(settings: Settings) -> AsyncIterator[Starlette]:
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        yield app


@pytest.fixture(scope="module")
async def compiled_app(settings: Settings, demo: SeedResult) -> AsyncIterator[Starlette]:
    async for app in _app(settings):
        yield app


@pytest.fixture(scope="module")
async def generic_app(settings: Settings, demo: SeedResult) -> AsyncIterator[Starlette]:
    async for app in _app(settings.model_copy(update={"compiled_reads": False})):
        yield app


@pytest.fixture(scope="module")
async def history(client: httpx.AsyncClient, demo: SeedResult, world: World) -> None:
    """Alerts inside every staff principal's scope (the demo's history lies elsewhere):
    raised, pressed again, acknowledged."""
    token = token_named("health.province", demo)
    raise_sos = "mutation($i: SosInput!) { raiseSos(input: $i) { id } }"
    acknowledge = "mutation($id: ID!) { acknowledgeAlert(id: $id) { id } }"
    for label in ("commune", "district", "at_tier2", "at_tier3", "commune", "province"):
        key = f"events-{label}-{len(label)}"
        for press in ("1", "2"):
            sos = {"idempotencyKey": key + press, "patientId": str(world.patients[label])}
            body = await gql(client, raise_sos, {"i": sos}, token)
            assert "errors" not in body, body
        alert = body["data"]["raiseSos"]["id"]
        if label != "commune":
            body = await gql(client, acknowledge, {"id": alert}, token)
            assert "errors" not in body, body


async def _replays(
    app: Starlette, demo: SeedResult, document: str, variables: dict[str, Any]
) -> dict[str, list[Any]]:
    """Every principal's replay of `document`, all subscribed at once."""

    async def one(principal: str) -> list[Any]:
        socket = Socket(app)
        try:
            if not await socket.open(token_named(principal, demo)):
                return [[("refused", True)]]
            return await socket.replay(document, variables)
        finally:
            await socket.close()

    answers = await asyncio.gather(*(one(p) for p in PRINCIPALS))
    return dict(zip(PRINCIPALS, answers, strict=True))


async def _settled_audit(sessions: async_sessionmaker[AsyncSession], since: int) -> list[Any]:
    """The audit rows written after `since`, once the batched writer has written them all."""
    rows: list[Any] = []
    while True:
        await asyncio.sleep(1.5)  # delivered reads are written within a second
        again = await _audit_after(sessions, since)
        if again == rows:
            return sorted(rows)
        rows = again


@pytest.mark.parametrize(("document", "variables"), DOCUMENTS)
async def test_events_answer_alike_on_both_paths(
    compiled_app: Starlette,
    generic_app: Starlette,
    sessions: async_sessionmaker[AsyncSession],
    demo: SeedResult,
    history: None,
    document: str,
    variables: dict[str, Any],
) -> None:
    variables = {**variables, "after": "0"}  # the whole history
    answers, audits = [], []
    for app in (compiled_app, generic_app):
        since = await _last_audit(sessions)
        answers.append(await _replays(app, demo, document, variables))
        audits.append(await _settled_audit(sessions, since))
    compiled, generic = answers
    for principal in PRINCIPALS:
        assert compiled[principal] == generic[principal], principal
    assert audits[0] == audits[1]
    # the corpus means something: events reached the staff, personal reads were audited
    # the corpus means something: events reached the staff, personal reads were audited,
    # clinical detail was refused to officials field by field
    events = {
        p: [m for m in answer if dict(m).get("type") == "next"] for p, answer in compiled.items()
    }
    assert len(events["health.commune"]) >= 4
    assert len(events["hospital.tier2"]) >= 2
    if "fullName" in document:
        assert any(row[2] == "READ_PERSONAL" for row in audits[0])
    if "latestReport" in document:
        official = events["official.commune"]
        assert official
        assert all("errors" in dict(dict(m)["payload"]) for m in official)


async def test_an_event_is_one_statement_per_audience(
    compiled_app: Starlette, generic_app: Starlette, demo: SeedResult, history: None
) -> None:
    document, _ = DOCUMENTS[0]
    token = token_named("health.commune", demo)
    counts = []
    for app in (compiled_app, generic_app):
        socket = Socket(app)
        assert await socket.open(token)
        with counting() as statements:
            messages = await socket.replay(document, {"after": "0"})
        await socket.close()
        reads = [s for s in statements if "INSERT INTO audit_log" not in s]  # batched audit
        counts.append((len(messages), len(reads)))
    (events, compiled), (same, generic) = counts
    assert events == same >= 4
    assert compiled == events  # the replay's own reads of alert_events are not counted
    assert generic > 2 * events


async def test_each_subscriber_reads_alert_texts_in_their_language(
    compiled_app: Starlette, generic_app: Starlette, demo: SeedResult, world: World
) -> None:
    """Subscribers of one audience in different languages share no result: each reads a
    live SOS in the language its client named (Vietnamese unless it named English)."""
    document = "subscription { alertEvents { alert { kind message } } }"
    token = token_named("health.commune", demo)
    expected = {
        None: "SOS: người bệnh cần hỗ trợ khẩn cấp",
        "en": "SOS: the patient needs urgent help",
        "fr, vi;q=0.5": "SOS: người bệnh cần hỗ trợ khẩn cấp",
    }
    raise_sos = "mutation($i: SosInput!) { raiseSos(input: $i) { id } }"
    for n, app in enumerate((compiled_app, generic_app)):
        sockets = [Socket(app) for _ in expected]
        for socket, language in zip(sockets, expected, strict=True):
            assert await socket.open(token, language)
            await socket.send({"id": "1", "type": "subscribe", "payload": {"query": document}})
        await asyncio.sleep(0.5)  # subscribed before the event
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            sos = {"idempotencyKey": f"language-{n}", "patientId": str(world.patients["commune"])}
            assert "errors" not in await gql(client, raise_sos, {"i": sos}, token)
        for socket, language in zip(sockets, expected, strict=True):
            message = json.loads((await socket.receive())["text"])
            assert message["payload"]["data"]["alertEvents"]["alert"] == {
                "kind": "SOS",
                "message": expected[language],
            }, language
            await socket.close()
