"""Tier transfers through the API: up and down, scope along the way, the state machine."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from db.demo import SeedResult
from db.models import Facility
from tests.conftest import gql
from tests.schema.test_care import new_patient
from tests.schema.test_intake import account, code_of, commune_of

REQUEST = """mutation($i: TransferRequestInput!) {
  requestTransfer(input: $i) { id status fromTier toTier toFacility { id } reason }
}"""
ACCEPT = (
    "mutation($id: ID!, $force: Boolean) { acceptTransfer(id: $id, force: $force) { id status } }"
)
REJECT = 'mutation($id: ID!) { rejectTransfer(id: $id, reason: "Hết giường") { id status rejectionReason } }'
COMPLETE = "mutation($id: ID!) { completeTransfer(id: $id) { id status patient { status tier facility { id } } } }"
CANCEL = (
    'mutation($id: ID!) { cancelTransfer(id: $id, reason: "Bệnh nhân cải thiện") { id status } }'
)
SEE = "query($id: ID!) { patient(id: $id) { id status tier fullName } }"


def facility_of(demo: SeedResult, username: str) -> str:
    return str(next(a.facility_id for a in demo.accounts if a.username == username))


async def visible(client: httpx.AsyncClient, token: str, pid: int) -> bool:
    body = await gql(client, SEE, {"id": str(pid)}, token)
    return body["data"]["patient"] is not None


async def request(
    client: httpx.AsyncClient, token: str, pid: int, tier: int, facility: str | None
) -> dict[str, Any]:
    inp = {
        "patientId": str(pid),
        "toTier": tier,
        "toFacilityId": facility,
        "reason": "SpO2 93 %, thở nhanh",
    }
    body = await gql(client, REQUEST, {"i": inp}, token)
    assert "errors" not in body, body
    return body["data"]["requestTransfer"]  # type: ignore[no-any-return]


async def test_up_to_tier_3_and_back_home(
    client: httpx.AsyncClient, demo: SeedResult, sessions: async_sessionmaker[AsyncSession]
) -> None:
    pid, _ = await new_patient(sessions, commune_of(demo, "health.commune"))
    health = account(demo, "health.district")
    official = account(demo, "official.commune")
    tier2, tier3 = account(demo, "hospital.tier2"), account(demo, "hospital.tier3")
    assert not await visible(client, tier2, pid)
    # 1 → 2: requested by the district, seen by the receiving hospital from the request on
    up = await request(client, health, pid, 2, facility_of(demo, "hospital.tier2"))
    assert (up["status"], up["fromTier"], up["toTier"]) == ("REQUESTED", 1, 2)
    assert await visible(client, tier2, pid)
    assert (await gql(client, ACCEPT, {"id": up["id"]}, tier2))["data"]["acceptTransfer"][
        "status"
    ] == "ACCEPTED"
    done = (await gql(client, COMPLETE, {"id": up["id"]}, tier2))["data"]["completeTransfer"]
    assert done["patient"] == {
        "status": "IN_FACILITY",
        "tier": 2,
        "facility": {"id": facility_of(demo, "hospital.tier2")},
    }
    assert await visible(client, official, pid)  # the home commune keeps seeing the patient
    # 2 → 3: requested by the hospital holding the patient
    higher = await request(client, tier2, pid, 3, facility_of(demo, "hospital.tier3"))
    assert await visible(client, tier3, pid)
    await gql(client, ACCEPT, {"id": higher["id"]}, tier3)
    moved = (await gql(client, COMPLETE, {"id": higher["id"]}, tier3))["data"]["completeTransfer"]
    assert moved["patient"]["tier"] == 3
    assert not await visible(client, tier2, pid)  # neither held there nor expected any more
    # 3 → 1 home: requested by tier 3, received by the health staff of the home area
    home = await request(client, tier3, pid, 1, None)
    assert home["toFacility"] is None
    receiving = account(demo, "health.commune")
    await gql(client, ACCEPT, {"id": home["id"]}, receiving)
    back = (await gql(client, COMPLETE, {"id": home["id"]}, receiving))["data"]["completeTransfer"]
    assert back["patient"] == {"status": "HOME_TREATMENT", "tier": 1, "facility": None}
    assert not await visible(client, tier3, pid)
    assert await visible(client, official, pid)
    history = await gql(
        client,
        "query($id: ID!) { patient(id: $id) { transfers { status toTier } } }",
        {"id": str(pid)},
        health,
    )
    assert history["data"]["patient"]["transfers"] == [
        {"status": "COMPLETED", "toTier": 2},
        {"status": "COMPLETED", "toTier": 3},
        {"status": "COMPLETED", "toTier": 1},
    ]
    listing = "{ transfers(filter: {status: [COMPLETED]}, first: 100) { edges { node { patient { id } } } } }"
    for token, expected in ((health, True), (tier3, False)):
        listed = await gql(client, listing, token=token)
        ids = {e["node"]["patient"]["id"] for e in listed["data"]["transfers"]["edges"]}
        assert (str(pid) in ids) is expected


async def test_illegal_transitions_are_conflicts(
    client: httpx.AsyncClient, demo: SeedResult, sessions: async_sessionmaker[AsyncSession]
) -> None:
    pid, _ = await new_patient(sessions, commune_of(demo, "health.commune"))
    health, tier2 = account(demo, "health.commune"), account(demo, "hospital.tier2")
    transfer = await request(client, health, pid, 2, facility_of(demo, "hospital.tier2"))
    early = await gql(client, COMPLETE, {"id": transfer["id"]}, tier2)
    assert code_of(early) == "CONFLICT"
    assert "REQUESTED" in early["errors"][0]["message"]
    second = await gql(
        client,
        REQUEST,
        {
            "i": {
                "patientId": str(pid),
                "toTier": 3,
                "toFacilityId": facility_of(demo, "hospital.tier3"),
                "reason": "x",
            }
        },
        health,
    )
    assert code_of(second) == "CONFLICT"
    await gql(client, ACCEPT, {"id": transfer["id"]}, tier2)
    for doc in (ACCEPT, REJECT):
        body = await gql(client, doc, {"id": transfer["id"]}, tier2)
        assert code_of(body) == "CONFLICT"
        assert "ACCEPTED" in body["errors"][0]["message"]
    await gql(client, COMPLETE, {"id": transfer["id"]}, tier2)
    late = await gql(client, CANCEL, {"id": transfer["id"]}, health)
    assert code_of(late) == "CONFLICT"
    assert "COMPLETED" in late["errors"][0]["message"]


async def test_reject_then_request_again(
    client: httpx.AsyncClient, demo: SeedResult, sessions: async_sessionmaker[AsyncSession]
) -> None:
    pid, _ = await new_patient(sessions, commune_of(demo, "health.commune"))
    health, tier2 = account(demo, "health.commune"), account(demo, "hospital.tier2")
    transfer = await request(client, health, pid, 2, facility_of(demo, "hospital.tier2"))
    refused = (await gql(client, REJECT, {"id": transfer["id"]}, tier2))["data"]["rejectTransfer"]
    assert refused == {"id": transfer["id"], "status": "REJECTED", "rejectionReason": "Hết giường"}
    assert not await visible(client, tier2, pid)
    again = await request(client, health, pid, 2, facility_of(demo, "hospital.tier2"))
    assert again["status"] == "REQUESTED"


async def test_only_the_right_sides_act(
    client: httpx.AsyncClient, demo: SeedResult, sessions: async_sessionmaker[AsyncSession]
) -> None:
    pid, _ = await new_patient(sessions, commune_of(demo, "health.commune"))
    health = account(demo, "health.commune")
    transfer = await request(client, health, pid, 2, facility_of(demo, "hospital.tier2"))
    # another hospital cannot accept; the requesting health staff cannot accept either
    for token in (account(demo, "hospital.tier3"), health):
        assert code_of(await gql(client, ACCEPT, {"id": transfer["id"]}, token)) == "NOT_FOUND"
    # the receiving hospital cannot cancel the request it received
    assert (
        code_of(await gql(client, CANCEL, {"id": transfer["id"]}, account(demo, "hospital.tier2")))
        == "NOT_FOUND"
    )
    # staff of another commune cannot request for this patient
    other = await gql(
        client,
        REQUEST,
        {"i": {"patientId": str(pid), "toTier": 1, "reason": "x"}},
        account(demo, "health.commune2"),
    )
    assert code_of(other) == "NOT_FOUND"


@pytest.mark.parametrize(
    ("tier", "facility", "field"),
    [
        (2, None, "input.toFacilityId"),
        (3, "tier2", "input.toFacilityId"),
        (4, None, "input.toTier"),
        (2, "screening", "input.toFacilityId"),
    ],
)
async def test_target_must_fit(
    client: httpx.AsyncClient,
    demo: SeedResult,
    sessions: async_sessionmaker[AsyncSession],
    tier: int,
    facility: str | None,
    field: str,
) -> None:
    pid, _ = await new_patient(sessions, commune_of(demo, "health.commune"))
    names = {"tier2": "hospital.tier2", "screening": "screening.hospital"}
    target = facility_of(demo, names[facility]) if facility else None
    body = await gql(
        client,
        REQUEST,
        {"i": {"patientId": str(pid), "toTier": tier, "toFacilityId": target, "reason": "x"}},
        account(demo, "health.commune"),
    )
    assert code_of(body) == "BAD_USER_INPUT"
    assert field in body["errors"][0]["message"]


async def test_accept_and_cancel_race_has_one_winner(
    client: httpx.AsyncClient, demo: SeedResult, sessions: async_sessionmaker[AsyncSession]
) -> None:
    for _ in range(6):
        pid, _ = await new_patient(sessions, commune_of(demo, "health.commune"))
        transfer = await request(
            client, account(demo, "health.commune"), pid, 2, facility_of(demo, "hospital.tier2")
        )
        accepted, cancelled = await asyncio.gather(
            gql(
                client,
                ACCEPT,
                {"id": transfer["id"], "force": True},
                account(demo, "hospital.tier2"),
            ),
            gql(client, CANCEL, {"id": transfer["id"]}, account(demo, "health.commune")),
        )
        ok = [
            name for name, r in (("accept", accepted), ("cancel", cancelled)) if "errors" not in r
        ]
        assert len(ok) == 1, (accepted, cancelled)
        loser = cancelled if ok == ["accept"] else accepted
        assert code_of(loser) == "CONFLICT"
        final = await gql(
            client,
            "query($id: ID!) { patient(id: $id) { transfers { status } } }",
            {"id": str(pid)},
            account(demo, "health.commune"),
        )
        expected = "ACCEPTED" if ok == ["accept"] else "CANCELLED"
        assert final["data"]["patient"]["transfers"] == [{"status": expected}]


async def test_cancelling_an_accepted_transfer_needs_confirmation(
    client: httpx.AsyncClient, demo: SeedResult, sessions: async_sessionmaker[AsyncSession]
) -> None:
    pid, _ = await new_patient(sessions, commune_of(demo, "health.commune"))
    health = account(demo, "health.commune")
    transfer = await request(client, health, pid, 2, facility_of(demo, "hospital.tier2"))
    await gql(
        client, ACCEPT, {"id": transfer["id"], "force": True}, account(demo, "hospital.tier2")
    )
    plain = await gql(client, CANCEL, {"id": transfer["id"]}, health)
    assert code_of(plain) == "CONFLICT"
    assert "confirmAccepted" in plain["errors"][0]["message"]
    confirmed = await gql(
        client,
        "mutation($id: ID!) { cancelTransfer(id: $id, confirmAccepted: true) { status } }",
        {"id": transfer["id"]},
        health,
    )
    assert confirmed["data"]["cancelTransfer"]["status"] == "CANCELLED"


async def test_full_facility_refuses_unless_forced(
    client: httpx.AsyncClient, demo: SeedResult, sessions: async_sessionmaker[AsyncSession]
) -> None:
    tier2_id = int(facility_of(demo, "hospital.tier2"))
    pid, _ = await new_patient(sessions, commune_of(demo, "health.commune"))
    transfer = await request(client, account(demo, "health.commune"), pid, 2, str(tier2_id))
    seen = await gql(
        client,
        "query($id: ID!) { patient(id: $id) { transfers { toFacility { occupancy bedCapacity } } } }",
        {"id": str(pid)},
        account(demo, "hospital.tier2"),
    )
    occupancy = seen["data"]["patient"]["transfers"][-1]["toFacility"]["occupancy"]
    async with sessions.begin() as session:
        original = await session.get(Facility, tier2_id)
        assert original is not None
        capacity = original.bed_capacity
        await session.execute(
            update(Facility).where(Facility.id == tier2_id).values(bed_capacity=occupancy)
        )
    try:
        full = await gql(client, ACCEPT, {"id": transfer["id"]}, account(demo, "hospital.tier2"))
        assert code_of(full) == "CONFLICT"
        assert "full" in full["errors"][0]["message"]
        forced = await gql(
            client, ACCEPT, {"id": transfer["id"], "force": True}, account(demo, "hospital.tier2")
        )
        assert forced["data"]["acceptTransfer"]["status"] == "ACCEPTED"
    finally:
        async with sessions.begin() as session:
            await session.execute(
                update(Facility).where(Facility.id == tier2_id).values(bed_capacity=capacity)
            )
