"""Case intake through the GraphQL API: declare, list, verify into patients, reject."""

from __future__ import annotations

import asyncio
import secrets
import unicodedata
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from db.demo import SeedResult
from db.models import AuditEntry, Declaration, Patient
from domain.enums import Role
from tests.conftest import gql
from tests.tokens import token_for, token_of

TODAY = datetime.now(ZoneInfo("Asia/Ho_Chi_Minh")).date()
DECLARE = """mutation($input: SelfTestInput!) {
  declareSelfTest(input: $input) { id status kind fullName phone homeCommune { code } createdAt }
}"""
BATCH = """mutation($input: [ScreeningResultInput!]!) {
  declareScreeningResults(input: $input) { id status kind }
}"""
VERIFY = """mutation($id: ID!, $input: VerifyDeclarationInput) {
  verifyDeclaration(id: $id, input: $input) {
    id caseCode status tier fullName needsFacilityAssessment assessmentReason homeCommune { code }
  }
}"""
REJECT = """mutation($id: ID!, $r: String!) {
  rejectDeclaration(id: $id, reason: $r) { id status rejectionReason }
}"""


def person(commune: str, **overrides: Any) -> dict[str, Any]:
    """A valid declaration input with a fresh key and identity."""
    values: dict[str, Any] = {
        "idempotencyKey": secrets.token_hex(8),
        "fullName": "Lê Thị Hồng Nhung",
        "dateOfBirth": "1992-03-04",
        "sex": "FEMALE",
        "nationalId": "072" + "".join(secrets.choice("0123456789") for _ in range(9)),
        "phone": "09" + "".join(secrets.choice("0123456789") for _ in range(8)),
        "communeCode": commune,
        "address": "Ấp Lộc Trát, Xã An Tịnh",
        "testKind": "RAPID_ANTIGEN",
        "testedOn": TODAY.isoformat(),
        "symptoms": ["COUGH", "FATIGUE"],
    }
    values.update(overrides)
    return values


def account(demo: SeedResult, username: str) -> str:
    return token_for(next(a for a in demo.accounts if a.username == username))


def commune_of(demo: SeedResult, username: str) -> str:
    code = next(a.area_code for a in demo.accounts if a.username == username)
    assert code is not None
    return code


def citizen() -> str:
    return token_of(f"citizen-{secrets.token_hex(4)}", Role.CITIZEN)


def code_of(body: dict[str, Any]) -> str | None:
    errors = body.get("errors") or []
    return errors[0]["extensions"]["code"] if errors else None


async def test_full_intake_flow(client: httpx.AsyncClient, demo: SeedResult) -> None:
    commune = commune_of(demo, "official.commune")
    me = citizen()
    # given a citizen's declaration
    declared = await gql(client, DECLARE, {"input": person(commune)}, me)
    declaration = declared["data"]["declareSelfTest"]
    assert declaration["status"] == "PENDING"
    assert declaration["kind"] == "SELF_TEST"
    # then the commune official sees it among the pending declarations
    official = account(demo, "official.commune")
    listed = await gql(
        client,
        "{ declarations(filter: {status: [PENDING]}, first: 100) "
        "{ edges { node { id fullName } } } }",
        token=official,
    )
    ids = [e["node"]["id"] for e in listed["data"]["declarations"]["edges"]]
    assert declaration["id"] in ids
    # when the official verifies it
    verified = await gql(client, VERIFY, {"id": declaration["id"]}, official)
    patient = verified["data"]["verifyDeclaration"]
    assert patient["status"] == "HOME_TREATMENT"
    assert patient["tier"] == 1
    assert patient["caseCode"].startswith(f"72-{TODAY.year}-")
    assert patient["homeCommune"]["code"] == commune
    # then the patient is in the official's scope and the citizen sees their own record
    for token in (official, me):
        seen = await gql(
            client,
            "query($id: ID!) { patient(id: $id) { id fullName } }",
            {"id": patient["id"]},
            token,
        )
        assert seen["data"]["patient"]["fullName"] == "Lê Thị Hồng Nhung"
    own = await gql(client, "{ patients { totalCount edges { node { id } } } }", token=me)
    assert [e["node"]["id"] for e in own["data"]["patients"]["edges"]] == [patient["id"]]
    mine = await gql(
        client,
        "query($id: ID!) { declaration(id: $id) { status patient { id } } }",
        {"id": declaration["id"]},
        me,
    )
    assert mine["data"]["declaration"] == {"status": "VERIFIED", "patient": {"id": patient["id"]}}
    # and an official of another commune sees neither
    other = account(demo, "official.commune2")
    hidden = await gql(
        client,
        "query($d: ID!, $p: ID!) { declaration(id: $d) { id } patient(id: $p) { id } }",
        {"d": declaration["id"], "p": patient["id"]},
        other,
    )
    assert hidden["data"] == {"declaration": None, "patient": None}


