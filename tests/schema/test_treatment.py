"""The treatment record through the API: the first positive test, follow-up tests and
their confirmation, the release rule on the record and in the work list, the clinical
profile, and discharge refused until release is due."""

from __future__ import annotations

import json
import secrets
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from db.demo import SeedResult
from db.models import AuditEntry, Patient
from tests.conftest import gql
from tests.factories import local_noon, local_today, make_declaration
from tests.schema.test_care import RECORD_TEST, new_patient
from tests.schema.test_intake import account, code_of, commune_of

RECORD = """id isolation { dayNumber startedOn earliestReleaseOn releaseDue requiredTest ruleSet }
  testResults { kind result supervision recordedBy confirmedBy facility { name } }
  comorbidities { name } vaccinations { vaccine doseNumber givenOn } pregnant breastfeeding
  dischargeOverrideReason"""
PATIENT = f"query($id: ID!) {{ patient(id: $id) {{ {RECORD} }} }}"
CONFIRM = "mutation($id: ID!) { confirmTestResult(id: $id) { id confirmedBy } }"
PROFILE = f"mutation($id: ID!, $i: ClinicalProfileInput!) {{ updateClinicalProfile(patientId: $id, input: $i) {{ {RECORD} }} }}"
DUE = "query($f: PatientFilter) { patients(first: 100, filter: $f) { edges { node { id } } } }"


def taken(patient: int | None, result: str, taken: datetime, **more: Any) -> dict[str, Any]:
    given = {
        "idempotencyKey": secrets.token_hex(8),
        "kind": "RAPID_ANTIGEN",
        "result": result,
        "takenAt": taken.isoformat(),
        **more,
    }
    if patient is not None:
        given["patientId"] = str(patient)
    return {"i": given}


async def _record(client: httpx.AsyncClient, token: str, patient: int) -> dict[str, Any]:
    body = await gql(client, PATIENT, {"id": str(patient)}, token)
    assert "errors" not in body, body
    record: dict[str, Any] = body["data"]["patient"]
    return record


async def _due(client: httpx.AsyncClient, token: str) -> set[str]:
    body = await gql(client, DUE, {"f": {"releaseDue": True}}, token)
    return {e["node"]["id"] for e in body["data"]["patients"]["edges"]}


async def test_verification_opens_the_record_with_the_positive_test(
    client: httpx.AsyncClient, demo: SeedResult, sessions: async_sessionmaker[AsyncSession]
) -> None:
    commune = commune_of(demo, "official.commune")
    tested = local_today() - timedelta(days=2)
    async with sessions.begin() as session:
        declared = await make_declaration(session, commune, tested_on=tested)
    verify = "mutation($id: ID!, $i: VerifyDeclarationInput) { verifyDeclaration(id: $id, input: $i) { id } }"
    given = {"comorbidities": ["Tăng huyết áp", "Đái tháo đường"], "vaccinationDoses": 2}
    body = await gql(
        client, verify, {"id": str(declared.id), "i": given}, account(demo, "official.commune")
    )
    patient = int(body["data"]["verifyDeclaration"]["id"])
    record = await _record(client, account(demo, "health.commune"), patient)
    [opening] = record["testResults"]
    confirmed_by = opening.pop("confirmedBy")
    assert opening == {
        "kind": "RAPID_ANTIGEN",
        "result": "POSITIVE",
        "supervision": "SELF",
        "recordedBy": "test",
        "facility": None,
    }
    assert confirmed_by  # the verifying official confirmed the home test
    assert record["comorbidities"] == [{"name": "Tăng huyết áp"}, {"name": "Đái tháo đường"}]
    isolation = record["isolation"]
    assert isolation["startedOn"] == tested.isoformat()
    assert isolation["dayNumber"] == 3
    assert isolation["earliestReleaseOn"] == (tested + timedelta(days=6)).isoformat()
    assert isolation["releaseDue"] is False
    assert isolation["requiredTest"] == "RAPID_ANTIGEN"
    assert isolation["ruleSet"] == "vn-moh-2022-release"


