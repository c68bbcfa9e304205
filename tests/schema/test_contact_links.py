"""Contacts of contacts (F2), a contact's own app linked by a one-time code, and contacts
marked lost to follow-up — through the API, against the rows they write."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from db.demo import SeedResult
from db.models import AuditEntry, Contact, ContactSource
from domain.enums import ContactStatus, Role
from tests.conftest import gql
from tests.factories import communes_of
from tests.schema.test_care import new_patient
from tests.schema.test_contacts import ADD, CHAIN, CHECK, TEST, _third, row
from tests.schema.test_intake import account, code_of, commune_of
from tests.tokens import token_of

OF_CONTACT = """mutation($id: ID!, $i: [ContactInput!]!) {
  addContactsOfContact(contactId: $id, input: $i) {
    contacts { id fullName status commune { code } sourceContact { id } sourcePatient { id } }
    alreadyPatients { index caseCode } } }"""
SOURCES = "query($id: ID!) { contact(id: $id) { id sourceContact { id } sourcePatient { id } } }"
ISSUE = "mutation($id: ID!) { issueContactLinkCode(id: $id) { code expiresAt contact { id } } }"
LINK = "mutation($c: String!) { linkContact(code: $c) { id fullName status } }"
LOST = """mutation($id: ID!, $r: String!) {
  markContactLostToFollowUp(id: $id, reason: $r) { id status } }"""
MINE = "query($id: ID!) { contact(id: $id) { id fullName } }"


async def _listed(
    client: httpx.AsyncClient, token: str, case: int, *rows: dict[str, object]
) -> list[str]:
    body = await gql(client, ADD, {"id": str(case), "i": list(rows)}, token)
    assert "errors" not in body, body
    return [c["id"] for c in body["data"]["addContacts"]["contacts"]]


async def _count(sessions: async_sessionmaker[AsyncSession]) -> int:
    async with sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(Contact)) or 0)


async def _becomes_case(
    client: httpx.AsyncClient, staff: str, official: str, contact: str
) -> dict[str, Any]:
    """Complete the contact, record a positive test, verify the declaration it made: the
    patient (id and exposures)."""
    complete = {
        "dateOfBirth": "1980-01-01",
        "sex": "MALE",
        "phone": "0903000111",
        "address": "1 Ấp Một",
    }
    update = (
        "mutation($id: ID!, $i: ContactUpdateInput!) { updateContact(id: $id, input: $i) { id } }"
    )
    assert "errors" not in await gql(client, update, {"id": contact, "i": complete}, staff)
    positive = {"idempotencyKey": secrets.token_hex(6), "contactId": contact, "kind": "RAPID_ANTIGEN",
                "result": "POSITIVE", "takenAt": datetime.now(UTC).isoformat()}  # fmt: skip
    assert "errors" not in await gql(client, TEST, {"i": positive}, staff)
    pending = await gql(
        client,
        "{ declarations(first: 50, filter: {status: [PENDING], kind: CONTACT_TEST}) "
        "{ edges { node { id contact { id } } } } }",
        {},
        official,
    )
    declaration = next(
        e["node"]["id"] for e in pending["data"]["declarations"]["edges"]
        if (e["node"]["contact"] or {}).get("id") == contact
    )  # fmt: skip
    verify = "mutation($id: ID!) { verifyDeclaration(id: $id) { id exposures { place } } }"
    verified = await gql(client, verify, {"id": declaration}, official)
    patient: dict[str, Any] = verified["data"]["verifyDeclaration"]
    return patient


async def test_contacts_of_a_contact_are_followed_and_join_the_case_it_becomes(
    client: httpx.AsyncClient, demo: SeedResult, sessions: async_sessionmaker[AsyncSession]
) -> None:
    commune = commune_of(demo, "health.commune")
    staff, official = account(demo, "health.commune"), account(demo, "official.commune")
    district = next(a.area_code for a in demo.accounts if a.username == "official.district")
    assert district is not None
    async with sessions() as session:
        neighbour = next(c for c in await communes_of(session, district) if c != commune)
        elsewhere = await _third(sessions, commune, neighbour)
    case, _ = await new_patient(sessions, commune)
    (f1,) = await _listed(client, staff, case, row("Trần Văn Một", commune))
    rows = [row("Trần Thị Hai", commune), row("Lý Văn Ba", neighbour, relation="WORKPLACE")]
    body = await gql(client, OF_CONTACT, {"id": f1, "i": rows}, staff)
    assert "errors" not in body, body
    hai, ba = body["data"]["addContactsOfContact"]["contacts"]
    assert hai["sourceContact"] == {"id": f1}
    assert hai["sourcePatient"] is None
    assert hai["status"] == "UNDER_FOLLOW_UP"
    assert ba["commune"]["code"] == neighbour
    # a retry writes nothing and answers the same contacts
    before = await _count(sessions)
    again = await gql(client, OF_CONTACT, {"id": f1, "i": rows}, staff)
    assert [c["id"] for c in again["data"]["addContactsOfContact"]["contacts"]] == [
        hai["id"], ba["id"]
    ]  # fmt: skip
    assert await _count(sessions) == before
    # one bad row: nothing written, the row named
    bad = [row("Đúng", commune), row("Sai", "99999")]
    refused = await gql(client, OF_CONTACT, {"id": f1, "i": bad}, staff)
    assert [p["field"] for p in refused["errors"][0]["extensions"]["invalid"]] == [
        "input[1].communeCode"
    ]
    assert await _count(sessions) == before
    # seen by the commune of the contact who listed them, by where they live, nobody else
    theirs = token_of("staff-neighbour", Role.HEALTH_STAFF, neighbour)
    other = token_of("staff-elsewhere", Role.HEALTH_STAFF, elsewhere)
    seen = await gql(client, SOURCES, {"id": ba["id"]}, theirs)
    assert seen["data"]["contact"] == {"id": ba["id"], "sourceContact": None, "sourcePatient": None}
    assert (await gql(client, SOURCES, {"id": ba["id"]}, other))["data"]["contact"] is None
    assert (await gql(client, SOURCES, {"id": hai["id"]}, theirs))["data"]["contact"] is None
    # the contact turns positive and becomes a case: their contacts are its close contacts
    patient = await _becomes_case(client, staff, official, f1)
    promoted = await gql(client, SOURCES, {"id": hai["id"]}, staff)
    assert promoted["data"]["contact"]["sourcePatient"] == {"id": patient["id"]}
    async with sessions() as session:
        linked = await session.scalar(
            select(func.count())
            .select_from(ContactSource)
            .where(ContactSource.patient_id == int(patient["id"]))
        )
    assert linked == 2
    # the chain from the first case: its contact, the case they became, and their contacts
    chain = (await gql(client, CHAIN, {"id": str(case), "d": 2}, staff))["data"]["patient"]
    labels = {n["key"]: n["label"] for n in chain["transmissionChain"]["nodes"]}
    assert labels[f"CONTACT:{hai['id']}"] == f"F2 #{hai['id']}"
    assert labels[f"CONTACT:{f1}"] == f"F1 #{f1}"
    edges = {(e["from"], e["to"]) for e in chain["transmissionChain"]["edges"]}
    assert {
        (f"CASE:{case}", f"CONTACT:{f1}"),
        (f"CONTACT:{f1}", f"CASE:{patient['id']}"),
        (f"CONTACT:{f1}", f"CONTACT:{hai['id']}"),
        (f"CASE:{patient['id']}", f"CONTACT:{hai['id']}"),
    } <= edges
    # a contact who became a case lists contacts as a case; a completed one lists none
    late = await gql(client, OF_CONTACT, {"id": f1, "i": [row("Muộn", commune)]}, staff)
    assert code_of(late) == "CONFLICT"
    assert "addContacts" in late["errors"][0]["message"]


async def test_a_contact_links_their_own_app_with_a_one_time_code(
    client: httpx.AsyncClient, demo: SeedResult, sessions: async_sessionmaker[AsyncSession]
) -> None:
    commune = commune_of(demo, "health.commune")
    staff = account(demo, "health.commune")
    case, _ = await new_patient(sessions, commune)
    (contact,) = await _listed(client, staff, case, row("Phạm Thị Tư", commune))
    me = token_of(f"citizen-{secrets.token_hex(4)}", Role.CITIZEN)
    # before linking the citizen sees nothing and cannot report for the contact
    assert (await gql(client, MINE, {"id": contact}, me))["data"]["contact"] is None
    assert code_of(await gql(client, CHECK, {"id": contact, "i": {}}, me)) == "NOT_FOUND"
    first = (await gql(client, ISSUE, {"id": contact}, staff))["data"]["issueContactLinkCode"]
    issued = (await gql(client, ISSUE, {"id": contact}, staff))["data"]["issueContactLinkCode"]
    assert issued["contact"] == {"id": contact}
    assert datetime.fromisoformat(issued["expiresAt"]) > datetime.now(UTC) + timedelta(hours=71)
    # a new code replaces the earlier one
    assert code_of(await gql(client, LINK, {"c": first["code"]}, me)) == "BAD_USER_INPUT"
    async with sessions() as session:  # only a hash is kept
        stored = await session.get(Contact, int(contact))
        assert stored is not None
        assert stored.link_code_hash is not None
        assert issued["code"].replace("-", "") not in stored.link_code_hash
    # typed loosely (lower case, spaces) it still works, once
    typed = issued["code"].lower().replace("-", " ")
    linked = await gql(client, LINK, {"c": typed}, me)
    assert linked["data"]["linkContact"] == {
        "id": contact, "fullName": "Phạm Thị Tư", "status": "UNDER_FOLLOW_UP"
    }  # fmt: skip
    someone = token_of(f"citizen-{secrets.token_hex(4)}", Role.CITIZEN)
    assert code_of(await gql(client, LINK, {"c": issued["code"]}, someone)) == "BAD_USER_INPUT"
    # now theirs: they read it and send its daily check
    assert (await gql(client, MINE, {"id": contact}, me))["data"]["contact"]["id"] == contact
    assert (await gql(client, MINE, {"id": contact}, someone))["data"]["contact"] is None
    checked = await gql(client, CHECK, {"id": contact, "i": {"note": "Khoẻ"}}, me)
    assert checked["data"]["submitContactFollowUp"]["note"] == "Khoẻ"
    # staff only issue codes; citizens only redeem them
    assert code_of(await gql(client, ISSUE, {"id": contact}, me)) == "FORBIDDEN"
    assert code_of(await gql(client, LINK, {"c": issued["code"]}, staff)) == "FORBIDDEN"


async def test_wrong_link_codes_are_rate_limited_and_expired_codes_refused(
    client: httpx.AsyncClient, demo: SeedResult, sessions: async_sessionmaker[AsyncSession]
) -> None:
    commune = commune_of(demo, "health.commune")
    staff = account(demo, "health.commune")
    case, _ = await new_patient(sessions, commune)
    (contact,) = await _listed(client, staff, case, row("Đỗ Văn Năm", commune))
    issued = (await gql(client, ISSUE, {"id": contact}, staff))["data"]["issueContactLinkCode"]
    guesser = token_of(f"citizen-{secrets.token_hex(4)}", Role.CITIZEN)
    for _ in range(5):
        assert code_of(await gql(client, LINK, {"c": "AAAAA-AAAAA"}, guesser)) == "BAD_USER_INPUT"
    # the sixth try is refused, even with the right code
    assert code_of(await gql(client, LINK, {"c": issued["code"]}, guesser)) == "RATE_LIMITED"
    async with sessions.begin() as session:  # the code expires
        stored = await session.get(Contact, int(contact))
        assert stored is not None
        stored.link_code_expires_at = datetime.now(UTC) - timedelta(seconds=1)
    owner = token_of(f"citizen-{secrets.token_hex(4)}", Role.CITIZEN)
    assert code_of(await gql(client, LINK, {"c": issued["code"]}, owner)) == "BAD_USER_INPUT"


async def test_a_contact_without_checks_is_marked_lost_and_a_check_brings_them_back(
    client: httpx.AsyncClient, demo: SeedResult, sessions: async_sessionmaker[AsyncSession]
) -> None:
    commune = commune_of(demo, "health.commune")
    staff = account(demo, "health.commune")
    case, _ = await new_patient(sessions, commune)
    (contact,) = await _listed(client, staff, case, row("Vắng Nhà", commune))
    reason = "Gọi 3 lần không nghe máy; nhà khoá cửa"
    recent = await gql(client, LOST, {"id": contact, "r": reason}, staff)
    assert code_of(recent) == "CONFLICT"
    assert "48 hours" in recent["errors"][0]["message"]
    async with sessions.begin() as session:
        found = await session.get(Contact, int(contact))
        assert found is not None
        found.created_at = datetime.now(UTC) - timedelta(hours=49)
    assert code_of(await gql(client, LOST, {"id": contact, "r": "  "}, staff)) == "BAD_USER_INPUT"
    marked = await gql(client, LOST, {"id": contact, "r": reason}, staff)
    assert marked["data"]["markContactLostToFollowUp"]["status"] == "LOST_TO_FOLLOW_UP"
    again = await gql(client, LOST, {"id": contact, "r": reason}, staff)  # a retry: the same
    assert again["data"]["markContactLostToFollowUp"]["status"] == "LOST_TO_FOLLOW_UP"
    lost = (
        "{ contacts(first: 100, filter: {status: [LOST_TO_FOLLOW_UP]}) { edges { node { id } } } }"
    )
    listed = (await gql(client, lost, {}, staff))["data"]["contacts"]["edges"]
    assert contact in {e["node"]["id"] for e in listed}
    async with sessions() as session:
        audited = await session.scalar(
            select(func.count())
            .select_from(AuditEntry)
            .where(AuditEntry.action == "MARK_CONTACT_LOST", AuditEntry.detail == reason)
        )
    assert audited == 1
    # found again: a check brings them back to follow-up
    assert "errors" not in await gql(client, CHECK, {"id": contact, "i": {}}, staff)
    status = "query($id: ID!) { contact(id: $id) { status } }"
    back = await gql(client, status, {"id": contact}, staff)
    assert back["data"]["contact"]["status"] == ContactStatus.UNDER_FOLLOW_UP.value
    # a commune outside scope cannot mark it
    other = token_of("staff-x", Role.HEALTH_STAFF, await _third(sessions, commune))
    assert code_of(await gql(client, LOST, {"id": contact, "r": reason}, other)) == "NOT_FOUND"


async def test_a_symptomatic_contact_is_on_the_work_list_until_tested(
    client: httpx.AsyncClient, demo: SeedResult, sessions: async_sessionmaker[AsyncSession]
) -> None:
    commune = commune_of(demo, "health.commune")
    staff = account(demo, "health.commune")
    case, _ = await new_patient(sessions, commune)
    ill, well, better = await _listed(
        client,
        staff,
        case,
        row("Ho Sốt", commune),
        row("Khoẻ Mạnh", commune),
        row("Đỡ Rồi", commune),
    )
    for contact, symptoms in ((ill, ["CHILLS"]), (well, []), (better, ["COUGH"])):
        body = await gql(client, CHECK, {"id": contact, "i": {"symptoms": symptoms}}, staff)
        assert "errors" not in body, body
    assert "errors" not in await gql(client, CHECK, {"id": better, "i": {}}, staff)  # better now
    listed = "query($s: Boolean) { contacts(first: 100, filter: {symptomatic: $s}) { edges { node { id } } } }"

    async def ids(flag: bool) -> set[str]:
        body = await gql(client, listed, {"s": flag}, staff)
        return {e["node"]["id"] for e in body["data"]["contacts"]["edges"]}

    assert ill in await ids(True)
    assert not {well, better} & await ids(True)
    assert {well, better} <= await ids(False)
    tested = {"idempotencyKey": secrets.token_hex(6), "contactId": ill, "kind": "RAPID_ANTIGEN",
              "result": "NEGATIVE", "takenAt": datetime.now(UTC).isoformat()}  # fmt: skip
    assert "errors" not in await gql(client, TEST, {"i": tested}, staff)
    assert ill not in await ids(True)


async def test_a_contact_of_a_contact_who_turns_positive_first_names_that_contact(
    client: httpx.AsyncClient, demo: SeedResult, sessions: async_sessionmaker[AsyncSession]
) -> None:
    commune = commune_of(demo, "health.commune")
    staff, official = account(demo, "health.commune"), account(demo, "official.commune")
    case, _ = await new_patient(sessions, commune)
    (f1,) = await _listed(client, staff, case, row("Hồ Văn Giữa", commune))
    body = await gql(client, OF_CONTACT, {"id": f1, "i": [row("Hồ Thị Cuối", commune)]}, staff)
    f2 = body["data"]["addContactsOfContact"]["contacts"][0]["id"]
    patient = await _becomes_case(client, staff, official, f2)
    assert patient["exposures"] == [{"place": f"Tiếp xúc gần với F1 #{f1}"}]
    chain = (await gql(client, CHAIN, {"id": patient["id"], "d": 1}, staff))["data"]["patient"]
    edges = {(e["from"], e["to"]) for e in chain["transmissionChain"]["edges"]}
    assert (f"CONTACT:{f1}", f"CONTACT:{f2}") in edges
    assert (f"CONTACT:{f2}", f"CASE:{patient['id']}") in edges