async def test_screening_batch_of_500(
    client: httpx.AsyncClient, demo: SeedResult, sessions: async_sessionmaker[AsyncSession]
) -> None:
    commune = commune_of(demo, "official.commune")
    rows = [person(commune, testKind="PCR") for _ in range(500)]
    body = await gql(client, BATCH, {"input": rows}, account(demo, "screening.hospital"))
    stored = body["data"]["declareScreeningResults"]
    assert len(stored) == 500
    assert {d["kind"] for d in stored} == {"HOSPITAL_SCREENING"}
    facility = next(a.facility_id for a in demo.accounts if a.username == "screening.hospital")
    async with sessions() as session:
        count = await session.scalar(
            select(func.count())
            .select_from(Declaration)
            .where(
                Declaration.id.in_([int(d["id"]) for d in stored]),
                Declaration.facility_id == facility,
            )
        )
    assert count == 500


async def test_batch_with_three_bad_rows_stores_nothing(
    client: httpx.AsyncClient, demo: SeedResult, sessions: async_sessionmaker[AsyncSession]
) -> None:
    commune = commune_of(demo, "official.commune")
    rows = [person(commune) for _ in range(20)]
    rows[3]["phone"] = "12345"
    rows[11]["communeCode"] = "72"  # a province, not a commune
    rows[17]["testedOn"] = (TODAY + timedelta(days=1)).isoformat()
    async with sessions() as session:
        before = await session.scalar(select(func.count()).select_from(Declaration))
    body = await gql(client, BATCH, {"input": rows}, account(demo, "screening.hospital"))
    assert code_of(body) == "BAD_USER_INPUT"
    invalid = body["errors"][0]["extensions"]["invalid"]
    assert [i["field"] for i in invalid] == [
        "input[3].phone",
        "input[11].communeCode",
        "input[17].testedOn",
    ]
    async with sessions() as session:
        assert await session.scalar(select(func.count()).select_from(Declaration)) == before


async def test_batch_size_is_bounded(client: httpx.AsyncClient, demo: SeedResult) -> None:
    commune = commune_of(demo, "official.commune")
    token = account(demo, "screening.hospital")
    empty = await gql(client, BATCH, {"input": []}, token)
    too_many = await gql(client, BATCH, {"input": [person(commune) for _ in range(501)]}, token)
    assert code_of(empty) == code_of(too_many) == "BAD_USER_INPUT"


async def test_retries_never_duplicate(
    client: httpx.AsyncClient, demo: SeedResult, sessions: async_sessionmaker[AsyncSession]
) -> None:
    commune = commune_of(demo, "official.commune")
    me = citizen()
    payload = person(commune)
    first = await gql(client, DECLARE, {"input": payload}, me)
    again = await gql(client, DECLARE, {"input": payload}, me)
    racing = await asyncio.gather(
        *(
            gql(client, DECLARE, {"input": {**payload, "idempotencyKey": "race-key"}}, me)
            for _ in range(6)
        )
    )
    assert again["data"]["declareSelfTest"]["id"] == first["data"]["declareSelfTest"]["id"]
    assert len({r["data"]["declareSelfTest"]["id"] for r in racing}) == 1
    async with sessions() as session:
        keys = await session.scalar(
            select(func.count())
            .select_from(Declaration)
            .where(
                Declaration.idempotency_key.in_([payload["idempotencyKey"], "race-key"]),
                Declaration.phone == payload["phone"],
            )
        )
    assert keys == 2
    # the same key from another principal is another declaration
    other = await gql(client, DECLARE, {"input": payload}, citizen())
    assert other["data"]["declareSelfTest"]["id"] != first["data"]["declareSelfTest"]["id"]


