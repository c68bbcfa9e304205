"""Alerts in real time across two server processes, with real WebSocket subscribers."""

from __future__ import annotations

import asyncio
import secrets
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import asyncpg
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from websockets.exceptions import ConnectionClosed

from db.engine import asyncpg_dsn
from db.events import APPLICATION_NAME
from db.models import Alert, AlertEvent
from domain.enums import AlertEventType, AlertKind, AlertStatus, Role
from server.jobs import Jobs
from server.settings import Settings
from tests.conftest import fresh_database
from tests.factories import communes_of, make_patient
from tests.server.live import Subscriber, post, servers, sos
from tests.tokens import token_of

DISTRICT = "712"  # Thị xã Trảng Bàng


@dataclass(frozen=True)
class Place:
    url: str
    sessions: async_sessionmaker[AsyncSession]
    commune: str
    other_commune: str


@pytest.fixture(scope="module")
async def place(server_url: str) -> AsyncIterator[Place]:
    """A database of its own (alerts here must not disturb other tests)."""
    async with fresh_database(server_url, "f0care_alerts") as (url, sessions):
        async with sessions() as session:
            communes = await communes_of(session, DISTRICT)
        yield Place(url, sessions, communes[0], communes[1])


@pytest.fixture(scope="module")
def pair(place: Place, tmp_path_factory: pytest.TempPathFactory) -> Iterator[list[str]]:
    """Two server processes without background jobs (the escalation test runs its own
    pair: there is one jobs leader per database)."""
    with servers(
        place.url,
        tmp_path_factory.mktemp("pair"),
        {"F0CARE_JOBS": "false"},
    ) as bases:
        yield bases


async def citizen_patient(place: Place, commune: str | None = None) -> tuple[str, str]:
    """A patient owned by a fresh citizen: (patient id, citizen token)."""
    subject = f"citizen-{secrets.token_hex(4)}"
    async with place.sessions.begin() as session:
        patient = await make_patient(session, commune or place.commune, citizen_subject=subject)
    return str(patient.id), token_of(subject, Role.CITIZEN)


def staff(area: str) -> str:
    return token_of(f"staff-{area}", Role.HEALTH_STAFF, area)


async def test_sos_via_b_reaches_commune_subscriber_on_a(place: Place, pair: list[str]) -> None:
    a, b = pair
    here = await Subscriber.open(a, staff(place.commune))
    there = await Subscriber.open(a, staff(place.other_commune))
    district = await Subscriber.open(b, staff(DISTRICT))
    try:
        _, citizen = await citizen_patient(place)
        raised = await sos(b, citizen, "press-1")
        # (how fast is measured by `python -m bench alerts`, not asserted on a loaded machine)
        event = await here.event(within=20)
        assert (event["type"], event["alert"]["id"], event["alert"]["kind"]) == (
            "CREATED",
            raised["id"],
            "SOS",
        )
        assert await there.quiet(1) == []
        assert await district.quiet(0.5) == []  # not escalated: the district is not flooded
    finally:
        for s in (here, there, district):
            await s.close()


async def test_ten_presses_make_one_alert(place: Place, pair: list[str]) -> None:
    a, b = pair
    watcher = await Subscriber.open(a, staff(place.commune))
    try:
        patient_id, citizen = await citizen_patient(place)
        presses = await asyncio.gather(
            *(sos(pair[i % 2], citizen, f"press-{i}") for i in range(10))
        )
        assert len({p["id"] for p in presses}) == 1
        events = [await watcher.event(within=20) for _ in range(10)]
        assert [e["type"] for e in events] == ["CREATED"] + ["REPEATED"] * 9
        assert events[-1]["alert"]["pressCount"] == 10
        again = await sos(b, citizen, "press-3")  # a retry of one press changes nothing
        assert again["pressCount"] == 10
    finally:
        await watcher.close()
    async with place.sessions() as session:
        alerts = await session.scalar(
            select(func.count())
            .select_from(Alert)
            .where(Alert.patient_id == int(patient_id), Alert.kind == AlertKind.SOS)
        )
    assert alerts == 1


async def test_resume_after_disconnect_replays_exactly_what_was_missed(
    place: Place, pair: list[str]
) -> None:
    a, b = pair
    token = staff(place.commune)
    first = await Subscriber.open(a, token)
    _, citizen = await citizen_patient(place)
    await sos(b, citizen, "before")
    seen = await first.event(within=20)
    await first.close()
    # while disconnected, five alerts are raised
    missed = []
    for _ in range(5):
        _, other = await citizen_patient(place)
        missed.append((await sos(b, other, "missed"))["id"])
    resumed = await Subscriber.open(a, token, after=seen["id"])
    try:
        replay = [await resumed.event(within=20) for _ in range(5)]
        assert [e["alert"]["id"] for e in replay] == missed
        assert [int(e["id"]) for e in replay] == sorted(int(e["id"]) for e in replay)
        assert await resumed.quiet(0.5) == []  # no duplicate after the replay
        _, late = await citizen_patient(place)
        live = await sos(a, late, "live")
        assert (await resumed.event(within=20))["alert"]["id"] == live["id"]
    finally:
        await resumed.close()