async def test_a_self_test_counts_only_once_staff_confirm_it(
    client: httpx.AsyncClient, demo: SeedResult, sessions: async_sessionmaker[AsyncSession]
) -> None:
    commune = commune_of(demo, "health.commune")
    staff = account(demo, "health.commune")
    eight_days = local_noon(7)
    patient, citizen = await new_patient(sessions, commune, confirmed_at=eight_days)
    now = datetime.now(UTC)
    # a citizen's own negative test on day 8: recorded, not yet counted
    own = taken(None, "NEGATIVE", now)
    first = await gql(client, RECORD_TEST, own, citizen)
    assert "errors" not in first, first
    again = await gql(client, RECORD_TEST, own, citizen)  # a retry: the same result
    assert again["data"]["recordTestResult"]["id"] == first["data"]["recordTestResult"]["id"]
    record = await _record(client, staff, patient)
    assert [t["supervision"] for t in record["testResults"]] == ["SELF"]
    assert record["isolation"]["releaseDue"] is False
    assert str(patient) not in await _due(client, staff)
    # confirmed by staff (e.g. after a video call): release is due, the work list shows it
    test_id = first["data"]["recordTestResult"]["id"]
    confirmed = await gql(client, CONFIRM, {"id": test_id}, staff)
    assert confirmed["data"]["confirmTestResult"]["confirmedBy"]
    record = await _record(client, staff, patient)
    assert record["isolation"]["releaseDue"] is True
    assert record["isolation"]["requiredTest"] is None
    assert str(patient) in await _due(client, staff)
    # a citizen may not confirm, nor say a test was supervised; a staff test needs no confirming
    assert code_of(await gql(client, CONFIRM, {"id": test_id}, citizen)) == "FORBIDDEN"
    supervised = taken(None, "NEGATIVE", now, supervision="STAFF")
    refused = await gql(client, RECORD_TEST, supervised, citizen)
    assert code_of(refused) == "BAD_USER_INPUT"
    assert "input.supervision" in str(refused["errors"])
    staff_test = await gql(client, RECORD_TEST, taken(patient, "NEGATIVE", now), staff)
    again = await gql(client, CONFIRM, {"id": staff_test["data"]["recordTestResult"]["id"]}, staff)
    assert code_of(again) == "CONFLICT"


async def test_a_positive_test_on_day_7_moves_release_to_day_10_or_14(
    client: httpx.AsyncClient, demo: SeedResult, sessions: async_sessionmaker[AsyncSession]
) -> None:
    commune = commune_of(demo, "health.commune")
    staff = account(demo, "health.commune")
    day_8 = local_noon(7)
    patient, _ = await new_patient(sessions, commune, confirmed_at=day_8, vaccination_doses=0)
    positive = await gql(client, RECORD_TEST, taken(patient, "POSITIVE", datetime.now(UTC)), staff)
    assert "errors" not in positive, positive
    started = date.fromisoformat((await _record(client, staff, patient))["isolation"]["startedOn"])
    record = await _record(client, staff, patient)
    assert record["isolation"]["earliestReleaseOn"] == (started + timedelta(days=13)).isoformat()
    assert record["isolation"]["releaseDue"] is False
    # fully vaccinated after all (a correction): day 10
    doses = [
        {"vaccine": "AstraZeneca", "doseNumber": 1, "givenOn": "2021-08-02"},
        {"vaccine": "Vero Cell", "doseNumber": 2, "givenOn": "2021-09-15"},
    ]
    body = await gql(
        client,
        PROFILE,
        {"id": str(patient), "i": {"vaccinations": doses, "pregnant": False}},
        staff,
    )
    assert "errors" not in body, body
    corrected = body["data"]["updateClinicalProfile"]
    assert corrected["vaccinations"] == doses
    assert corrected["isolation"]["earliestReleaseOn"] == (started + timedelta(days=9)).isoformat()


async def test_profile_and_test_input_errors_name_the_field(
    client: httpx.AsyncClient, demo: SeedResult, sessions: async_sessionmaker[AsyncSession]
) -> None:
    commune = commune_of(demo, "health.commune")
    staff = account(demo, "health.commune")
    patient, _ = await new_patient(sessions, commune)
    doses = [{"vaccine": "", "doseNumber": 11}, {"vaccine": "Pfizer", "doseNumber": 11}]
    body = await gql(client, PROFILE, {"id": str(patient), "i": {"vaccinations": doses}}, staff)
    assert code_of(body) == "BAD_USER_INPUT"
    text = str(body["errors"])
    for field in (
        "input.vaccinations[0].vaccine",
        "input.vaccinations[1].doseNumber",
        "input.vaccinations",
    ):
        assert field in text
    future = taken(patient, "NEGATIVE", datetime.now(UTC) + timedelta(hours=1), ctValue=20.0)
    body = await gql(client, RECORD_TEST, future, staff)
    assert code_of(body) == "BAD_USER_INPUT"
    assert "input.takenAt" in str(body["errors"])
    assert "input.ctValue" in str(body["errors"])  # a rapid test has no Ct value
    # roles and scope: an official may not record tests; a patient elsewhere is not found
    official = await gql(
        client,
        RECORD_TEST,
        taken(patient, "NEGATIVE", datetime.now(UTC)),
        account(demo, "official.commune"),
    )
    assert code_of(official) == "FORBIDDEN"
    elsewhere, _ = await new_patient(sessions, "00001")
    unseen = await gql(client, RECORD_TEST, taken(elsewhere, "NEGATIVE", datetime.now(UTC)), staff)
    assert code_of(unseen) == "NOT_FOUND"
    officials = await gql(
        client,
        PROFILE,
        {"id": str(patient), "i": {"pregnant": True}},
        account(demo, "official.commune"),
    )
    assert code_of(officials) == "FORBIDDEN"


