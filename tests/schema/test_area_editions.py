"""The map's editions through the API: an area of either edition by its code and edition,
its successors and predecessors (the official conversion), the areas of an edition, and
tokens that name an area of the edition not in use refused with its successor named."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from auth.tokens import TokenClaims, mint_token
from db.demo import SeedResult
from domain.enums import AreaEdition, Role
from tests.conftest import TEST_SECRET, OnMap, gql
from tests.schema.test_compiled_reads import _both
from tests.tokens import token_of

AREA = """query($c: ID!, $e: AreaEdition) { area(code: $c, edition: $e) {
  code name level edition parent { code name edition }
  successors { partial area { code name edition parent { code name } } }
  predecessors { partial area { code name edition } } } }"""


async def test_a_code_of_each_edition(client: httpx.AsyncClient) -> None:
    # the deployment (the demo) uses 2021's map: 25459 is "Phường 3" of Tây Ninh city
    old = (await gql(client, AREA, {"c": "25459"}))["data"]["area"]
    assert (old["name"], old["edition"], old["parent"]["code"]) == ("Phường 3", "VN_2021", "703")
    assert old["successors"] == [
        {"partial": False, "area": {"code": "25459", "name": "Phường Tân Ninh",
                                    "edition": "VN_2025", "parent": {"code": "80", "name": "Tỉnh Tây Ninh"}}},
    ]  # fmt: skip
    # the same code on the 2025 map is another, larger place, under Tây Ninh (80)
    new = (await gql(client, AREA, {"c": "25459", "e": "VN_2025"}))["data"]["area"]
    assert (new["name"], new["edition"]) == ("Phường Tân Ninh", "VN_2025")
    assert new["parent"] == {"code": "80", "name": "Tỉnh Tây Ninh", "edition": "VN_2025"}
    assert {p["area"]["name"] for p in new["predecessors"]} >= {"Phường 3"}
    assert all(p["area"]["edition"] == "VN_2021" for p in new["predecessors"])
    # a province: Tây Ninh (72) and Long An (80) of 2021 became Tây Ninh (80), with a part
    # of Tiền Giang (the rest of which went to Đồng Tháp)
    province = (await gql(client, AREA, {"c": "80", "e": "VN_2025"}))["data"]["area"]
    assert {(p["area"]["name"], p["partial"]) for p in province["predecessors"]} == {
        ("Tỉnh Tây Ninh", False),
        ("Tỉnh Long An", False),
        ("Tỉnh Tiền Giang", True),
    }
    assert (await gql(client, AREA, {"c": "72", "e": "VN_2025"}))["data"]["area"] is None


async def test_a_split_commune_names_every_successor_as_partial(client: httpx.AsyncClient) -> None:
    found = await gql(client, AREA, {"c": "00019"})  # Phường Cống Vị, Hà Nội: split in four
    successors = found["data"]["area"]["successors"]
    assert len(successors) == 4
    assert all(s["partial"] for s in successors)


IN_USE = """query($c: ID!) { area(code: $c) {
  code name level edition parent { code name edition } children { code name edition } } }"""
LIST = """query($l: AreaLevel!, $p: ID, $e: AreaEdition) {
  areas(level: $l, parentCode: $p, edition: $e) { code name edition } }"""


async def test_the_areas_of_an_edition(client: httpx.AsyncClient) -> None:
    provinces = (await gql(client, LIST, {"l": "PROVINCE", "e": "VN_2025"}))["data"]["areas"]
    assert len(provinces) == 34
    assert {"code": "80", "name": "Tỉnh Tây Ninh", "edition": "VN_2025"} in provinces
    communes = await gql(client, LIST, {"l": "COMMUNE", "p": "80", "e": "VN_2025"})
    assert len(communes["data"]["areas"]) == 96
    in_use = (await gql(client, LIST, {"l": "PROVINCE"}))["data"]["areas"]
    assert len(in_use) == 63
    refused = await gql(client, LIST, {"l": "DISTRICT", "e": "VN_2025"}, language="en")
    [error] = refused["errors"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert error["message"] == "level: there are no districts on the VN_2025 map"


@pytest.mark.parametrize(
    ("document", "variables"),
    [
        (IN_USE, {"c": "25459"}),
        (IN_USE, {"c": "703"}),
        (LIST, {"l": "COMMUNE", "p": "703"}),
        (LIST, {"l": "COMMUNE", "p": "80", "e": "VN_2025"}),
        (AREA, {"c": "80", "e": "VN_2025"}),
    ],
)
async def test_both_paths_answer_alike(
    client: httpx.AsyncClient,
    generic: httpx.AsyncClient,
    sessions: async_sessionmaker[AsyncSession],
    document: str,
    variables: dict[str, Any],
) -> None:
    body, _, _ = await _both(client, generic, sessions, None, document, variables)
    assert "errors" not in body, body


async def test_a_token_of_the_other_edition_is_refused_naming_the_successor(
    client: httpx.AsyncClient, demo: SeedResult
) -> None:
    claims = TokenClaims("health.x", Role.HEALTH_STAFF, "80", edition=AreaEdition.VN_2025)
    token = mint_token(claims, secret=TEST_SECRET, ttl=timedelta(hours=1))[0]
    response = await client.post(
        "/graphql",
        json={"query": "{ me { subject } }"},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 401
    message = response.json()["errors"][0]["message"]
    assert "token area 80 is of the VN_2025 map, not the VN_2021 map in use" in message
    assert "Tỉnh Long An" in message  # 80 of 2025 continues Long An (and Tây Ninh) of 2021


async def test_on_the_2025_map_an_old_code_is_refused_naming_its_successor(
    on_2025: OnMap,
) -> None:
    client = on_2025.client
    old = token_of("health.tay-ninh", Role.HEALTH_STAFF, "72")
    response = await client.post(
        "/graphql", json={"query": "{ me { subject } }"}, headers={"Authorization": f"Bearer {old}"}
    )
    assert response.status_code == 401
    message = response.json()["errors"][0]["message"]
    assert "token area 72 is of the VN_2021 map, not the VN_2025 map in use" in message
    assert "80 (Tỉnh Tây Ninh)" in message
    # the new code works, and its area is of the 2025 map
    new = token_of("health.tay-ninh", Role.HEALTH_STAFF, "80")
    me = await gql(client, "{ me { area { code name edition parent { code } } } }", {}, new)
    assert me["data"]["me"]["area"] == {
        "code": "80",
        "name": "Tỉnh Tây Ninh",
        "edition": "VN_2025",
        "parent": {"code": "VN"},
    }
    communes = await gql(client, LIST, {"l": "COMMUNE", "p": "80"})
    assert len(communes["data"]["areas"]) == 96
    old_map = await gql(client, AREA, {"c": "25459", "e": "VN_2021"})
    assert old_map["data"]["area"]["name"] == "Phường 3"
    assert old_map["data"]["area"]["parent"]["code"] == "703"
