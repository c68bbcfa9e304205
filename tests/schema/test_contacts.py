"""Close contacts (F1) through the API: batches, all or nothing, people linked instead of
duplicated, people already in treatment reported, retries, and who sees a contact."""

from __future__ import annotations

import asyncio
import json
import secrets
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx
from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from db.demo import SeedResult
from db.models import Alert, Area, AuditEntry, Contact, ContactSource, Patient
from db.queries.epidemiology import complete_contacts
from domain.enums import ContactRelation, ContactStatus, Role
from server.app import create_app
from server.settings import Settings
from tests.conftest import gql
from tests.factories import communes_of, make_patient
from tests.schema.test_care import new_patient
from tests.schema.test_compiled_events import Socket
from tests.schema.test_intake import account, code_of, commune_of
from tests.tokens import token_of

ADD = """mutation($id: ID!, $i: [ContactInput!]!) { addContacts(patientId: $id, input: $i) {
  contacts { id fullName phone nationalId relation lastExposureOn status commune { code }
    quarantine { startedOn until place } sourcePatient { id } }
  alreadyPatients { index caseCode } } }"""
CONTACT = "query($id: ID!) { contact(id: $id) { id fullName status commune { code } } }"
LIST = "query($f: ContactFilter) { contacts(first: 100, filter: $f) { totalCount edges { node { id } } } }"


def today() -> date:
    """The deployment's day (Viet Nam), as the server counts exposures."""
    return datetime.now(ZoneInfo("Asia/Ho_Chi_Minh")).date()


def row(name: str, commune: str, **more: Any) -> dict[str, Any]:
    return {
        "idempotencyKey": secrets.token_hex(6),
        "fullName": name,
        "communeCode": commune,
        "relation": "HOUSEHOLD",
        "lastExposureOn": (today() - timedelta(days=1)).isoformat(),
        **more,
    }


def national_id() -> str:
    return "0" + "".join(secrets.choice("0123456789") for _ in range(11))


async def _count(sessions: async_sessionmaker[AsyncSession]) -> tuple[int, int]:
    async with sessions() as session:
        contacts = await session.scalar(select(func.count()).select_from(Contact))
        sources = await session.scalar(select(func.count()).select_from(ContactSource))
    return int(contacts or 0), int(sources or 0)


async def test_a_batch_adds_links_and_reports(
    client: httpx.AsyncClient, demo: SeedResult, sessions: async_sessionmaker[AsyncSession]
) -> None:
    commune = commune_of(demo, "official.commune")
    district = next(a.area_code for a in demo.accounts if a.username == "official.district")
    assert district is not None
    async with sessions() as session:
        neighbour = next(c for c in await communes_of(session, district) if c != commune)
    official = account(demo, "official.commune")
    first_case, _ = await new_patient(sessions, commune)
    second_case, _ = await new_patient(sessions, commune)
    shared = national_id()
    ill_id = national_id()
    ill, _ = await new_patient(sessions, commune, national_id=ill_id)
    rows = [
        row("Nguyễn Văn Ấn", commune, nationalId=shared, phone="0912 345 678"),
        row("Lê Thị Ðào", neighbour, relation="WORKPLACE", quarantinePlace="Khu cách ly tập trung"),
        row("Người Đã Là F0", commune, nationalId=ill_id),
    ]
    body = await gql(client, ADD, {"id": str(first_case), "i": rows}, official)
    assert "errors" not in body, body
    batch = body["data"]["addContacts"]
    an, dao = batch["contacts"]
    assert an["fullName"] == "Nguyễn Văn Ấn"
    assert an["phone"] == "0912345678"
    assert an["status"] == "UNDER_FOLLOW_UP"
    assert an["sourcePatient"] == {"id": str(first_case)}
    started = date.fromisoformat(an["quarantine"]["startedOn"])
    assert an["quarantine"]["until"] == (started + timedelta(days=6)).isoformat()
    assert dao["commune"]["code"] == neighbour
    assert dao["quarantine"]["place"] == "Khu cách ly tập trung"
    async with sessions() as session:
        ill_code = await session.scalar(select(Patient.case_code).where(Patient.id == ill))
    assert batch["alreadyPatients"] == [{"index": 2, "caseCode": ill_code}]
    # a retry changes nothing
    before = await _count(sessions)
    again = await gql(client, ADD, {"id": str(first_case), "i": rows}, official)
    assert [c["id"] for c in again["data"]["addContacts"]["contacts"]] == [an["id"], dao["id"]]
    assert await _count(sessions) == before
    # the same person listed by a second case is linked, not duplicated
    later = row("Nguyễn Văn Ấn", commune, nationalId=shared, lastExposureOn=today().isoformat())
    linked = await gql(client, ADD, {"id": str(second_case), "i": [later]}, official)
    relinked = linked["data"]["addContacts"]["contacts"][0]
    assert relinked["id"] == an["id"]
    assert relinked["lastExposureOn"] == later["lastExposureOn"]  # quarantine restarts
    assert await _count(sessions) == (before[0], before[1] + 1)


