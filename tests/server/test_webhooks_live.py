"""Webhooks from real server processes to real local HTTP receivers: signed as Standard
Webhooks (checked with its verifier), at least once with the same id, retried, one dead
endpoint delaying nobody, only the webhook's area, and nothing lost across a restart."""

from __future__ import annotations

import asyncio
import json
import secrets
import threading
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from standardwebhooks import Webhook as Verifier

from domain.enums import Role
from tests.conftest import fresh_database
from tests.factories import communes_of, local_today
from tests.server.live import PROCESSES, post, servers
from tests.tokens import token_of

SETTINGS = {
    "F0CARE_JOBS": "true",
    "F0CARE_JOBS_INTERVAL_SECONDS": "60",
    "F0CARE_WEBHOOK_ALLOW_PRIVATE": "true",
    "F0CARE_WEBHOOK_POLL_SECONDS": "0.2",
    "F0CARE_WEBHOOK_FIRST_RETRY_SECONDS": "0.3",
}
REGISTER = (
    """mutation($i: WebhookInput!) { registerWebhook(input: $i) { secret webhook { id } } }"""
)
DECLARE = "mutation($i: SelfTestInput!) { declareSelfTest(input: $i) { id } }"
VERIFY = "mutation($id: ID!) { verifyDeclaration(id: $id) { caseCode } }"
DELIVERIES = """query($w: ID!) { webhookDeliveries(webhookId: $w) { edges { node {
  eventId status attempts lastStatusCode } } } }"""


@dataclass
class Receiver:
    """A local HTTP endpoint: records what it gets; fails its first `failures` requests;
    `hang` makes it never answer (a dead endpoint); `hold` keeps its first request waiting
    until the event is set (a delivery in flight)."""

    failures: int = 0
    hang: bool = False
    hold: threading.Event | None = None
    got: list[tuple[dict[str, str], bytes]] = field(default_factory=list)
    server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        assert self.server is not None
        return f"http://127.0.0.1:{self.server.server_address[1]}/hook"

    def start(self, port: int = 0) -> Receiver:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - the http.server name
                body = self.rfile.read(int(self.headers["content-length"]))
                receiver.got.append(({k.lower(): v for k, v in self.headers.items()}, body))
                if receiver.hang:
                    time.sleep(30)
                    return
                if receiver.hold is not None and len(receiver.got) == 1:
                    receiver.hold.wait(30)
                status = 500 if len(receiver.got) <= receiver.failures else 200
                self.send_response(status)
                self.end_headers()

            def log_message(self, *_: Any) -> None:
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()

    async def wait(self, count: int, within: float) -> None:
        for _ in range(int(within / 0.05)):  # the handler runs in another thread
            if len(self.got) >= count:
                break
            await asyncio.sleep(0.05)
        assert len(self.got) >= count, f"got {len(self.got)} of {count} within {within} s"


@dataclass(frozen=True)
class Place:
    url: str
    sessions: async_sessionmaker[AsyncSession]
    commune: str


@pytest.fixture(scope="module")
async def place(server_url: str) -> AsyncIterator[Place]:
    async with fresh_database(server_url, "f0care_webhooks") as (url, sessions):
        async with sessions() as session:
            commune = (await communes_of(session, "712"))[0]
        yield Place(url, sessions, commune)


@pytest.fixture
def pair(place: Place, tmp_path: Path) -> Iterator[list[str]]:
    with servers(place.url, tmp_path, SETTINGS) as bases:
        yield bases


async def _register(base: str, admin: str, url: str) -> tuple[str, str]:
    made = await post(
        base, admin, REGISTER,
        {"i": {"url": url, "events": ["DECLARATION_VERIFIED"], "description": "Tây Ninh Smart"}},
    )  # fmt: skip
    return made["registerWebhook"]["webhook"]["id"], made["registerWebhook"]["secret"]


async def _verified_case(base: str, commune: str) -> tuple[str, str]:
    """A citizen declares and an official verifies: (the citizen's subject, case code)."""
    subject = f"citizen-{secrets.token_hex(4)}"
    declared = await post(
        base,
        token_of(subject, Role.CITIZEN),
        DECLARE,
        {"i": {"idempotencyKey": secrets.token_hex(6), "fullName": "Phan Thị Yến",
               "dateOfBirth": "1990-02-03", "sex": "FEMALE", "phone": "09" + "".join(secrets.choice("0123456789") for _ in range(8)),
               "communeCode": commune, "address": "Ấp Một", "testKind": "RAPID_ANTIGEN",
               "testedOn": local_today().isoformat()}},
    )  # fmt: skip
    official = token_of("official-test", Role.LOCAL_OFFICIAL, commune)
    verified = await post(base, official, VERIFY, {"id": declared["declareSelfTest"]["id"]})
    return subject, verified["verifyDeclaration"]["caseCode"]


