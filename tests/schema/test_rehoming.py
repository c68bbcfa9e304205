"""After a move to the 2025 map, through the API: old tokens are refused naming the new
province; staff of the new province see the records waiting on the rehoming queue and
give each its commune (audited); nobody else may."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from auth.tokens import TokenClaims, mint_token
from db.area_migration import move_areas
from db.demo import seed_demo
from db.models import AuditEntry, Patient
from domain.enums import AreaEdition, Role
from server.app import create_app
from server.settings import Settings
from tests.conftest import TEST_SECRET, fresh_database, gql
from tests.factories import make_patient
from tests.tokens import token_of

QUEUE = """query($p: ID!) { rehomingQueue(provinceCode: $p) { id kind entityId reason
  oldArea { code name edition } placedIn { code } candidates { code name edition }
  patient { id caseCode fullName homeCommune { code } } } }"""
REASSIGN = """mutation($id: ID!, $c: ID!, $r: String!) {
  reassignHomeCommune(id: $id, communeCode: $c, reason: $r) { id } }"""


@dataclass(frozen=True)
class After:
    client: httpx.AsyncClient
    sessions: async_sessionmaker[AsyncSession]
    patient: int  # a patient at home in a split commune
    old_token: str  # the demo's province health worker, issued before the move


@pytest.fixture(scope="module")
async def after(server_url: str, settings: Settings) -> AsyncIterator[After]:
    async with fresh_database(server_url, "f0care_rehome") as (url, sessions):
        async with sessions.begin() as session:
            await seed_demo(session, now=datetime.now(UTC), patients=100, password_hash=lambda: "x")
            split = await session.scalar(
                text(
                    "SELECT s.from_code FROM area_successions s JOIN areas a ON "
                    "a.code = s.from_code WHERE a.province_code = '72' AND s.part "
                    "GROUP BY 1 HAVING count(*) > 1 ORDER BY 1 LIMIT 1"
                )
            )
            patient = await make_patient(session, str(split))
        old = mint_token(
            TokenClaims("health.province", Role.HEALTH_STAFF, "72", edition=AreaEdition.VN_2021),
            secret=TEST_SECRET,
            ttl=timedelta(hours=1),
        )[0]
        async with sessions() as session:
            await move_areas(session, AreaEdition.VN_2025, by="test", timezone="Asia/Ho_Chi_Minh")
            await session.commit()
        app = create_app(settings.model_copy(update={"database_url": url}))
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://moved") as c:
                yield After(c, sessions, patient.id, old)


async def test_a_token_of_before_the_move_is_refused_naming_the_new_province(
    after: After,
) -> None:
    response = await after.client.post(
        "/graphql",
        json={"query": "{ me { subject } }"},
        headers={"Authorization": f"Bearer {after.old_token}"},
    )
    assert response.status_code == 401
    message = response.json()["errors"][0]["message"]
    assert "token area 72 is of the VN_2021 map, not the VN_2025 map in use" in message
    assert "80 (Tỉnh Tây Ninh)" in message


async def test_the_new_province_gives_a_waiting_patient_its_commune(after: After) -> None:
    staff = token_of("health.tay-ninh", Role.HEALTH_STAFF, "80")
    listed = await gql(after.client, QUEUE, {"p": "80"}, staff)
    assert "errors" not in listed, listed
    [item] = [i for i in listed["data"]["rehomingQueue"] if i["entityId"] == str(after.patient)]
    assert (item["kind"], item["reason"]) == ("PATIENT", "SPLIT")
    assert item["oldArea"]["edition"] == "VN_2021"
    assert len(item["candidates"]) > 1
    assert {c["edition"] for c in item["candidates"]} == {"VN_2025"}
    assert item["placedIn"]["code"] == item["candidates"][0]["code"]
    assert item["patient"]["fullName"]  # health staff read who it is
    chosen = item["candidates"][1]["code"]
    # a commune of another province, and no reason, are refused naming the rule
    wrong = await gql(after.client, REASSIGN, {"id": item["id"], "c": "00004", "r": "x"}, staff)
    assert wrong["errors"][0]["extensions"]["field"] == "communeCode"
    bare = await gql(after.client, REASSIGN, {"id": item["id"], "c": chosen, "r": " "}, staff)
    assert bare["errors"][0]["extensions"]["field"] == "reason"
    reason = "Nhà ở ấp thuộc xã mới theo xác minh của trạm y tế"
    done = await gql(after.client, REASSIGN, {"id": item["id"], "c": chosen, "r": reason}, staff)
    assert "errors" not in done, done
    async with after.sessions() as session:
        patient = await session.get(Patient, after.patient)
        assert patient is not None
        assert (patient.home_commune_code, patient.home_province_code) == (chosen, "80")
        entry = await session.scalar(
            select(AuditEntry).where(AuditEntry.action == "REASSIGN_HOME_COMMUNE")
        )
        assert entry is not None
        assert entry.entity_ids == [str(after.patient)]
        assert reason in str(entry.detail)
    again = await gql(after.client, QUEUE, {"p": "80"}, staff)
    assert item["id"] not in {i["id"] for i in again["data"]["rehomingQueue"]}
    twice = await gql(after.client, REASSIGN, {"id": item["id"], "c": chosen, "r": reason}, staff)
    assert twice["errors"][0]["extensions"]["code"] == "CONFLICT"


@pytest.mark.parametrize(
    ("role", "area"),
    [(Role.LOCAL_OFFICIAL, "25708"), (Role.HEALTH_STAFF, "01"), (Role.LOCAL_OFFICIAL, "82")],
)
async def test_only_staff_of_the_province_see_its_queue(
    after: After, role: Role, area: str
) -> None:
    body = await gql(after.client, QUEUE, {"p": "80"}, token_of("someone", role, area))
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    manager = await gql(after.client, QUEUE, {"p": "80"}, token_of("m", Role.MANAGER, "80"))
    assert manager["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_figures_counting_records_placed_for_now_are_marked_as_estimates(
    after: After,
) -> None:
    staff = token_of("health.tay-ninh", Role.HEALTH_STAFF, "80")
    waiting = (await gql(after.client, QUEUE, {"p": "80"}, staff))["data"]["rehomingQueue"]
    placed = {i["placedIn"]["code"] for i in waiting}
    query = """query($a: ID) { statistics(areaCode: $a) {
      estimated breakdown { area { code } estimated } } }"""
    manager = token_of("m", Role.MANAGER, "80")
    statistics = (await gql(after.client, query, {"a": "80"}, manager))["data"]["statistics"]
    assert statistics["estimated"] is True
    marked = {r["area"]["code"] for r in statistics["breakdown"] if r["estimated"]}
    assert marked == placed & {r["area"]["code"] for r in statistics["breakdown"]}
    assert len(marked) < len(statistics["breakdown"])
    elsewhere = await gql(after.client, query, {"a": "01"}, token_of("m", Role.MANAGER, "01"))
    assert elsewhere["data"]["statistics"]["estimated"] is False