async def test_one_bad_row_writes_nothing(
    client: httpx.AsyncClient, demo: SeedResult, sessions: async_sessionmaker[AsyncSession]
) -> None:
    commune = commune_of(demo, "official.commune")
    case, _ = await new_patient(sessions, commune)
    before = await _count(sessions)
    future = (today() + timedelta(days=1)).isoformat()
    rows = [
        row("Trần Văn Tốt", commune),
        row("", commune, phone="123", lastExposureOn=future),
        row("Phạm Thị Xa", "72"),  # a province, not a commune
    ]
    body = await gql(client, ADD, {"id": str(case), "i": rows}, account(demo, "official.commune"))
    assert code_of(body) == "BAD_USER_INPUT"
    fields = {p["field"] for p in body["errors"][0]["extensions"]["invalid"]}
    assert fields == {
        "input[1].fullName",
        "input[1].phone",
        "input[1].lastExposureOn",
        "input[2].communeCode",
    }
    assert await _count(sessions) == before
    assert (
        code_of(
            await gql(client, ADD, {"id": str(case), "i": []}, account(demo, "official.commune"))
        )
        == "BAD_USER_INPUT"
    )


async def test_a_contact_is_seen_by_its_commune_and_its_cases_area_only(
    client: httpx.AsyncClient, demo: SeedResult, sessions: async_sessionmaker[AsyncSession]
) -> None:
    home = commune_of(demo, "official.commune")
    async with sessions() as session:
        elsewhere = (await communes_of(session, "703"))[6]  # Thành phố Tây Ninh
    case, _ = await new_patient(sessions, home)
    body = await gql(
        client,
        ADD,
        {"id": str(case), "i": [row("Võ Thị Xuân", elsewhere)]},
        account(demo, "health.commune"),
    )
    contact = body["data"]["addContacts"]["contacts"][0]["id"]
    # the case's commune and the province see it; so does the commune where the contact lives
    for who in ("health.commune", "official.commune", "official.province"):
        seen = await gql(client, CONTACT, {"id": contact}, account(demo, who))
        assert seen["data"]["contact"]["id"] == contact, who
    theirs = token_of("staff-of-elsewhere", Role.HEALTH_STAFF, elsewhere)
    assert (await gql(client, CONTACT, {"id": contact}, theirs))["data"]["contact"]["id"] == contact
    listed = await gql(client, LIST, {"f": {"status": ["UNDER_FOLLOW_UP"]}}, theirs)
    assert contact in {e["node"]["id"] for e in listed["data"]["contacts"]["edges"]}
    # a third commune sees nothing; a manager sees it without personal data; a citizen nothing
    third = token_of("staff-of-third", Role.HEALTH_STAFF, (await _third(sessions, home, elsewhere)))
    assert (await gql(client, CONTACT, {"id": contact}, third))["data"]["contact"] is None
    managed = await gql(client, CONTACT, {"id": contact}, account(demo, "manager.province"))
    assert managed["data"]["contact"]["fullName"] is None
    assert code_of(managed) == "FORBIDDEN"
    assert code_of(await gql(client, LIST, {}, account(demo, "hospital.tier2"))) == "FORBIDDEN"


async def _third(sessions: async_sessionmaker[AsyncSession], *not_these: str) -> str:
    async with sessions() as session:
        return next(c for c in await communes_of(session, "705") if c not in not_these)


FOLLOW = """query($id: ID!) { contact(id: $id) { lastCheckedAt
  testResults { kind result } followUps { dayNumber on testDue checked tested symptoms } } }"""
CHECK = """mutation($id: ID!, $i: ContactFollowUpInput!) {
  submitContactFollowUp(contactId: $id, input: $i) { id symptoms note } }"""