async def test_killed_listener_loses_nothing(place: Place, pair: list[str]) -> None:
    a, b = pair
    watcher = await Subscriber.open(a, staff(place.commune))
    raised = []
    try:
        dsn = asyncpg_dsn(place.url)
        for i in range(8):
            _, citizen = await citizen_patient(place)
            raised.append((await sos(b, citizen, f"k{i}"))["id"])
            if i in (2, 5):  # kill every process's LISTEN connection from PostgreSQL
                assert await _listeners(dsn, terminate=True) == 2
                deadline = time.monotonic() + 10
                while await _listeners(dsn) < 2 and time.monotonic() < deadline:  # noqa: ASYNC110 - polling PostgreSQL
                    await asyncio.sleep(0.2)
                assert await _listeners(dsn) == 2  # both processes listen again
            await asyncio.sleep(0.2)
        received = [(await watcher.event(within=10))["alert"]["id"] for _ in range(8)]
        assert received == raised
    finally:
        await watcher.close()


async def _listeners(dsn: str, *, terminate: bool = False) -> int:
    conn = await asyncpg.connect(dsn)
    try:
        action = "pg_terminate_backend(pid)" if terminate else "pid"
        sql = f"SELECT count({action}) FROM pg_stat_activity WHERE application_name = $1 AND datname = current_database()"  # noqa: S608
        return int(await conn.fetchval(sql, APPLICATION_NAME))
    finally:
        await conn.close()


async def test_bad_token_gets_no_subscription(pair: list[str]) -> None:
    with pytest.raises(ConnectionClosed) as closed:
        await Subscriber.open(pair[0], "not-a-token")
    assert closed.value.rcvd is not None
    assert closed.value.rcvd.code == 4403


async def test_expiring_token_ends_the_subscription(place: Place, pair: list[str]) -> None:
    from auth.tokens import TokenClaims, mint_token
    from tests.conftest import TEST_SECRET

    token, _ = mint_token(
        TokenClaims("short", Role.HEALTH_STAFF, place.commune),
        secret=TEST_SECRET,
        ttl=timedelta(seconds=2),
    )
    watcher = await Subscriber.open(pair[0], token)
    try:
        with pytest.raises(ConnectionClosed) as closed:
            await watcher.next(within=30)  # nothing but the close, once the token expires
    finally:
        await watcher.close()
    assert closed.value.rcvd is not None
    assert (closed.value.rcvd.code, closed.value.rcvd.reason) == (
        4403,
        "token expired: reconnect with a new token",
    )


async def test_escalation_runs_in_one_process_only(
    place: Place, tmp_path_factory: pytest.TempPathFactory
) -> None:
    fast = {
        "F0CARE_JOBS": "true",
        "F0CARE_JOBS_INTERVAL_SECONDS": "0.3",
        "F0CARE_SOS_ESCALATION_SECONDS": "1.5",
    }
    with servers(place.url, tmp_path_factory.mktemp("fast"), fast) as (a, b):
        district = await Subscriber.open(a, staff(DISTRICT))
        province = await Subscriber.open(b, staff("72"))
        try:
            _, citizen = await citizen_patient(place)
            raised = await sos(a, citizen, "escalate")
            first = await district.first(raised["id"], within=8)
            assert (first["type"], first["alert"]["id"], first["alert"]["escalationLevel"]) == (
                "ESCALATED",
                raised["id"],
                "DISTRICT",
            )
            top = await province.first(raised["id"], within=8)
            assert (top["type"], top["alert"]["escalationLevel"]) == ("ESCALATED", "PROVINCE")
            await asyncio.sleep(2)  # both processes keep ticking: nothing escalates twice
        finally:
            await district.close()
            await province.close()
    async with place.sessions() as session:
        escalations = await session.scalar(
            select(func.count())
            .select_from(AlertEvent)
            .where(
                AlertEvent.alert_id == int(raised["id"]),
                AlertEvent.type == AlertEventType.ESCALATED,
            )
        )
    assert escalations == 2


async def test_acknowledged_alerts_do_not_escalate(place: Place) -> None:
    async with place.sessions.begin() as session:
        patient_alert = await _raise(session, place)
    jobs = Jobs.from_settings(
        Settings(database_url=place.url, sos_escalation_seconds=1), place.sessions, ""
    )
    later = datetime.now(UTC) + timedelta(seconds=5)
    async with place.sessions.begin() as session:
        alert = await session.get(Alert, patient_alert)
        assert alert is not None
        alert.status = AlertStatus.ACKNOWLEDGED
    await jobs.tick(later)
    async with place.sessions() as session:
        alert = await session.get(Alert, patient_alert)
        assert alert is not None
        assert alert.escalation_level.value == "COMMUNE"