async def test_identity_is_corrected_with_a_reason_and_the_old_values_kept(
    client: httpx.AsyncClient, demo: SeedResult, sessions: async_sessionmaker[AsyncSession]
) -> None:
    commune = commune_of(demo, "official.commune")
    official = account(demo, "official.commune")
    patient, _ = await new_patient(sessions, commune)
    async with sessions() as session:
        before = await session.get(Patient, patient)
        assert before is not None
    update = "mutation($id: ID!, $i: PatientUpdateInput!) { updatePatient(id: $id, input: $i) { fullName dateOfBirth sex nationalId } }"
    corrected = {
        "fullName": "  Nguyễn Thị   Ánh Tuyết ",
        "dateOfBirth": "1990-03-04",
        "nationalId": "072190001234",
    }
    unexplained = await gql(client, update, {"id": str(patient), "i": corrected}, official)
    assert code_of(unexplained) == "BAD_USER_INPUT"
    assert "input.reason" in str(unexplained["errors"])
    wrong = {"nationalId": "12345", "dateOfBirth": "2999-01-01", "reason": "sai"}
    body = await gql(client, update, {"id": str(patient), "i": wrong}, official)
    assert {"input.nationalId", "input.dateOfBirth"} <= {
        p["field"] for p in body["errors"][0]["extensions"]["invalid"]
    }
    reason = "Sai họ tên trên tờ khai, đối chiếu CCCD"
    body = await gql(
        client, update, {"id": str(patient), "i": {**corrected, "reason": reason}}, official
    )
    assert body["data"]["updatePatient"] == {
        "fullName": "Nguyễn Thị Ánh Tuyết",
        "dateOfBirth": "1990-03-04",
        "sex": before.sex.value,
        "nationalId": "072190001234",
    }
    async with sessions() as session:
        entry = await session.scalar(
            select(AuditEntry)
            .where(
                AuditEntry.action == "CORRECT_IDENTITY",
                AuditEntry.entity_ids.contains([str(patient)]),
            )
            .order_by(AuditEntry.id.desc())
        )
    assert entry is not None
    assert entry.fields == ["dateOfBirth", "fullName", "nationalId"]
    kept = json.loads(entry.detail or "{}")
    assert kept["reason"] == reason
    assert kept["previous"]["fullName"] == before.full_name
    assert kept["previous"]["dateOfBirth"] == before.date_of_birth.isoformat()


CERTIFICATE = """certificate { number verificationCode periodFrom periodTo issuedAt
  issuedBy { name area { code name } } }"""
VERIFY = "query($n: String!, $c: String!) { verifyCertificate(number: $n, code: $c) { valid issuedAt periodFrom periodTo issuedBy holderInitials holderBirthYear } }"


async def released(
    client: httpx.AsyncClient, sessions: async_sessionmaker[AsyncSession], commune: str, staff: str
) -> tuple[int, str]:
    """A patient at home on day 8 with a negative staff test today, discharged RECOVERED."""
    day_8 = local_noon(7)
    patient, citizen = await new_patient(
        sessions,
        commune,
        confirmed_at=day_8,
        full_name="Đặng Trí Tùng",
        date_of_birth=date(1976, 4, 25),
    )
    tested = await gql(client, RECORD_TEST, taken(patient, "NEGATIVE", datetime.now(UTC)), staff)
    assert "errors" not in tested, tested
    discharge = (
        "mutation($id: ID!) { dischargePatient(id: $id, input: {outcome: RECOVERED}) { status } }"
    )
    body = await gql(client, discharge, {"id": str(patient)}, staff)
    assert body["data"]["dischargePatient"]["status"] == "RECOVERED", body
    return patient, citizen