TEST = "mutation($i: TestResultInput!) { recordTestResult(input: $i) { id } }"
DUE = "{ contacts(first: 100, filter: {dueForTest: true}) { edges { node { id } } } }"


async def test_follow_up_days_tests_and_the_due_list(
    client: httpx.AsyncClient, demo: SeedResult, sessions: async_sessionmaker[AsyncSession]
) -> None:
    commune = commune_of(demo, "health.commune")
    staff = account(demo, "health.commune")
    case, citizen = await new_patient(sessions, commune)
    body = await gql(client, ADD, {"id": str(case), "i": [row("Hồ Văn Lợi", commune)]}, staff)
    contact = body["data"]["addContacts"]["contacts"][0]["id"]
    # day 2: the day-1 test is due and was not taken
    due = await gql(client, DUE, {}, staff)
    assert contact in {e["node"]["id"] for e in due["data"]["contacts"]["edges"]}
    record = (await gql(client, FOLLOW, {"id": contact}, staff))["data"]["contact"]
    days = record["followUps"]
    assert [d["dayNumber"] for d in days if d["testDue"]] == [1, 7]
    assert not any(d["checked"] or d["tested"] for d in days)
    # a check with a symptom and a negative test today
    check = await gql(
        client, CHECK, {"id": contact, "i": {"symptoms": ["COUGH"], "note": "Ho nhẹ"}}, staff
    )
    assert check["data"]["submitContactFollowUp"]["symptoms"] == ["COUGH"]
    test = {"idempotencyKey": secrets.token_hex(6), "contactId": contact, "kind": "RAPID_ANTIGEN",
            "result": "NEGATIVE", "takenAt": datetime.now(ZoneInfo("UTC")).isoformat()}  # fmt: skip
    assert "errors" not in await gql(client, TEST, {"i": test}, staff)
    record = (await gql(client, FOLLOW, {"id": contact}, staff))["data"]["contact"]
    today_row = next(d for d in record["followUps"] if d["on"] == today().isoformat())
    assert today_row["dayNumber"] == 2
    assert today_row["checked"] is True
    assert today_row["tested"] is True
    assert today_row["symptoms"] == ["COUGH"]
    assert record["testResults"] == [{"kind": "RAPID_ANTIGEN", "result": "NEGATIVE"}]
    assert record["lastCheckedAt"]
    due = await gql(client, DUE, {}, staff)
    assert contact not in {e["node"]["id"] for e in due["data"]["contacts"]["edges"]}
    # refusals: an unknown symptom, a citizen not linked, a manager reading health detail
    wrong = await gql(client, CHECK, {"id": contact, "i": {"symptoms": ["HICCUPS"]}}, staff)
    assert code_of(wrong) == "BAD_USER_INPUT"
    assert code_of(await gql(client, CHECK, {"id": contact, "i": {}}, citizen)) == "NOT_FOUND"
    managed = await gql(client, FOLLOW, {"id": contact}, account(demo, "manager.commune"))
    assert managed["data"]["contact"]["followUps"] is None
    assert code_of(managed) == "FORBIDDEN"
    hospital = await gql(
        client, TEST, {"i": {**test, "idempotencyKey": "h1"}}, account(demo, "hospital.tier2")
    )
    assert code_of(hospital) == "NOT_FOUND"


