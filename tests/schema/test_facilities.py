"""Facilities run by administrators, and the beds their staff report: the history, the
capacity a transfer is checked against, the occupancy in the statistics."""

from __future__ import annotations

import secrets

import httpx
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from db.demo import SeedResult
from domain.enums import Role
from tests.conftest import gql
from tests.factories import communes_of
from tests.schema.test_care import new_patient
from tests.schema.test_intake import account, code_of, commune_of
from tests.schema.test_transfers import ACCEPT, request
from tests.tokens import token_of

CREATE = """mutation($i: FacilityInput!) { createFacility(input: $i) {
  id name kind tier active area { code } bedCapacity bedsOccupiedOutsideF0care } }"""
UPDATE = "mutation($id: ID!, $i: FacilityInput!) { updateFacility(id: $id, input: $i) { id name active } }"
BEDS = """mutation($id: ID!, $c: Int!, $o: Int!) {
  reportBeds(facilityId: $id, input: {capacity: $c, occupiedOutsideF0care: $o}) {
    id capacity occupiedOutsideF0care occupiedF0care reportedRole } }"""


def invalid(body: dict[str, object]) -> set[str]:
    errors = body["errors"]
    assert isinstance(errors, list)
    return {p["field"] for p in errors[0]["extensions"]["invalid"]}


async def _hospital(client: httpx.AsyncClient, demo: SeedResult) -> str:
    commune = commune_of(demo, "health.commune")
    given = {"name": f"Bệnh viện dã chiến số {secrets.token_hex(2)}", "kind": "FIELD_HOSPITAL",
             "tier": 2, "areaCode": commune}  # fmt: skip
    body = await gql(client, CREATE, {"i": given}, account(demo, "admin.district"))
    assert "errors" not in body, body
    made = body["data"]["createFacility"]
    assert made | {"id": None, "name": None} == {
        "id": None, "name": None, "kind": "FIELD_HOSPITAL", "tier": 2, "active": True,
        "area": {"code": commune}, "bedCapacity": None, "bedsOccupiedOutsideF0care": None,
    }  # fmt: skip
    return str(made["id"])


async def test_an_administrator_adds_and_changes_facilities_inside_its_area(
    client: httpx.AsyncClient, demo: SeedResult, sessions: async_sessionmaker[AsyncSession]
) -> None:
    admin = account(demo, "admin.district")
    facility = await _hospital(client, demo)
    async with sessions() as session:
        outside = (await communes_of(session, "703"))[0]
    district = next(a.area_code for a in demo.accounts if a.username == "admin.district")
    wrong = {"name": "X", "kind": "FIELD_HOSPITAL", "tier": 4, "areaCode": outside}
    assert invalid(await gql(client, CREATE, {"i": wrong}, admin)) == {
        "input.tier",
        "input.areaCode",
    }
    at_district = {"name": "Y", "kind": "FIELD_HOSPITAL", "tier": 2, "areaCode": district}
    body = await gql(client, CREATE, {"i": at_district}, admin)
    assert "phải là mã của một xã/phường" in body["errors"][0]["message"]  # Vietnamese first
    renamed = await gql(
        client,
        UPDATE,
        {"id": facility, "i": {"name": "Bệnh viện Tân Châu", "active": False}},
        admin,
    )
    assert renamed["data"]["updateFacility"] == {
        "id": facility,
        "name": "Bệnh viện Tân Châu",
        "active": False,
    }
    # another administrator's facility does not exist for them; a hospital may not add one
    other = token_of("admin-other", Role.ADMIN, outside)
    assert (
        code_of(await gql(client, UPDATE, {"id": facility, "i": {"active": True}}, other))
        == "NOT_FOUND"
    )
    staff = token_of("hospital-x", Role.HOSPITAL_STAFF, facility=int(facility))
    assert code_of(await gql(client, CREATE, {"i": at_district}, staff)) == "FORBIDDEN"