async def test_a_recovered_discharge_at_home_issues_a_verifiable_certificate(
    client: httpx.AsyncClient, demo: SeedResult, sessions: async_sessionmaker[AsyncSession]
) -> None:
    commune = commune_of(demo, "health.commune")
    staff = account(demo, "health.commune")
    patient, citizen = await released(client, sessions, commune, staff)
    query = f"query($id: ID!) {{ patient(id: $id) {{ caseCode {CERTIFICATE} }} }}"
    body = await gql(client, query, {"id": str(patient)}, citizen)  # the data subject
    record = body["data"]["patient"]
    issued = record["certificate"]
    assert issued["number"] == f"GXN-{record['caseCode']}"
    assert issued["issuedBy"]["area"]["code"] == commune
    assert issued["issuedBy"]["name"] == f"Trạm Y tế {issued['issuedBy']['area']['name']}"
    assert issued["periodTo"] == local_today().isoformat()
    # anyone can verify it, learning only what matches an ID card
    number, code = issued["number"], issued["verificationCode"]
    check = (await gql(client, VERIFY, {"n": number, "c": code.lower()}))["data"][
        "verifyCertificate"
    ]
    assert check == {
        "valid": True,
        "issuedAt": issued["issuedAt"],
        "periodFrom": issued["periodFrom"],
        "periodTo": issued["periodTo"],
        "issuedBy": issued["issuedBy"]["name"],
        "holderInitials": "Đ.T.T.",
        "holderBirthYear": 1976,
    }
    # the page prints it
    page = await client.get(f"/certificates/{number}", params={"code": code})
    assert page.status_code == 200
    assert "Đ.T.T. (1976)" in page.text
    assert "<svg" in page.text
    assert (
        await client.get(f"/certificates/{number}", params={"code": "WRONG"})
    ).status_code == 404
    # an unknown number looks like a wrong code; officials see the certificate, managers not
    unknown = await gql(client, VERIFY, {"n": "GXN-72-1999-000001", "c": code})
    assert unknown["data"]["verifyCertificate"] == {"valid": False, **dict.fromkeys(
        ["issuedAt", "periodFrom", "periodTo", "issuedBy", "holderInitials", "holderBirthYear"]
    )}  # fmt: skip
    seen = await gql(client, query, {"id": str(patient)}, account(demo, "official.commune"))
    assert seen["data"]["patient"]["certificate"]["number"] == number
    hidden = await gql(client, query, {"id": str(patient)}, account(demo, "manager.commune"))
    assert hidden["data"]["patient"]["certificate"] is None
    assert code_of(hidden) == "FORBIDDEN"


async def test_wrong_codes_are_rate_limited_per_number(
    client: httpx.AsyncClient, demo: SeedResult, sessions: async_sessionmaker[AsyncSession]
) -> None:
    staff = account(demo, "health.commune")
    patient, citizen = await released(client, sessions, commune_of(demo, "health.commune"), staff)
    body = await gql(
        client,
        f"query($id: ID!) {{ patient(id: $id) {{ {CERTIFICATE} }} }}",
        {"id": str(patient)},
        citizen,
    )
    number = body["data"]["patient"]["certificate"]["number"]
    code = body["data"]["patient"]["certificate"]["verificationCode"]
    for _ in range(5):
        wrong = await gql(client, VERIFY, {"n": number, "c": "AAAAAAAA"})
        assert wrong["data"]["verifyCertificate"]["valid"] is False
    refused = await gql(client, VERIFY, {"n": number, "c": code})  # even the right code, now
    assert code_of(refused) == "RATE_LIMITED"
    assert (await client.get(f"/certificates/{number}", params={"code": code})).status_code == 429


async def test_no_certificate_without_release_or_away_from_home(
    client: httpx.AsyncClient, demo: SeedResult, sessions: async_sessionmaker[AsyncSession]
) -> None:
    staff = account(demo, "health.commune")
    patient, citizen = await new_patient(sessions, commune_of(demo, "health.commune"))
    died = "mutation($id: ID!) { dischargePatient(id: $id, input: {outcome: DECEASED}) { status } }"
    assert (await gql(client, died, {"id": str(patient)}, staff))["data"]["dischargePatient"]
    body = await gql(
        client,
        f"query($id: ID!) {{ patient(id: $id) {{ {CERTIFICATE} }} }}",
        {"id": str(patient)},
        staff,
    )
    assert body["data"]["patient"]["certificate"] is None