async def test_the_job_completes_contacts_released_by_a_negative_test(
    client: httpx.AsyncClient, demo: SeedResult, sessions: async_sessionmaker[AsyncSession]
) -> None:
    commune = commune_of(demo, "health.commune")
    staff = account(demo, "health.commune")
    case, _ = await new_patient(sessions, commune)
    exposed = (today() - timedelta(days=8)).isoformat()  # quarantine ended yesterday
    known = {
        "dateOfBirth": "1990-01-01",
        "sex": "FEMALE",
        "phone": "0904555666",
        "address": "1 Ngõ",
    }
    rows = [
        row("Âm Tính", commune, lastExposureOn=exposed),
        row("Dương Tính", commune, lastExposureOn=exposed, **known),  # its positive is declared
        row("Chưa Test", commune, lastExposureOn=exposed),
    ]
    body = await gql(client, ADD, {"id": str(case), "i": rows}, staff)
    negative, positive, untested = (c["id"] for c in body["data"]["addContacts"]["contacts"])
    now = datetime.now(ZoneInfo("UTC")).isoformat()
    for contact, result in ((negative, "NEGATIVE"), (positive, "POSITIVE")):
        test = {"idempotencyKey": secrets.token_hex(6), "contactId": contact,
                "kind": "RAPID_ANTIGEN", "result": result, "takenAt": now}  # fmt: skip
        assert "errors" not in await gql(client, TEST, {"i": test}, staff)
    async with sessions.begin() as session:
        closed = await complete_contacts(session, today=today(), timezone="Asia/Ho_Chi_Minh")
    assert closed >= 1
    statuses = {}
    for contact in (negative, positive, untested):
        found = await gql(
            client, "query($id: ID!) { contact(id: $id) { status } }", {"id": contact}, staff
        )
        statuses[contact] = found["data"]["contact"]["status"]
    assert statuses == {
        negative: "COMPLETED",
        positive: "UNDER_FOLLOW_UP",
        untested: "UNDER_FOLLOW_UP",
    }
    # a completed contact needs no more checks
    done = await gql(client, CHECK, {"id": negative, "i": {}}, staff)
    assert code_of(done) == "CONFLICT"


async def test_statistics_count_contacts_under_follow_up_against_sql(
    client: httpx.AsyncClient, demo: SeedResult, sessions: async_sessionmaker[AsyncSession]
) -> None:
    commune = commune_of(demo, "health.commune")
    staff = account(demo, "health.commune")
    case, _ = await new_patient(sessions, commune)
    await gql(client, ADD, {"id": str(case), "i": [row("Thống Kê", commune)]}, staff)
    figures = "query($a: ID) { statistics(areaCode: $a) { contactsUnderFollowUp } }"
    for area in (commune, "72"):
        body = await gql(client, figures, {"a": area}, account(demo, "manager.province"))
        async with sessions() as session:
            oracle = await session.scalar(
                text(
                    "SELECT count(*) FROM contacts WHERE status IN ('UNDER_FOLLOW_UP', "
                    "'LOST_TO_FOLLOW_UP') AND :a IN (commune_code, district_code, province_code)"
                ),
                {"a": area},
            )
        assert body["data"]["statistics"]["contactsUnderFollowUp"] == oracle
        assert oracle is not None
        assert oracle >= 1


async def test_contacts_without_a_check_for_48_hours_are_candidates_for_lost(
    client: httpx.AsyncClient, demo: SeedResult, sessions: async_sessionmaker[AsyncSession]
) -> None:
    commune = commune_of(demo, "health.commune")
    staff = account(demo, "health.commune")
    case, _ = await new_patient(sessions, commune)
    body = await gql(
        client,
        ADD,
        {"id": str(case), "i": [row("Im Lặng", commune), row("Có Báo", commune)]},
        staff,
    )
    silent, checked = (c["id"] for c in body["data"]["addContacts"]["contacts"])
    async with sessions.begin() as session:  # both listed three days ago
        for contact in (silent, checked):
            found = await session.get(Contact, int(contact))
            assert found is not None
            found.created_at = datetime.now(ZoneInfo("UTC")) - timedelta(days=3)
    await gql(client, CHECK, {"id": checked, "i": {}}, staff)
    lost = "{ contacts(first: 100, filter: {unchecked: true}) { edges { node { id } } } }"
    ids = {
        e["node"]["id"] for e in (await gql(client, lost, {}, staff))["data"]["contacts"]["edges"]
    }
    assert silent in ids
    assert checked not in ids


async def _contact_figures(client: httpx.AsyncClient, token: str, area: str) -> dict[str, Any]:
    query = """query($a: ID) { statistics(areaCode: $a) { knownContactShare
      daily { date newCases contactsBecameCases } } }"""
    figures = (await gql(client, query, {"a": area}, token))["data"]["statistics"]
    return {**figures["daily"][-1], "share": figures["knownContactShare"]}


