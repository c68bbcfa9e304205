"""area, areas and facilities through the GraphQL API."""

from __future__ import annotations

import httpx

from db.demo import SeedResult
from tests.conftest import gql
from tests.tokens import token_for


async def test_area_with_parent_and_children(client: httpx.AsyncClient) -> None:
    body = await gql(
        client,
        '{ area(code: "72") { code name level parent { code } children { code name level } } }',
    )
    area = body["data"]["area"]
    assert area["name"] == "Tỉnh Tây Ninh"
    assert area["level"] == "PROVINCE"
    assert area["parent"] == {"code": "VN"}
    assert len(area["children"]) == 9
    assert "Thị xã Trảng Bàng" in {c["name"] for c in area["children"]}
    assert {c["level"] for c in area["children"]} == {"DISTRICT"}


async def test_commune_parent_chain(client: httpx.AsyncClient) -> None:
    body = await gql(
        client,
        '{ areas(level: COMMUNE, parentCode: "712") '
        "{ code name parent { name parent { code } } } }",
    )
    communes = body["data"]["areas"]
    assert communes, body
    assert {c["parent"]["name"] for c in communes} == {"Thị xã Trảng Bàng"}
    assert {c["parent"]["parent"]["code"] for c in communes} == {"72"}
    assert all(len(c["code"]) == 5 for c in communes)


async def test_unknown_area_is_null(client: httpx.AsyncClient) -> None:
    body = await gql(client, '{ area(code: "99999") { code } }')
    assert body == {"data": {"area": None}}


async def test_areas_by_level(client: httpx.AsyncClient) -> None:
    body = await gql(client, "{ areas(level: PROVINCE) { code } }")
    codes = [a["code"] for a in body["data"]["areas"]]
    assert len(codes) == 63
    assert codes == sorted(codes)
    body = await gql(client, '{ areas(level: DISTRICT, parentCode: "72") { code } }')
    assert len(body["data"]["areas"]) == 9


async def test_facilities_by_area_and_tier(client: httpx.AsyncClient) -> None:
    body = await gql(
        client,
        '{ facilities(areaCode: "72", tier: 3) '
        "{ name tier bedCapacity area { name parent { name } } } }",
    )
    facilities = body["data"]["facilities"]
    assert [f["name"] for f in facilities] == ["Bệnh viện Đa khoa tỉnh Tây Ninh"]
    assert facilities[0]["tier"] == 3
    assert facilities[0]["area"]["parent"]["name"] == "Thành phố Tây Ninh"
    district = await gql(client, '{ facilities(areaCode: "712") { tier } }')
    tiers = sorted(f["tier"] for f in district["data"]["facilities"])
    assert tiers.count(1) >= 1
    assert 2 in tiers
    elsewhere = await gql(client, '{ facilities(areaCode: "01") { id } }')
    assert elsewhere["data"]["facilities"] == []


async def test_names_keep_diacritics_and_an_nfd_argument_matches_like_nfc(
    client: httpx.AsyncClient, demo: SeedResult
) -> None:
    import unicodedata

    body = await gql(client, '{ areas(level: DISTRICT, parentCode: "72") { name } }')
    names = {a["name"] for a in body["data"]["areas"]}
    assert "Huyện Dương Minh Châu" in names
    assert "Thị xã Hòa Thành" in names
    # a search typed with decomposed diacritics (NFD, as some keyboards send) finds what
    # the composed (NFC) form finds, and names come back composed, exactly as stored
    health = token_for(next(a for a in demo.accounts if a.username == "health.province"))
    ask = "query($s: String) { patients(first: 100, filter: {search: $s}) { edges { node { fullName } } } }"
    composed = "Nguyễn"
    decomposed = unicodedata.normalize("NFD", composed)
    assert decomposed != composed
    found = {}
    for form in (composed, decomposed):
        body = await gql(client, ask, {"s": form}, token=health)
        found[form] = [e["node"]["fullName"] for e in body["data"]["patients"]["edges"]]
    assert found[composed]
    assert found[decomposed] == found[composed]
    assert all(unicodedata.is_normalized("NFC", name) for name in found[composed])
