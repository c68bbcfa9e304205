"""Epidemiology through the API: exposure places of a case."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from db.demo import SeedResult
from tests.conftest import gql
from tests.schema.test_care import new_patient
from tests.schema.test_intake import account, code_of, commune_of

ADD = """mutation($id: ID!, $i: ExposureInput!) { addExposure(patientId: $id, input: $i) {
  id place address area { code name } from to setting note } }"""
EXPOSURES = (
    "query($id: ID!) { patient(id: $id) { exposures { id place from setting area { name } } } }"
)


async def test_exposure_places_are_added_listed_and_removed(
    client: httpx.AsyncClient, demo: SeedResult, sessions: async_sessionmaker[AsyncSession]
) -> None:
    commune = commune_of(demo, "official.commune")
    official = account(demo, "official.commune")
    patient, citizen = await new_patient(sessions, commune)
    now = datetime.now(UTC)
    market = {
        "place": "  Chợ  Long Hoa ",
        "setting": "MARKET",
        "from": (now - timedelta(days=3, hours=2)).isoformat(),
        "to": (now - timedelta(days=3)).isoformat(),
        "areaCode": commune,
        "note": "Bán rau, tiếp xúc nhiều người",
    }
    body = await gql(client, ADD, {"id": str(patient), "i": market}, official)
    assert "errors" not in body, body
    added = body["data"]["addExposure"]
    assert added["place"] == "Chợ Long Hoa"
    assert added["area"]["code"] == commune
    home = {
        "place": "Nhà riêng",
        "setting": "HOUSEHOLD",
        "from": (now - timedelta(days=5)).isoformat(),
    }
    await gql(client, ADD, {"id": str(patient), "i": home}, official)
    # oldest first, for the patient themselves as for staff; not for a manager
    listed = await gql(client, EXPOSURES, {"id": str(patient)}, citizen)
    assert [e["place"] for e in listed["data"]["patient"]["exposures"]] == [
        "Nhà riêng",
        "Chợ Long Hoa",
    ]
    manager = await gql(client, EXPOSURES, {"id": str(patient)}, account(demo, "manager.commune"))
    assert manager["data"]["patient"]["exposures"] is None
    assert code_of(manager) == "FORBIDDEN"
    # bad input names each field; nothing is written
    wrong = {"place": "", "setting": "OTHER", "from": (now + timedelta(days=1)).isoformat(),
             "to": (now - timedelta(days=40)).isoformat(), "areaCode": "nope"}  # fmt: skip
    body = await gql(client, ADD, {"id": str(patient), "i": wrong}, official)
    fields = {p["field"] for p in body["errors"][0]["extensions"]["invalid"]}
    assert fields == {"input.place", "input.from", "input.to"}
    # removed by staff in scope; unknown afterwards; never by someone elsewhere
    remove = "mutation($id: ID!) { removeExposure(id: $id) }"
    outsider, _ = await new_patient(sessions, "00001")
    foreign = await gql(client, ADD, {"id": str(outsider), "i": home}, official)
    assert code_of(foreign) == "NOT_FOUND"
    assert (await gql(client, remove, {"id": added["id"]}, official))["data"][
        "removeExposure"
    ] is True
    assert code_of(await gql(client, remove, {"id": added["id"]}, official)) == "NOT_FOUND"
    listed = await gql(client, EXPOSURES, {"id": str(patient)}, official)
    assert [e["place"] for e in listed["data"]["patient"]["exposures"]] == ["Nhà riêng"]