async def _raise(session: AsyncSession, place: Place) -> int:
    from db.queries.alerts import raise_alert
    from domain.enums import Severity
    from domain.text import Texts

    patient = await make_patient(session, place.commune)
    alert = await raise_alert(
        session,
        patient=patient,
        kind=AlertKind.SOS,
        severity=Severity.SEVERE,
        message=Texts.same("t"),
        raised_by="t",
    )
    return alert.id


async def test_missed_report_alerts_once_per_interval(place: Place) -> None:
    jobs = Jobs.from_settings(
        Settings(database_url=place.url, report_interval_hours=24), place.sessions, ""
    )
    now = datetime.now(UTC)
    async with place.sessions.begin() as session:
        late = await make_patient(
            session, place.other_commune, last_report_at=now - timedelta(hours=25)
        )
        fresh = await make_patient(
            session, place.other_commune, last_report_at=now - timedelta(hours=2)
        )

    async def missed(patient_id: int) -> list[Alert]:
        async with place.sessions() as session:
            rows = await session.scalars(
                select(Alert).where(
                    Alert.patient_id == patient_id, Alert.kind == AlertKind.MISSED_REPORT
                )
            )
            return list(rows)

    await jobs.tick(now)
    await jobs.tick(now + timedelta(minutes=5))
    assert len(await missed(late.id)) == 1
    assert await missed(fresh.id) == []
    # resolved, then still silent: once per interval
    async with place.sessions.begin() as session:
        alert = (await missed(late.id))[0]
        row = await session.get(Alert, alert.id)
        assert row is not None
        row.status = AlertStatus.RESOLVED
    await jobs.tick(now + timedelta(hours=1))
    assert len(await missed(late.id)) == 1
    # a whole interval later, still no report: once more
    await jobs.tick(now + timedelta(hours=25))
    assert len(await missed(late.id)) == 2


async def test_shared_execution_never_crosses_audiences(place: Place, pair: list[str]) -> None:
    # the same event, the same document: a health worker may read clinical detail, a local
    # official of the same commune may not (results are shared only within an audience)
    import json

    document = "subscription { alertEvents { alert { id patient { latestReport { spo2 } } } } }"
    sockets = []
    for role in (Role.HEALTH_STAFF, Role.LOCAL_OFFICIAL, Role.HEALTH_STAFF):
        watcher = await Subscriber.open(pair[0], token_of(f"s-{role.value}", role, place.commune))
        await watcher.ws.send(
            json.dumps({"id": "2", "type": "subscribe", "payload": {"query": document}})
        )
        sockets.append(watcher)
    try:
        _, citizen = await citizen_patient(place)
        raised = await sos(pair[1], citizen, "audiences")
        answers = []
        for watcher in sockets:
            while True:
                message = await watcher.next(within=5)
                if (
                    message["id"] == "2"
                    and message["payload"]["data"]["alertEvents"]["alert"]["id"] == raised["id"]
                ):
                    answers.append(message["payload"])
                    break
        health, official, health_again = answers
        assert "errors" not in health
        assert health == health_again
        assert official["data"]["alertEvents"]["alert"]["patient"]["latestReport"] is None
        assert {e["extensions"]["code"] for e in official["errors"]} == {"FORBIDDEN"}
    finally:
        for watcher in sockets:
            await watcher.close()


async def test_each_event_carries_the_alert_as_it_was_live_and_replayed_alike(
    place: Place, pair: list[str]
) -> None:
    a, b = pair
    token = staff(place.commune)
    live = await Subscriber.open(a, token)
    try:
        # given three presses and an acknowledgement, watched live
        _, citizen = await citizen_patient(place)
        raised = await sos(b, citizen, "state-1")
        seen = [await live.first(raised["id"], within=10)]
        for n in (2, 3):
            await sos(b, citizen, f"state-{n}")
            seen.append(await live.first(raised["id"], within=10))
        await _acknowledge(b, token, raised["id"])
        seen.append(await live.first(raised["id"], within=10))
    finally:
        await live.close()
    # then each live event showed the alert at that moment
    assert [(e["type"], e["alert"]["pressCount"], e["alert"]["status"]) for e in seen] == [
        ("CREATED", 1, "OPEN"),
        ("REPEATED", 2, "OPEN"),
        ("REPEATED", 3, "OPEN"),
        ("ACKNOWLEDGED", 3, "ACKNOWLEDGED"),
    ]
    # and a replay from before the first gives the same payloads for the same event ids
    replay = await Subscriber.open(b, token, after=str(int(seen[0]["id"]) - 1))
    try:
        replayed = [await replay.first(raised["id"], within=10) for _ in seen]
    finally:
        await replay.close()
    assert replayed == seen


async def _acknowledge(base: str, token: str, alert_id: str) -> None:
    await post(
        base, token, "mutation($id: ID!) { acknowledgeAlert(id: $id) { id } }", {"id": alert_id}
    )