async def test_a_positive_contact_becomes_a_case_with_its_source(
    client: httpx.AsyncClient, demo: SeedResult, sessions: async_sessionmaker[AsyncSession]
) -> None:
    commune = commune_of(demo, "health.commune")
    staff, official = account(demo, "health.commune"), account(demo, "official.commune")
    before = await _contact_figures(client, staff, commune)
    source, _ = await new_patient(sessions, commune)
    async with sessions() as session:
        source_code = await session.scalar(select(Patient.case_code).where(Patient.id == source))
    listed = await gql(
        client, ADD, {"id": str(source), "i": [row("Quách Văn Dương", commune)]}, staff
    )
    contact = listed["data"]["addContacts"]["contacts"][0]["id"]
    positive = {"idempotencyKey": secrets.token_hex(6), "contactId": contact, "kind": "RAPID_ANTIGEN",
                "result": "POSITIVE", "takenAt": datetime.now(ZoneInfo("UTC")).isoformat()}  # fmt: skip
    # a contact without date of birth, sex, phone and address cannot be declared: nothing written
    refused = await gql(client, TEST, {"i": positive}, staff)
    fields = {p["field"] for p in refused["errors"][0]["extensions"]["invalid"]}
    assert fields == {"contact.dateOfBirth", "contact.sex", "contact.phone", "contact.address"}
    tests = await gql(client, FOLLOW, {"id": contact}, staff)
    assert tests["data"]["contact"]["testResults"] == []
    update = "mutation($id: ID!, $i: ContactUpdateInput!) { updateContact(id: $id, input: $i) { id dateOfBirth } }"
    completed = {
        "dateOfBirth": "1988-08-08",
        "sex": "MALE",
        "phone": "0903111222",
        "address": "9 Đường Thử",
    }
    assert "errors" not in await gql(client, update, {"id": contact, "i": completed}, staff)
    # the positive test makes a pending declaration of kind CONTACT_TEST, linked to the contact
    assert "errors" not in await gql(client, TEST, {"i": positive}, staff)
    pending = await gql(
        client,
        "{ declarations(first: 50, filter: {status: [PENDING], kind: CONTACT_TEST}) "
        "{ edges { node { id fullName contact { id } } } } }",
        {},
        official,
    )
    declaration = next(
        e["node"] for e in pending["data"]["declarations"]["edges"]
        if (e["node"]["contact"] or {}).get("id") == contact
    )  # fmt: skip
    assert declaration["fullName"] == "Quách Văn Dương"
    # verified: a patient; the contact became that case; the case's exposure names its source
    verify = "mutation($id: ID!) { verifyDeclaration(id: $id) { id exposures { place setting } } }"
    patient = (await gql(client, verify, {"id": declaration["id"]}, official))["data"][
        "verifyDeclaration"
    ]
    assert patient["exposures"] == [
        {"place": f"Tiếp xúc gần với ca {source_code}", "setting": "HOUSEHOLD"}
    ]
    became = await gql(
        client,
        "query($id: ID!) { contact(id: $id) { status becamePatient { id } } }",
        {"id": contact},
        staff,
    )
    assert became["data"]["contact"] == {
        "status": "BECAME_CASE",
        "becamePatient": {"id": patient["id"]},
    }
    # counted: one more case today, one more known contact who became a case
    after = await _contact_figures(client, staff, commune)
    assert after["contactsBecameCases"] == before["contactsBecameCases"] + 1
    assert after["newCases"] >= before["newCases"] + 1
    assert after["share"] is not None
    assert 0 < after["share"] <= 1


CHAIN = """query($id: ID!, $d: Int!) { patient(id: $id) { transmissionChain(depth: $d) {
  hidden nodes { key kind label status generation area { code } } edges { from to } } } }"""


async def _listed_contact(
    session: AsyncSession, source: Patient, lives_in: str, became: Patient | None = None
) -> Contact:
    commune = await session.get(Area, lives_in)
    assert commune is not None
    exposed = today() - timedelta(days=3)
    contact = Contact(
        full_name="Mắt Xích", commune_code=lives_in, district_code=commune.district_code or "",
        province_code=commune.province_code, relation=ContactRelation.HOUSEHOLD,
        last_exposure_on=exposed, source_patient_id=source.id, quarantine_started_on=exposed,
        quarantine_until=exposed + timedelta(days=6),
        status=ContactStatus.BECAME_CASE if became else ContactStatus.UNDER_FOLLOW_UP,
        became_patient_id=became.id if became else None, rule_set="vn-moh-2021-12-contacts",
        created_by="chain",
    )  # fmt: skip
    session.add(contact)
    await session.flush()
    session.add(
        ContactSource(
            contact_id=contact.id,
            patient_id=source.id,
            relation=ContactRelation.HOUSEHOLD,
            last_exposure_on=exposed,
            created_by="chain",
            idempotency_key=secrets.token_hex(6),
        )  # fmt: skip
    )
    return contact


