"""Medication through the API: orders and their rules, a patient's own package B (which
alerts the commune), stopping, adverse events and the follow-up reminder."""

from __future__ import annotations

import secrets
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from db.demo import SeedResult
from db.models import Alert
from domain.enums import AlertKind
from tests.conftest import gql
from tests.factories import local_noon, local_today
from tests.schema.test_care import new_patient
from tests.schema.test_intake import account, code_of, commune_of

PRESCRIBE = """mutation($i: MedicationInput!) { prescribeMedication(input: $i) {
  id drug { code name strength form } package dose frequency days startOn endOn prescribedBy
  selfStarted consentRecordedAt status stopReason adverseEvents { description occurredOn } } }"""
MEDICATIONS = """query($id: ID!) { patient(id: $id) { adverseEventFollowUp
  medications { id drug { name } status stopReason selfStarted adverseEvents { description } } } }"""


def order(patient: int | None, drug: str = "MOLNUPIRAVIR-400", **more: Any) -> dict[str, Any]:
    given: dict[str, Any] = {
        "idempotencyKey": secrets.token_hex(8),
        "drugCode": drug,
        "dose": "800 mg",
        "frequency": "2 lần/ngày",
        "days": 5,
        "startOn": local_today().isoformat(),
        "package": "C",
        "consentRecorded": True,
        **more,
    }
    if patient is not None:
        given["patientId"] = str(patient)
    return {"i": given}


def fields(body: dict[str, Any]) -> set[str]:
    return {p["field"] for e in body["errors"] for p in e["extensions"].get("invalid", [])}


async def test_molnupiravir_is_ordered_within_its_rules(
    client: httpx.AsyncClient, demo: SeedResult, sessions: async_sessionmaker[AsyncSession]
) -> None:
    commune, staff = commune_of(demo, "health.commune"), account(demo, "health.commune")
    day_5, _ = await new_patient(sessions, commune, confirmed_at=local_noon(4))
    given = order(day_5)
    body = await gql(client, PRESCRIBE, given, staff)
    assert "errors" not in body, body
    placed = body["data"]["prescribeMedication"]
    assert placed["drug"] == {
        "code": "MOLNUPIRAVIR-400",
        "name": "Molnupiravir",
        "strength": "400 mg",
        "form": "viên",
    }
    assert placed["status"] == "ACTIVE"
    assert placed["selfStarted"] is False
    assert placed["consentRecordedAt"]
    start = date.fromisoformat(placed["startOn"])
    assert placed["endOn"] == (start + timedelta(days=4)).isoformat()
    again = await gql(client, PRESCRIBE, given, staff)  # a retry: the same order
    assert again["data"]["prescribeMedication"]["id"] == placed["id"]
    record = (await gql(client, MEDICATIONS, {"id": str(day_5)}, staff))["data"]["patient"]
    assert [m["id"] for m in record["medications"]] == [placed["id"]]
    assert record["adverseEventFollowUp"] is True
    # the rules, each named
    day_6, _ = await new_patient(sessions, commune, confirmed_at=local_noon(5))
    assert fields(await gql(client, PRESCRIBE, order(day_6), staff)) == {"input.startOn"}
    born = local_today().replace(year=local_today().year - 17)
    minor, _ = await new_patient(sessions, commune, date_of_birth=born)
    assert fields(await gql(client, PRESCRIBE, order(minor), staff)) == {"input.patientId"}
    unsigned = order(day_5, consentRecorded=False, days=6)
    assert fields(await gql(client, PRESCRIBE, unsigned, staff)) == {
        "input.consentRecorded",
        "input.days",
    }
    unknown = order(day_5, drug="ASPIRIN")
    assert fields(await gql(client, PRESCRIBE, unknown, staff)) == {"input.drugCode"}
    official = await gql(client, PRESCRIBE, order(day_5), account(demo, "official.commune"))
    assert code_of(official) == "FORBIDDEN"