async def test_bed_reports_decide_whether_a_transfer_fits(
    client: httpx.AsyncClient, demo: SeedResult, sessions: async_sessionmaker[AsyncSession]
) -> None:
    facility = await _hospital(client, demo)
    staff = token_of(f"bv-{facility}", Role.HOSPITAL_STAFF, facility=int(facility))
    # bad values are named; another facility's staff may not report
    assert invalid(await gql(client, BEDS, {"id": facility, "c": -1, "o": 0}, staff)) == {
        "input.capacity"
    }
    assert invalid(await gql(client, BEDS, {"id": facility, "c": 5, "o": 6}, staff)) == {
        "input.occupiedOutsideF0care"
    }
    stranger = token_of("bv-other", Role.HOSPITAL_STAFF, facility=int(facility) - 1)
    assert (
        code_of(await gql(client, BEDS, {"id": facility, "c": 5, "o": 0}, stranger)) == "FORBIDDEN"
    )
    # room for one: a transfer is accepted
    first = (await gql(client, BEDS, {"id": facility, "c": 10, "o": 9}, staff))["data"][
        "reportBeds"
    ]
    assert first["reportedRole"] == "HOSPITAL_STAFF"
    assert first["occupiedF0care"] == 0
    again = await gql(client, BEDS, {"id": facility, "c": 10, "o": 9}, staff)  # a retry
    assert again["data"]["reportBeds"]["id"] == first["id"]
    health = account(demo, "health.commune")
    pid, _ = await new_patient(sessions, commune_of(demo, "health.commune"))
    transfer = await request(client, health, pid, 2, facility)
    accepted = await gql(client, ACCEPT, {"id": transfer["id"]}, staff)
    assert accepted["data"]["acceptTransfer"]["status"] == "ACCEPTED"
    complete = "mutation($id: ID!) { completeTransfer(id: $id) { status } }"
    assert "errors" not in await gql(client, complete, {"id": transfer["id"]}, staff)
    # the next report says the others took the last bed: the next transfer is refused
    await gql(client, BEDS, {"id": facility, "c": 10, "o": 9}, staff)
    later = (await gql(client, BEDS, {"id": facility, "c": 10, "o": 9}, staff))["data"]
    assert later["reportBeds"]["id"] == first["id"]  # unchanged: nothing new
    full = (await gql(client, BEDS, {"id": facility, "c": 9, "o": 8}, staff))["data"]["reportBeds"]
    assert full["occupiedF0care"] == 1
    other, _ = await new_patient(sessions, commune_of(demo, "health.commune"))
    second = await request(client, health, other, 2, facility)
    refused = await gql(client, ACCEPT, {"id": second["id"]}, staff)
    assert code_of(refused) == "CONFLICT"
    assert "9/9 beds" in refused["errors"][0]["message"]
    # the history, latest first, and the facility's current figures
    seen = await gql(
        client,
        "query($c: ID!) { facilities(areaCode: $c, tier: 2) { id bedCapacity bedsOccupiedOutsideF0care occupancy bedReports { capacity occupiedOutsideF0care } } }",
        {"c": commune_of(demo, "health.commune")},
        health,
    )
    mine = next(f for f in seen["data"]["facilities"] if f["id"] == facility)
    assert mine["bedCapacity"] == 9
    assert mine["bedsOccupiedOutsideF0care"] == 8
    assert mine["occupancy"] == 1
    assert mine["bedReports"] == [
        {"capacity": 9, "occupiedOutsideF0care": 8},
        {"capacity": 10, "occupiedOutsideF0care": 9},
    ]
    # the statistics: occupancy now and the trend of the day include the reported beds
    figures = await gql(
        client,
        "query($a: ID) { statistics(areaCode: $a) { occupancy { tier patients occupiedOutsideF0care beds } occupancyTrend { date tier occupied beds } } }",
        {"a": commune_of(demo, "health.commune")},
        health,
    )
    stats = figures["data"]["statistics"]
    tier2 = next(o for o in stats["occupancy"] if o["tier"] == 2)
    assert tier2["occupiedOutsideF0care"] >= 8
    assert tier2["beds"] >= 9
    today = [d for d in stats["occupancyTrend"] if d["tier"] == 2][-1]
    assert today["beds"] >= 9
    assert today["occupied"] >= 9