@pytest.mark.parametrize("same", ["nationalId", "phone+name+birth"])
async def test_duplicate_person_links_to_the_open_case(
    client: httpx.AsyncClient, demo: SeedResult, same: str
) -> None:
    commune = commune_of(demo, "official.commune")
    official = account(demo, "official.commune")
    original = person(commune)
    if same == "nationalId":
        again = person(commune, nationalId=original["nationalId"], fullName="Lê Hồng Nhung")
    else:
        again = person(commune, nationalId=None, phone=original["phone"])
    first = await gql(client, DECLARE, {"input": original}, citizen())
    second = await gql(client, DECLARE, {"input": again}, citizen())
    patient = (await gql(client, VERIFY, {"id": first["data"]["declareSelfTest"]["id"]}, official))[
        "data"
    ]["verifyDeclaration"]
    linked = await gql(client, VERIFY, {"id": second["data"]["declareSelfTest"]["id"]}, official)
    assert linked["data"]["verifyDeclaration"]["id"] == patient["id"]
    status = await gql(
        client,
        "query($id: ID!) { declaration(id: $id) { status patient { id } } }",
        {"id": second["data"]["declareSelfTest"]["id"]},
        official,
    )
    assert status["data"]["declaration"] == {
        "status": "DUPLICATE",
        "patient": {"id": patient["id"]},
    }


async def test_concurrent_verification_has_one_winner(
    client: httpx.AsyncClient, demo: SeedResult, sessions: async_sessionmaker[AsyncSession]
) -> None:
    commune = commune_of(demo, "official.commune")
    payload = person(commune)
    declared = await gql(client, DECLARE, {"input": payload}, citizen())
    declaration_id = declared["data"]["declareSelfTest"]["id"]
    tokens = [account(demo, "official.commune"), account(demo, "health.commune")]
    results = await asyncio.gather(
        *(gql(client, VERIFY, {"id": declaration_id}, t) for t in tokens)
    )
    winners = [r for r in results if "errors" not in r]
    losers = [r for r in results if code_of(r) == "CONFLICT"]
    assert len(winners) == 1
    assert len(losers) == 1
    assert "VERIFIED" in losers[0]["errors"][0]["message"]
    async with sessions() as session:
        patients = await session.scalar(
            select(func.count()).select_from(Patient).where(Patient.phone == payload["phone"])
        )
    assert patients == 1


async def test_reject_then_no_second_review(client: httpx.AsyncClient, demo: SeedResult) -> None:
    commune = commune_of(demo, "official.commune")
    me = citizen()
    declared = await gql(client, DECLARE, {"input": person(commune)}, me)
    declaration_id = declared["data"]["declareSelfTest"]["id"]
    official = account(demo, "official.commune")
    blank = await gql(client, REJECT, {"id": declaration_id, "r": "   "}, official)
    assert code_of(blank) == "BAD_USER_INPUT"
    rejected = await gql(
        client, REJECT, {"id": declaration_id, "r": "Ảnh kết quả test không rõ"}, official
    )
    assert rejected["data"]["rejectDeclaration"]["status"] == "REJECTED"
    seen = await gql(
        client,
        "query($id: ID!) { declaration(id: $id) { rejectionReason } }",
        {"id": declaration_id},
        me,
    )
    assert seen["data"]["declaration"]["rejectionReason"] == "Ảnh kết quả test không rõ"
    again = await gql(client, VERIFY, {"id": declaration_id}, official)
    assert code_of(again) == "CONFLICT"
    assert "REJECTED" in again["errors"][0]["message"]


