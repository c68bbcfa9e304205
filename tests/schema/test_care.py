"""Home treatment through the API: reports and alerts, notes, updates, filters, discharge."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from db.demo import SeedResult
from db.models import Alert, AlertEvent, HealthReport, Patient
from domain.enums import Role
from tests.conftest import gql
from tests.factories import local_noon, make_patient
from tests.schema.test_intake import account, code_of, commune_of
from tests.tokens import token_of

REPORT = """mutation($input: HealthReportInput!) {
  submitHealthReport(input: $input) {
    id severity warningSigns recommendedTier ruleSet spo2 temperature symptoms
  }
}"""
PATIENT = """query($id: ID!) { patient(id: $id) {
  severity lastReportAt status
  latestReport { id spo2 }
  openAlerts { kind status severity message escalationLevel patient { id } }
} }"""


async def new_patient(
    sessions: async_sessionmaker[AsyncSession], commune: str, **fields: Any
) -> tuple[int, str]:
    """A fresh patient owned by a fresh citizen; returns (id, citizen token)."""
    subject = f"citizen-{secrets.token_hex(4)}"
    async with sessions.begin() as session:
        patient = await make_patient(session, commune, citizen_subject=subject, **fields)
    return patient.id, token_of(subject, Role.CITIZEN)


RECORD_TEST = "mutation($i: TestResultInput!) { recordTestResult(input: $i) { id result } }"


def report(**values: Any) -> dict[str, Any]:
    return {"input": {"idempotencyKey": secrets.token_hex(8), **values}}


async def test_warning_signs_raise_a_vital_signs_alert(
    client: httpx.AsyncClient, demo: SeedResult, sessions: async_sessionmaker[AsyncSession]
) -> None:
    pid, citizen = await new_patient(sessions, commune_of(demo, "health.commune"))
    body = await gql(
        client,
        REPORT,
        report(spo2=93, respiratoryRate=27, temperature=38.24, symptoms=["COUGH"]),
        citizen,
    )
    submitted = body["data"]["submitHealthReport"]
    assert submitted["severity"] == "SEVERE"
    assert set(submitted["warningSigns"]) == {"SPO2_LOW", "RESPIRATORY_RATE_HIGH"}
    assert submitted["recommendedTier"] == 3
    assert submitted["ruleSet"] == "vn-moh-2022"
    assert submitted["temperature"] == 38.2
    seen = await gql(client, PATIENT, {"id": str(pid)}, account(demo, "health.commune"))
    patient = seen["data"]["patient"]
    assert patient["severity"] == "SEVERE"
    assert patient["lastReportAt"] is not None
    assert patient["latestReport"]["id"] == submitted["id"]
    [alert] = patient["openAlerts"]
    assert alert["kind"] == "VITAL_SIGNS"
    assert alert["status"] == "OPEN"
    assert alert["escalationLevel"] == "COMMUNE"
    assert alert["message"] == (
        "SpO2 93 % dưới 96 %; nhịp thở 27 lần/phút, từ 20 trở lên — đề nghị chuyển tầng 3"
    )
    assert alert["patient"]["id"] == str(pid)
    async with sessions() as session:
        stored = await session.scalar(select(Alert).where(Alert.patient_id == pid))
        assert stored is not None
        assert stored.rule_set == "vn-moh-2022"
        events = await session.scalar(
            select(func.count()).select_from(AlertEvent).where(AlertEvent.alert_id == stored.id)
        )
    assert events == 1
    # a second warning report updates the open alert instead of adding one
    await gql(client, REPORT, report(spo2=88), citizen)
    async with sessions() as session:
        alerts = list(await session.scalars(select(Alert).where(Alert.patient_id == pid)))
    assert len(alerts) == 1
    assert alerts[0].severity.value == "CRITICAL"


async def test_mild_report_raises_nothing(
    client: httpx.AsyncClient, demo: SeedResult, sessions: async_sessionmaker[AsyncSession]
) -> None:
    pid, citizen = await new_patient(sessions, commune_of(demo, "health.commune"))
    body = await gql(client, REPORT, report(spo2=98, respiratoryRate=16, pulse=80), citizen)
    assert body["data"]["submitHealthReport"]["severity"] == "MILD"
    async with sessions() as session:
        assert (
            await session.scalar(
                select(func.count()).select_from(Alert).where(Alert.patient_id == pid)
            )
            == 0
        )


async def test_report_retries_never_duplicate(
    client: httpx.AsyncClient, demo: SeedResult, sessions: async_sessionmaker[AsyncSession]
) -> None:
    pid, citizen = await new_patient(sessions, commune_of(demo, "health.commune"))
    payload = report(spo2=97)
    first = await gql(client, REPORT, payload, citizen)
    again = await gql(client, REPORT, payload, citizen)
    assert first["data"]["submitHealthReport"]["id"] == again["data"]["submitHealthReport"]["id"]
    async with sessions() as session:
        assert (
            await session.scalar(
                select(func.count()).select_from(HealthReport).where(HealthReport.patient_id == pid)
            )
            == 1
        )


@pytest.mark.parametrize(
    ("values", "field", "rule"),
    [
        ({"spo2": 101}, "input.spo2", "between 50 and 100"),
        ({"temperature": 45.0}, "input.temperature", "between 34 and 43"),
        ({"pulse": 10}, "input.pulse", "between 30 and 220"),
        ({"respiratoryRate": 90}, "input.respiratoryRate", "between 5 and 80"),
        ({"systolic": 80, "diastolic": 90}, "input.systolic", "greater than diastolic"),
        ({"symptoms": ["HICCUPS"]}, "input.symptoms", "allowed"),
    ],
)
async def test_implausible_report_is_refused_and_not_stored(
    client: httpx.AsyncClient,
    demo: SeedResult,
    sessions: async_sessionmaker[AsyncSession],
    values: dict[str, Any],
    field: str,
    rule: str,
) -> None:
    pid, citizen = await new_patient(sessions, commune_of(demo, "health.commune"))
    body = await gql(client, REPORT, report(**values), citizen, language="en")
    assert code_of(body) == "BAD_USER_INPUT"
    assert field in body["errors"][0]["message"]
    assert rule in body["errors"][0]["message"]
    async with sessions() as session:
        assert (
            await session.scalar(
                select(func.count()).select_from(HealthReport).where(HealthReport.patient_id == pid)
            )
            == 0
        )


async def test_staff_report_for_patient_in_scope_only(
    client: httpx.AsyncClient, demo: SeedResult, sessions: async_sessionmaker[AsyncSession]
) -> None:
    pid, _ = await new_patient(sessions, commune_of(demo, "health.commune"))
    own = await gql(
        client, REPORT, report(patientId=str(pid), spo2=97), account(demo, "health.commune")
    )
    assert own["data"]["submitHealthReport"]["severity"] == "MILD"
    foreign = await gql(
        client, REPORT, report(patientId=str(pid), spo2=97), account(demo, "health.commune2")
    )
    assert code_of(foreign) == "NOT_FOUND"
    missing = await gql(client, REPORT, report(spo2=97), account(demo, "health.commune"))
    assert code_of(missing) == "BAD_USER_INPUT"


async def test_reports_are_paged_newest_first(
    client: httpx.AsyncClient, demo: SeedResult, sessions: async_sessionmaker[AsyncSession]
) -> None:
    pid, citizen = await new_patient(sessions, commune_of(demo, "health.commune"))
    ids = [
        (await gql(client, REPORT, report(spo2=97 - i % 2), citizen))["data"]["submitHealthReport"][
            "id"
        ]
        for i in range(5)
    ]
    query = """query($id: ID!, $after: String) { patient(id: $id) {
      healthReports(first: 2, after: $after) { totalCount edges { node { id } } pageInfo { hasNextPage endCursor } }
    } }"""
    seen: list[str] = []
    after = None
    while True:
        page = (await gql(client, query, {"id": str(pid), "after": after}, citizen))["data"][
            "patient"
        ]["healthReports"]
        assert page["totalCount"] == 5
        seen += [e["node"]["id"] for e in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert seen == list(reversed(ids))


async def test_clinical_detail_is_for_clinical_roles(
    client: httpx.AsyncClient, demo: SeedResult, sessions: async_sessionmaker[AsyncSession]
) -> None:
    pid, citizen = await new_patient(sessions, commune_of(demo, "health.commune"))
    await gql(client, REPORT, report(spo2=97), citizen)
    note = await gql(
        client,
        "mutation($p: ID!) { addClinicalNote(patientId: $p, text: '  Theo dõi SpO2 hai lần mỗi ngày  ') { text author } }".replace(
            "'", '"'
        ),
        {"p": str(pid)},
        account(demo, "health.commune"),
    )
    assert note["data"]["addClinicalNote"] == {
        "text": "Theo dõi SpO2 hai lần mỗi ngày",
        "author": "health.commune",
    }
    query = "query($id: ID!) { patient(id: $id) { caseCode latestReport { spo2 } clinicalNotes { text } } }"
    staff = await gql(client, query, {"id": str(pid)}, account(demo, "health.commune"))
    assert staff["data"]["patient"]["clinicalNotes"] == [{"text": "Theo dõi SpO2 hai lần mỗi ngày"}]
    assert staff["data"]["patient"]["latestReport"] == {"spo2": 97}
    own = await gql(client, query, {"id": str(pid)}, citizen)
    assert own["data"]["patient"]["latestReport"] == {"spo2": 97}
    assert own["data"]["patient"]["clinicalNotes"] is None
    assert [e["path"] for e in own["errors"]] == [["patient", "clinicalNotes"]]
    for name in ("manager.commune", "official.commune"):
        other = await gql(client, query, {"id": str(pid)}, account(demo, name))
        assert other["data"]["patient"]["caseCode"]
        assert {tuple(e["path"]) for e in other["errors"]} == {
            ("patient", "latestReport"),
            ("patient", "clinicalNotes"),
        }
        assert {e["extensions"]["code"] for e in other["errors"]} == {"FORBIDDEN"}


async def test_update_contact_and_assignment(
    client: httpx.AsyncClient, demo: SeedResult, sessions: async_sessionmaker[AsyncSession]
) -> None:
    pid, _ = await new_patient(sessions, commune_of(demo, "official.commune"))
    mutation = "mutation($id: ID!, $i: PatientUpdateInput!) { updatePatient(id: $id, input: $i) { phone address } }"
    official = account(demo, "official.commune")
    changed = await gql(
        client,
        mutation,
        {"id": str(pid), "i": {"phone": "+84 987 654 321", "address": " Tổ 3, Ấp Chánh "}},
        official,
    )
    assert changed["data"]["updatePatient"] == {"phone": "0987654321", "address": "Tổ 3, Ấp Chánh"}
    bad = await gql(client, mutation, {"id": str(pid), "i": {"phone": "12"}}, official)
    assert code_of(bad) == "BAD_USER_INPUT"
    assert "input.phone" in bad["errors"][0]["message"]
    async with sessions() as session:
        from db.models import User

        users = {u.username: u.id for u in await session.scalars(select(User))}
    same_area = await gql(
        client,
        mutation,
        {"id": str(pid), "i": {"assignedStaffId": str(users["health.district"])}},
        official,
    )
    assert "errors" not in same_area
    elsewhere = await gql(
        client,
        mutation,
        {"id": str(pid), "i": {"assignedStaffId": str(users["health.commune2"])}},
        official,
    )
    assert code_of(elsewhere) == "BAD_USER_INPUT"
    assert "input.assignedStaffId" in elsewhere["errors"][0]["message"]


async def test_patient_filters(
    client: httpx.AsyncClient, demo: SeedResult, sessions: async_sessionmaker[AsyncSession]
) -> None:
    commune = commune_of(demo, "health.commune")
    late, _ = await new_patient(
        sessions,
        commune,
        full_name="Đặng Thị Quá Hạn",
        last_report_at=datetime.now(UTC) - timedelta(hours=30),
    )
    fresh, _ = await new_patient(
        sessions,
        commune,
        full_name="Đặng Văn Đúng Hẹn",
        last_report_at=datetime.now(UTC) - timedelta(hours=2),
    )
    token = account(demo, "health.commune")
    query = (
        "query($f: PatientFilter) { patients(filter: $f, first: 100) { edges { node { id } } } }"
    )

    async def ids(f: dict[str, Any], as_token: str = token) -> set[int]:
        body = await gql(client, query, {"f": f}, as_token)
        assert "errors" not in body, body
        return {int(e["node"]["id"]) for e in body["data"]["patients"]["edges"]}

    overdue = await ids({"reportOverdue": True})
    assert late in overdue
    assert fresh not in overdue
    assert fresh in await ids({"reportOverdue": False})
    assert await ids({"search": "Đặng Thị Quá"}) == {late}
    assert fresh in await ids({"search": "đặng văn"})
    assert late not in await ids({"tier": 2})
    assert late not in await ids({"severity": ["SEVERE"]})
    denied = await gql(client, query, {"f": {"search": "Đặng"}}, account(demo, "manager.commune"))
    assert code_of(denied) == "FORBIDDEN"


async def test_discharge_rules(
    client: httpx.AsyncClient, demo: SeedResult, sessions: async_sessionmaker[AsyncSession]
) -> None:
    commune = commune_of(demo, "health.commune")
    token = account(demo, "health.commune")
    mutation = "mutation($id: ID!, $i: DischargeInput!) { dischargePatient(id: $id, input: $i) { status openAlerts { id } } }"
    recent, citizen = await new_patient(sessions, commune)
    await gql(client, REPORT, report(spo2=92), citizen)  # opens an alert
    early = await gql(client, mutation, {"id": str(recent), "i": {"outcome": "RECOVERED"}}, token)
    assert code_of(early) == "CONFLICT"
    assert "vn-moh-2022-release" in early["errors"][0]["message"]
    assert "today is day 1" in early["errors"][0]["message"]
    explained = await gql(
        client,
        mutation,
        {
            "id": str(recent),
            "i": {"outcome": "RECOVERED", "override": {"reason": "Test nhanh âm tính 2 lần"}},
        },
        token,
    )
    assert explained["data"]["dischargePatient"] == {"status": "RECOVERED", "openAlerts": []}
    async with sessions() as session:
        statuses = set(
            await session.scalars(select(Alert.status).where(Alert.patient_id == recent))
        )
    assert {s.value for s in statuses} == {"RESOLVED"}
    refused = await gql(client, REPORT, report(spo2=97), citizen)
    assert code_of(refused) == "CONFLICT"
    again = await gql(client, mutation, {"id": str(recent), "i": {"outcome": "DECEASED"}}, token)
    assert code_of(again) == "CONFLICT"
    week, _ = await new_patient(sessions, commune, confirmed_at=local_noon(8))
    negative = {
        "idempotencyKey": secrets.token_hex(8),
        "patientId": str(week),
        "kind": "RAPID_ANTIGEN",
        "result": "NEGATIVE",
        "takenAt": datetime.now(UTC).isoformat(),
    }
    recorded = await gql(client, RECORD_TEST, {"i": negative}, token)
    assert "errors" not in recorded, recorded
    done = await gql(client, mutation, {"id": str(week), "i": {"outcome": "RECOVERED"}}, token)
    assert done["data"]["dischargePatient"]["status"] == "RECOVERED"
    async with sessions() as session:
        stored = await session.get(Patient, week)
        assert stored is not None
        assert stored.discharged_at is not None