async def test_the_transmission_chain_shows_what_the_reader_may_see(
    client: httpx.AsyncClient, demo: SeedResult, sessions: async_sessionmaker[AsyncSession]
) -> None:
    ours = commune_of(demo, "health.commune")
    theirs = await _third(sessions, ours)
    # A (their commune) listed c1 (living here), who became B (here); B listed c2 (here);
    # A also listed c3, who lives in A's commune
    async with sessions.begin() as session:
        a = await make_patient(session, theirs)
        b = await make_patient(session, ours)
        c1 = await _listed_contact(session, a, ours, became=b)
        c2 = await _listed_contact(session, b, ours)
        c3 = await _listed_contact(session, a, theirs)
    staff = account(demo, "health.commune")
    body = await gql(client, CHAIN, {"id": str(b.id), "d": 3}, staff)
    chain = body["data"]["patient"]["transmissionChain"]
    keys = {n["key"]: n for n in chain["nodes"]}
    assert set(keys) == {f"CASE:{b.id}", f"CONTACT:{c1.id}", f"CONTACT:{c2.id}"}
    assert chain["hidden"] == 2  # A and c3 are their commune's: counted, not shown
    assert keys[f"CASE:{b.id}"]["generation"] == 0
    assert keys[f"CONTACT:{c1.id}"]["generation"] == -1
    assert {(e["from"], e["to"]) for e in chain["edges"]} == {
        (f"CONTACT:{c1.id}", f"CASE:{b.id}"),
        (f"CASE:{b.id}", f"CONTACT:{c2.id}"),
    }
    # the province sees the whole chain; depth is bounded; managers may not read it
    province = await gql(client, CHAIN, {"id": str(b.id), "d": 3}, account(demo, "health.province"))
    whole = province["data"]["patient"]["transmissionChain"]
    assert whole["hidden"] == 0
    assert {n["key"] for n in whole["nodes"]} == {
        f"CASE:{a.id}",
        f"CASE:{b.id}",
        f"CONTACT:{c1.id}",
        f"CONTACT:{c2.id}",
        f"CONTACT:{c3.id}",
    }
    assert {n["label"] for n in whole["nodes"] if n["kind"] == "CASE"} == {a.case_code, b.case_code}
    assert code_of(await gql(client, CHAIN, {"id": str(b.id), "d": 9}, staff)) == "BAD_USER_INPUT"
    managed = await gql(client, CHAIN, {"id": str(b.id), "d": 3}, account(demo, "manager.commune"))
    assert code_of(managed) == "FORBIDDEN"


HOUSEHOLD = """mutation($i: [HouseholdContactInput!]!) { declareHouseholdContacts(input: $i) {
  contacts { id fullName relation confirmedAt commune { code } sourcePatient { id } }
  alreadyPatients { index } } }"""


async def test_a_case_declares_its_household_and_staff_confirm_it(
    client: httpx.AsyncClient, demo: SeedResult, sessions: async_sessionmaker[AsyncSession]
) -> None:
    commune = commune_of(demo, "health.commune")
    staff = account(demo, "health.commune")
    case, citizen = await new_patient(sessions, commune)
    members = [
        {"idempotencyKey": "h-1", "fullName": "Vợ Của Ca", "lastExposureOn": today().isoformat()},
        {"idempotencyKey": "h-2", "fullName": "Con Của Ca", "lastExposureOn": today().isoformat(),
         "dateOfBirth": "2015-05-05"},
    ]  # fmt: skip
    body = await gql(client, HOUSEHOLD, {"i": members}, citizen)
    assert "errors" not in body, body
    declared = body["data"]["declareHouseholdContacts"]["contacts"]
    assert [c["fullName"] for c in declared] == ["Vợ Của Ca", "Con Của Ca"]
    assert all(c["relation"] == "HOUSEHOLD" for c in declared)
    assert all(c["commune"]["code"] == commune for c in declared)  # they live at the case's home
    assert all(c["sourcePatient"] == {"id": str(case)} for c in declared)
    assert all(c["confirmedAt"] is None for c in declared)  # staff confirm them
    again = await gql(client, HOUSEHOLD, {"i": members}, citizen)  # a retry: the same contacts
    assert [c["id"] for c in again["data"]["declareHouseholdContacts"]["contacts"]] == [
        c["id"] for c in declared
    ]
    confirm = "mutation($id: ID!) { confirmContact(id: $id) { confirmedAt } }"
    confirmed = await gql(client, confirm, {"id": declared[0]["id"]}, staff)
    assert confirmed["data"]["confirmContact"]["confirmedAt"]
    # staff list contacts themselves (confirmed at once); a citizen may not confirm
    assert code_of(await gql(client, confirm, {"id": declared[1]["id"]}, citizen)) == "FORBIDDEN"
    listed = await gql(client, ADD, {"id": str(case), "i": [row("Hàng Xóm", commune)]}, staff)
    added = listed["data"]["addContacts"]["contacts"][0]["id"]
    seen = await gql(
        client, "query($id: ID!) { contact(id: $id) { confirmedAt } }", {"id": added}, staff
    )
    assert seen["data"]["contact"]["confirmedAt"]