async def test_unknown_or_foreign_declaration_is_not_found(
    client: httpx.AsyncClient, demo: SeedResult
) -> None:
    declared = await gql(
        client, DECLARE, {"input": person(commune_of(demo, "official.commune"))}, citizen()
    )
    declaration_id = declared["data"]["declareSelfTest"]["id"]
    for target in (declaration_id, "999999999"):
        body = await gql(client, VERIFY, {"id": target}, account(demo, "official.commune2"))
        assert code_of(body) == "NOT_FOUND"


async def test_eligibility_is_flagged_not_refused(
    client: httpx.AsyncClient, demo: SeedResult
) -> None:
    commune = commune_of(demo, "official.commune")
    elder = person(commune, dateOfBirth="1950-01-01", symptoms=["SHORTNESS_OF_BREATH"])
    declared = await gql(client, DECLARE, {"input": elder}, citizen())
    body = await gql(
        client,
        VERIFY,
        {
            "id": declared["data"]["declareSelfTest"]["id"],
            "input": {"comorbidities": ["DIABETES"], "vaccinationDoses": 1},
        },
        account(demo, "health.commune"),
    )
    patient = body["data"]["verifyDeclaration"]
    assert patient["needsFacilityAssessment"] is True
    assert "not fully vaccinated" in patient["assessmentReason"]
    assert "SHORTNESS_OF_BREATH" in patient["assessmentReason"]
    young = await gql(
        client,
        DECLARE,
        {"input": person(commune, dateOfBirth="2000-06-01", symptoms=[])},
        citizen(),
    )
    fit = await gql(
        client,
        VERIFY,
        {"id": young["data"]["declareSelfTest"]["id"]},
        account(demo, "health.commune"),
    )
    assert fit["data"]["verifyDeclaration"]["needsFacilityAssessment"] is False
    assert fit["data"]["verifyDeclaration"]["assessmentReason"] is None


BAD_VALUES: list[tuple[str, Any, str]] = [
    ("phone", "0123", "Vietnamese mobile"),
    ("phone", "+8512345678", "Vietnamese mobile"),
    ("phone", "0212345678", "Vietnamese mobile"),
    ("nationalId", "12345", "12 digits"),
    ("nationalId", "07201234567X", "12 digits"),
    ("dateOfBirth", (TODAY + timedelta(days=1)).isoformat(), "future"),
    ("dateOfBirth", "1890-01-01", "at most 120"),
    ("communeCode", "99999", "existing commune"),
    ("communeCode", "712", "existing commune"),
    ("testedOn", (TODAY + timedelta(days=1)).isoformat(), "future"),
    ("testedOn", (TODAY - timedelta(days=15)).isoformat(), "14 days"),
    ("fullName", "   ", "1 to 100"),
    ("fullName", "A" * 101, "1 to 100"),
    ("address", "", "1 to 300"),
    ("address", "x" * 301, "1 to 300"),
    ("symptoms", ["COUGH", "HICCUPS"], "allowed: FATIGUE, COUGH"),
    ("idempotencyKey", "", "1 to 128"),
]


@pytest.mark.parametrize(("field", "value", "rule"), BAD_VALUES)
async def test_validation_names_field_and_rule(
    client: httpx.AsyncClient, demo: SeedResult, field: str, value: Any, rule: str
) -> None:
    body = await gql(
        client,
        DECLARE,
        {"input": person(commune_of(demo, "official.commune"), **{field: value})},
        citizen(),
        "en",  # the rules' English words (test_error_language.py reads them in Vietnamese)
    )
    assert code_of(body) == "BAD_USER_INPUT"
    message = body["errors"][0]["message"]
    assert f"input.{field}" in message
    assert rule in message
    assert body["data"] is None


