"""Events for people: what happened to a citizen's case reaches them — in the history
(`myNotifications`) and live (`myEvents`, resumable) — once, in Vietnamese or English."""

from __future__ import annotations

import asyncio
import json
import secrets
from typing import Any

import httpx
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from db.demo import SeedResult
from db.models import PersonEvent
from domain.enums import Role
from domain.notifications import PersonEventKind, language_of, messages
from server.app import create_app
from server.settings import Settings
from tests.conftest import gql
from tests.schema.test_care import new_patient
from tests.schema.test_compiled_events import Socket
from tests.schema.test_intake import DECLARE, REJECT, VERIFY, account, code_of, commune_of, person
from tests.tokens import token_of

FEED = "{ myNotifications(first: 20) { totalCount edges { node { id kind caseCode message } } } }"


async def _feed(client: httpx.AsyncClient, token: str, language: str | None = None) -> list[Any]:
    headers = {"Authorization": f"Bearer {token}"}
    if language:
        headers["Accept-Language"] = language
    response = await client.post("/graphql", json={"query": FEED}, headers=headers)
    body = response.json()
    assert "errors" not in body, body
    return [e["node"] for e in body["data"]["myNotifications"]["edges"]]


def _citizen() -> tuple[str, str]:
    subject = f"citizen-{secrets.token_hex(4)}"
    return subject, token_of(subject, Role.CITIZEN)


async def test_a_verified_declaration_is_told_once_in_vietnamese_or_english(
    client: httpx.AsyncClient, demo: SeedResult, sessions: async_sessionmaker[AsyncSession]
) -> None:
    commune = commune_of(demo, "official.commune")
    official = account(demo, "official.commune")
    _, me = _citizen()
    declared = await gql(client, DECLARE, {"input": person(commune)}, me)
    declaration = declared["data"]["declareSelfTest"]["id"]
    verified = await gql(client, VERIFY, {"id": declaration}, official)
    case_code = verified["data"]["verifyDeclaration"]["caseCode"]
    [event] = await _feed(client, me)
    assert event["kind"] == "DECLARATION_VERIFIED"
    assert case_code in event["message"]
    assert event["message"].startswith("Khai báo của bạn đã được xác minh")  # Vietnamese first
    [english] = await _feed(client, me, "en-GB,en;q=0.9")
    assert english["message"].startswith("Your declaration was verified")
    # verifying again is refused; nothing more is told
    assert code_of(await gql(client, VERIFY, {"id": declaration}, official)) == "CONFLICT"
    assert len(await _feed(client, me)) == 1
    # someone else hears nothing of it; staff have no feed
    _, other = _citizen()
    assert await _feed(client, other) == []
    assert code_of(await gql(client, FEED, {}, official)) == "FORBIDDEN"


async def test_a_rejection_says_why(client: httpx.AsyncClient, demo: SeedResult) -> None:
    commune = commune_of(demo, "official.commune")
    _, me = _citizen()
    declared = await gql(client, DECLARE, {"input": person(commune)}, me)
    reason = "Ảnh kết quả test không rõ; vui lòng khai báo lại"
    rejected = await gql(
        client,
        REJECT,
        {"id": declared["data"]["declareSelfTest"]["id"], "r": reason},
        account(demo, "official.commune"),
    )
    assert "errors" not in rejected, rejected
    [event] = await _feed(client, me)
    assert event["kind"] == "DECLARATION_REJECTED"
    assert reason in event["message"]


async def test_an_acknowledged_sos_and_a_discharge_reach_the_patient_live_and_on_resume(
    client: httpx.AsyncClient,
    demo: SeedResult,
    sessions: async_sessionmaker[AsyncSession],
    settings: Settings,
) -> None:
    commune = commune_of(demo, "health.commune")
    staff = account(demo, "health.commune")
    patient, me = await new_patient(sessions, commune)
    sos = "mutation($k: String!) { raiseSos(input: {idempotencyKey: $k}) { id } }"
    alert = (await gql(client, sos, {"k": secrets.token_hex(4)}, me))["data"]["raiseSos"]["id"]
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        socket = Socket(app)
        assert await socket.open(me)
        try:
            document = "subscription { myEvents { id kind message } }"
            await socket.send({"id": "1", "type": "subscribe", "payload": {"query": document}})
            await asyncio.sleep(0.5)  # subscribed before it happens
            ack = "mutation($id: ID!) { acknowledgeAlert(id: $id) { id } }"
            assert "errors" not in await gql(client, ack, {"id": alert}, staff)
            message = json.loads((await socket.receive(10))["text"])
        finally:
            await socket.close()
    live = message["payload"]["data"]["myEvents"]
    assert live["kind"] == "SOS_ACKNOWLEDGED"
    assert "nhân viên y tế đang đến" in live["message"]
    # the alert is handled, then treatment ends: told too
    resolve = "mutation($id: ID!) { resolveAlert(id: $id) { id } }"
    assert "errors" not in await gql(client, resolve, {"id": alert}, staff)
    discharge = (
        "mutation($id: ID!) { dischargePatient(id: $id, input: {outcome: DECEASED}) { id } }"
    )
    assert "errors" not in await gql(client, discharge, {"id": str(patient)}, staff)
    kinds = [e["kind"] for e in await _feed(client, me)]
    assert kinds == ["DISCHARGED", "ALERT_RESOLVED", "SOS_ACKNOWLEDGED"]
    # resuming after the first event replays the rest in order, then stays live
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        socket = Socket(app)
        assert await socket.open(me)
        try:
            document = "subscription($a: ID) { myEvents(afterId: $a) { id kind } }"
            payload = {"query": document, "variables": {"a": live["id"]}}
            await socket.send({"id": "1", "type": "subscribe", "payload": payload})
            replayed = [
                json.loads((await socket.receive(10))["text"])["payload"]["data"]["myEvents"][
                    "kind"
                ]
                for _ in range(2)
            ]
        finally:
            await socket.close()
    assert replayed == ["ALERT_RESOLVED", "DISCHARGED"]
    async with sessions() as session:
        told = await session.scalar(
            select(func.count()).select_from(PersonEvent).where(PersonEvent.case_code.is_not(None))
        )
    assert told is not None
    assert told >= 3


def test_every_event_has_a_vietnamese_and_an_english_message() -> None:
    values = {"caseCode": "72-2021-000001", "reason": "x", "facility": None, "tier": 1,
              "window": "MORNING", "on": "2021-12-08", "outcome": "RECOVERED",
              "certificate": None, "until": "2021-12-07", "testDays": "01/12", "dayNumber": 1}  # fmt: skip
    for kind in PersonEventKind:
        rendered = messages(kind, values)
        assert rendered["vi"] != rendered["en"], kind
        assert "{" not in rendered["vi"] + rendered["en"], kind
    assert messages(PersonEventKind.RELEASE_DUE, values)["vi"].count("08/12/2021") == 1
    assert language_of(None) == "vi"
    assert language_of("fr-FR, en;q=0.8") == "en"
    assert language_of("vi-VN") == "vi"