async def test_reading_a_contact_s_personal_data_is_audited(
    client: httpx.AsyncClient, demo: SeedResult, sessions: async_sessionmaker[AsyncSession]
) -> None:
    commune = commune_of(demo, "health.commune")
    case, _ = await new_patient(sessions, commune)
    body = await gql(
        client,
        ADD,
        {"id": str(case), "i": [row("Kiểm Toán", commune)]},
        account(demo, "health.commune"),
    )
    contact = body["data"]["addContacts"]["contacts"][0]["id"]
    reader = token_of("audit.contacts", Role.HEALTH_STAFF, commune)
    query = "query($id: ID!) { contact(id: $id) { id fullName phone status } }"
    assert (await gql(client, query, {"id": contact}, reader))["data"]["contact"][
        "fullName"
    ] == "Kiểm Toán"
    manager = token_of("audit.contacts.manager", Role.MANAGER, commune)
    await gql(client, query, {"id": contact}, manager)  # refused fields: nothing read
    async with sessions() as session:
        rows = (
            await session.scalars(
                select(AuditEntry).where(
                    AuditEntry.subject.in_(["audit.contacts", "audit.contacts.manager"]),
                    AuditEntry.action == "READ_PERSONAL",
                )
            )
        ).all()
    assert [(r.subject, r.entity, r.entity_ids, r.fields) for r in rows] == [
        ("audit.contacts", "contact", [contact], ["fullName", "phone"])
    ]


async def test_a_symptomatic_check_alerts_the_commune_over_the_websocket(
    client: httpx.AsyncClient,
    demo: SeedResult,
    sessions: async_sessionmaker[AsyncSession],
    settings: Settings,
) -> None:
    commune = commune_of(demo, "health.commune")
    staff = account(demo, "health.commune")
    case, _ = await new_patient(sessions, commune)
    body = await gql(client, ADD, {"id": str(case), "i": [row("Có Sốt", commune)]}, staff)
    contact = body["data"]["addContacts"]["contacts"][0]["id"]
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        socket = Socket(app)
        assert await socket.open(staff)
        try:
            document = "subscription { alertEvents { type alert { kind message patient { id } } } }"
            await socket.send({"id": "1", "type": "subscribe", "payload": {"query": document}})
            await asyncio.sleep(0.5)  # subscribed before the check
            check = {"id": contact, "i": {"symptoms": ["COUGH", "CHILLS"]}}
            assert "errors" not in await gql(client, CHECK, check, staff)
            while True:
                message = json.loads((await socket.receive(10))["text"])
                event = message["payload"]["data"]["alertEvents"]
                if event["alert"]["kind"] == "SYMPTOMATIC_CONTACT":
                    break
        finally:
            await socket.close()
    assert event["type"] == "CREATED"
    assert event["alert"]["patient"] == {"id": str(case)}
    assert f"F1 #{contact}" in event["alert"]["message"]
    assert "có triệu chứng: ho" in event["alert"]["message"]  # in words, Vietnamese first
    # a check without symptoms raises nothing
    async with sessions() as session:
        before = await session.scalar(
            select(func.count()).select_from(Alert).where(Alert.patient_id == case)
        )
    await gql(client, CHECK, {"id": contact, "i": {}}, staff)
    async with sessions() as session:
        after = await session.scalar(
            select(func.count()).select_from(Alert).where(Alert.patient_id == case)
        )
    assert before == after == 1