async def test_valid_edge_values_are_accepted(client: httpx.AsyncClient, demo: SeedResult) -> None:
    commune = commune_of(demo, "official.commune")
    edges = person(
        commune,
        phone="+84 912 345 678",
        nationalId="123456789",
        testedOn=(TODAY - timedelta(days=14)).isoformat(),
        dateOfBirth=date(TODAY.year - 120, 1, 1).isoformat()
        if (TODAY.month, TODAY.day) >= (1, 1)
        else "1910-01-01",
        fullName="  Trần   Văn  Bình ",
    )
    body = await gql(client, DECLARE, {"input": edges}, citizen())
    declared = body["data"]["declareSelfTest"]
    assert declared["phone"] == "0912345678"
    assert declared["fullName"] == "Trần Văn Bình"


async def test_decomposed_name_is_stored_composed(
    client: httpx.AsyncClient, demo: SeedResult, sessions: async_sessionmaker[AsyncSession]
) -> None:
    composed = "Nguyễn Thị Ánh Tuyết"
    decomposed = unicodedata.normalize("NFD", composed)
    assert decomposed != composed
    body = await gql(
        client,
        DECLARE,
        {"input": person(commune_of(demo, "official.commune"), fullName=decomposed)},
        citizen(),
    )
    declared = body["data"]["declareSelfTest"]
    assert declared["fullName"] == composed
    async with sessions() as session:
        stored = await session.scalar(
            select(Declaration.full_name).where(Declaration.id == int(declared["id"]))
        )
    assert stored == composed


async def test_every_change_is_audited(
    client: httpx.AsyncClient, demo: SeedResult, sessions: async_sessionmaker[AsyncSession]
) -> None:
    declared = await gql(
        client, DECLARE, {"input": person(commune_of(demo, "official.commune"))}, citizen()
    )
    declaration_id = declared["data"]["declareSelfTest"]["id"]
    patient = await gql(client, VERIFY, {"id": declaration_id}, account(demo, "official.commune"))
    patient_id = patient["data"]["verifyDeclaration"]["id"]
    async with sessions() as session:
        rows = (
            await session.execute(
                select(AuditEntry.action, AuditEntry.subject).where(
                    AuditEntry.entity_ids.contains([declaration_id])
                    | AuditEntry.entity_ids.contains([patient_id])
                )
            )
        ).all()
    actions = {action for action, _ in rows}
    assert {"DECLARE_SELF_TEST", "DECLARATION_VERIFIED", "CREATE_PATIENT"} <= actions
    assert ("DECLARATION_VERIFIED", "official.commune") in {(a, s) for a, s in rows}


@pytest.mark.parametrize(
    ("verification", "field"),
    [
        ({"spo2": 2**31 - 1}, "input.spo2"),
        ({"spo2": 12}, "input.spo2"),
        ({"respiratoryRate": 500}, "input.respiratoryRate"),
        ({"comorbidities": ["DIABETES"] * 21}, "input.comorbidities"),
        ({"comorbidities": ["x" * 101]}, "input.comorbidities"),
        ({"note": "x" * 501}, "input.note"),
    ],
)
async def test_verification_values_out_of_range_are_refused_and_nothing_is_created(
    client: httpx.AsyncClient, demo: SeedResult, verification: dict[str, Any], field: str
) -> None:
    commune = commune_of(demo, "official.commune")
    declared = await gql(client, DECLARE, {"input": person(commune)}, citizen())
    declaration = declared["data"]["declareSelfTest"]["id"]
    official = account(demo, "official.commune")
    body = await gql(client, VERIFY, {"id": declaration, "input": verification}, official)
    assert code_of(body) == "BAD_USER_INPUT"
    assert body["errors"][0]["extensions"]["field"] == field
    # the declaration is still pending: it can be verified with sane values
    again = await gql(client, VERIFY, {"id": declaration, "input": {"spo2": 97}}, official)
    assert again["data"]["verifyDeclaration"]["status"] == "HOME_TREATMENT"