async def test_own_package_b_alerts_the_commune_and_orders_can_be_stopped(
    client: httpx.AsyncClient, demo: SeedResult, sessions: async_sessionmaker[AsyncSession]
) -> None:
    commune, staff = commune_of(demo, "health.commune"), account(demo, "health.commune")
    patient, citizen = await new_patient(sessions, commune)
    steroid = order(
        None, "DEXAMETHASONE-0.5", package="B", days=3, dose="6 mg", consentRecorded=False
    )
    body = await gql(client, PRESCRIBE, steroid, citizen)
    assert "errors" not in body, body
    own = body["data"]["prescribeMedication"]
    assert own["selfStarted"] is True
    assert own["prescribedBy"] is None
    async with sessions() as session:
        raised = (await session.scalars(select(Alert).where(Alert.patient_id == patient))).all()
    assert [(a.kind, a.message.startswith("Người bệnh tự dùng gói thuốc B")) for a in raised] == [
        (AlertKind.VITAL_SIGNS, True)
    ]
    # a citizen records only package B; more than 3 days of B is refused
    vitamins = order(None, "VITAMIN-C", package="A", days=5, consentRecorded=False)
    assert fields(await gql(client, PRESCRIBE, vitamins, citizen)) == {"input.package"}
    long_b = order(None, "RIVAROXABAN-10", package="B", days=4, consentRecorded=False)
    assert fields(await gql(client, PRESCRIBE, long_b, citizen)) == {"input.days"}
    # the patient reports an adverse effect; staff stop the order
    report = "mutation($id: ID!, $i: AdverseEventInput!) { reportAdverseEvent(medicationId: $id, input: $i) { id description } }"
    effect = {
        "description": "Đau dạ dày, buồn nôn",
        "occurredOn": local_today().isoformat(),
    }
    body = await gql(client, report, {"id": own["id"], "i": effect}, citizen)
    assert body["data"]["reportAdverseEvent"]["description"] == "Đau dạ dày, buồn nôn"
    stop = "mutation($id: ID!, $r: String!) { stopMedication(id: $id, reason: $r) { status stopReason } }"
    stopped = await gql(
        client, stop, {"id": own["id"], "r": "Đã liên hệ bác sĩ, ngừng gói B"}, staff
    )
    assert stopped["data"]["stopMedication"] == {
        "status": "STOPPED",
        "stopReason": "Đã liên hệ bác sĩ, ngừng gói B",
    }
    assert code_of(await gql(client, stop, {"id": own["id"], "r": "lần nữa"}, staff)) == "CONFLICT"
    record = (await gql(client, MEDICATIONS, {"id": str(patient)}, citizen))["data"]["patient"]
    assert record["medications"][0]["adverseEvents"] == [{"description": "Đau dạ dày, buồn nôn"}]
    assert record["adverseEventFollowUp"] is False  # no molnupiravir
    # someone else's order is not found, for a citizen as for staff elsewhere
    _, stranger = await new_patient(sessions, commune)
    assert (
        code_of(await gql(client, report, {"id": own["id"], "i": effect}, stranger)) == "NOT_FOUND"
    )


STATISTICS = """query($a: ID) { statistics(areaCode: $a) { releasesDue
  daily { date certificatesIssued medicationOrdersA medicationOrdersB medicationOrdersC } } }"""


async def _today(client: httpx.AsyncClient, token: str, area: str) -> dict[str, Any]:
    body = await gql(client, STATISTICS, {"a": area}, token)
    assert "errors" not in body, body
    figures: dict[str, Any] = body["data"]["statistics"]
    return {**figures["daily"][-1], "releasesDue": figures["releasesDue"]}


async def test_statistics_count_orders_certificates_and_releases_due(
    client: httpx.AsyncClient, demo: SeedResult, sessions: async_sessionmaker[AsyncSession]
) -> None:
    commune, staff = commune_of(demo, "health.commune"), account(demo, "health.commune")
    before = await _today(client, staff, commune)
    day_3, _ = await new_patient(sessions, commune, confirmed_at=local_noon(2))
    assert "errors" not in await gql(client, PRESCRIBE, order(day_3), staff)
    vitamins = order(day_3, "VITAMIN-C", package="A", consentRecorded=False, dose="500 mg")
    assert "errors" not in await gql(client, PRESCRIBE, vitamins, staff)
    # a patient on day 8 with a negative test is due; discharged, a certificate is issued
    day_8, _ = await new_patient(sessions, commune, confirmed_at=local_noon(7))
    negative = {"idempotencyKey": secrets.token_hex(8), "patientId": str(day_8), "kind": "RAPID_ANTIGEN",
                "result": "NEGATIVE", "takenAt": datetime.now(UTC).isoformat()}  # fmt: skip
    record = "mutation($i: TestResultInput!) { recordTestResult(input: $i) { id } }"
    assert "errors" not in await gql(client, record, {"i": negative}, staff)
    due = await _today(client, staff, commune)
    assert due["releasesDue"] == before["releasesDue"] + 1
    discharge = (
        "mutation($id: ID!) { dischargePatient(id: $id, input: {outcome: RECOVERED}) { id } }"
    )
    assert "errors" not in await gql(client, discharge, {"id": str(day_8)}, staff)
    after = await _today(client, staff, commune)
    assert after["date"] == before["date"]
    assert after["medicationOrdersC"] == before["medicationOrdersC"] + 1
    assert after["medicationOrdersA"] == before["medicationOrdersA"] + 1
    assert after["medicationOrdersB"] == before["medicationOrdersB"]
    assert after["certificatesIssued"] == before["certificatesIssued"] + 1
    assert after["releasesDue"] == before["releasesDue"]  # released: off the list