async def test_a_verified_case_reaches_each_webhook_of_its_area_signed_and_retried(
    place: Place, pair: list[str]
) -> None:
    a, b = pair
    admin = token_of("admin-72", Role.ADMIN, "72")
    healthy, flaky, dead = (
        Receiver().start(),
        Receiver(failures=3).start(),
        Receiver(hang=True).start(),
    )
    elsewhere = Receiver().start()
    try:
        _, healthy_secret = await _register(a, admin, healthy.url)
        flaky_id, _ = await _register(b, admin, flaky.url)
        await _register(a, admin, dead.url)
        await _register(b, token_of("admin-01", Role.ADMIN, "01"), elsewhere.url)  # Hà Nội
        subject, case_code = await _verified_case(a, place.commune)
        started = time.monotonic()
        await healthy.wait(1, within=8)
        assert time.monotonic() - started < 8  # the dead endpoint delayed nothing
        headers, body = healthy.got[0]
        payload = Verifier(healthy_secret).verify(body, headers)  # Standard Webhooks
        assert payload["type"] == "DECLARATION_VERIFIED"
        assert payload["data"]["citizenSubject"] == subject
        assert payload["data"]["caseCode"] == case_code
        assert case_code in payload["data"]["message"]["vi"]
        assert set(payload["data"]) == {
            "eventId",
            "citizenSubject",
            "caseCode",
            "communeCode",
            "message",
        }
        # the flaky one: three failures, then accepted on the 4th try, with the same id
        await flaky.wait(4, within=20)
        assert len({h["webhook-id"] for h, _ in flaky.got}) == 1
        await asyncio.sleep(1)  # accepted: no more attempts
        assert len(flaky.got) == 4
        assert len(healthy.got) == 1  # once
        shown = await post(a, admin, DELIVERIES, {"w": flaky_id})
        [delivery] = [e["node"] for e in shown["webhookDeliveries"]["edges"]]
        assert (delivery["status"], delivery["attempts"], delivery["lastStatusCode"]) == (
            "DELIVERED", 4, 200,
        )  # fmt: skip
        assert elsewhere.got == []  # another province's webhook hears nothing
    finally:
        for receiver in (healthy, flaky, dead, elsewhere):
            receiver.stop()


async def test_an_event_waiting_for_its_endpoint_survives_a_restart(
    place: Place, tmp_path: Path
) -> None:
    admin = token_of("admin-72", Role.ADMIN, "72")
    parked = Receiver().start()
    port = parked.server.server_address[1] if parked.server else 0
    url = parked.url
    parked.stop()  # the endpoint is down while the event happens
    (tmp_path / "before").mkdir()
    (tmp_path / "after").mkdir()
    with servers(place.url, tmp_path / "before", SETTINGS) as (a, _):
        await _register(a, admin, url)
        await _verified_case(a, place.commune)
        await asyncio.sleep(1.5)  # attempted and failed (connection refused)
    back = Receiver().start(port)  # the endpoint is back; f0care restarts
    try:
        with servers(place.url, tmp_path / "after", SETTINGS):
            await back.wait(1, within=20)
            await asyncio.sleep(1)
        assert len(back.got) == 1
        assert json.loads(back.got[0][1])["type"] == "DECLARATION_VERIFIED"
    finally:
        back.stop()


async def test_a_server_killed_mid_delivery_delivers_once_after_restart(
    place: Place, tmp_path: Path
) -> None:
    admin = token_of("admin-72", Role.ADMIN, "72")
    in_flight = threading.Event()
    receiver = Receiver(hold=in_flight).start()
    (tmp_path / "before").mkdir()
    (tmp_path / "after").mkdir()
    try:
        with servers(place.url, tmp_path / "before", SETTINGS, count=1) as (a,):
            webhook, _ = await _register(a, admin, receiver.url)
            await _verified_case(a, place.commune)
            await receiver.wait(1, within=10)  # the delivery is on its way
            PROCESSES[a].kill()  # SIGKILL: the server dies without a word
            PROCESSES[a].wait(10)
        in_flight.set()  # the endpoint answers a connection nobody holds any more
        with servers(place.url, tmp_path / "after", SETTINGS, count=1) as (b,):
            await receiver.wait(2, within=20)
            await asyncio.sleep(1.5)  # nothing more comes
            shown = await post(b, admin, DELIVERIES, {"w": webhook})
        # the interrupted attempt, then once after the restart: the same event id
        assert len(receiver.got) == 2
        assert len({headers["webhook-id"] for headers, _ in receiver.got}) == 1
        [delivery] = [e["node"] for e in shown["webhookDeliveries"]["edges"]]
        assert (delivery["status"], delivery["lastStatusCode"]) == ("DELIVERED", 200)
    finally:
        receiver.stop()
