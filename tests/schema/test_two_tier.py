"""A deployment on the two-tier map of 2025 works without districts: an unanswered alert
goes from the commune straight to the province, which hears of it; statistics break a
province down into its communes and count what its patients are; records keep no
district."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from db.models import Alert, Patient
from db.queries.alerts import escalate_due, raise_alert
from domain.alert_routing import EventPlace, next_level, reaches
from domain.enums import AlertKind, AreaLevel, Role, Severity
from domain.scope import Scope
from domain.text import Texts
from tests.conftest import OnMap, gql
from tests.factories import make_patient
from tests.tokens import token_named


def test_escalation_skips_the_level_a_map_does_not_have() -> None:
    assert next_level(AreaLevel.COMMUNE) is AreaLevel.DISTRICT
    assert next_level(AreaLevel.COMMUNE, has_district=False) is AreaLevel.PROVINCE
    assert next_level(AreaLevel.PROVINCE, has_district=False) is None
    province = Scope(Role.HEALTH_STAFF, "s", area_code="80", area_level=AreaLevel.PROVINCE)
    commune = Scope(Role.HEALTH_STAFF, "s", area_code="25708", area_level=AreaLevel.COMMUNE)
    at_province = EventPlace("80", None, "25708", AreaLevel.PROVINCE, None)
    assert reaches(province, at_province)
    assert reaches(commune, at_province)
    assert not reaches(province, EventPlace("80", None, "25708", AreaLevel.COMMUNE, None))


async def test_an_unanswered_alert_goes_from_the_commune_to_the_province(
    on_2025: OnMap,
) -> None:
    async with on_2025.sessions.begin() as session:
        patient = await make_patient(session, "25708")  # Phường Trảng Bàng, Tây Ninh (80)
        assert patient.home_district_code is None
        alert = await raise_alert(
            session,
            patient=patient,
            kind=AlertKind.SOS,
            severity=Severity.SEVERE,
            message=Texts.same("SOS"),
            raised_by="two-tier",
        )
        raised = alert.id
    later = datetime.now(UTC) + timedelta(hours=1)
    async with on_2025.sessions.begin() as session:
        moved = await escalate_due(session, now=later, after={AlertKind.SOS: timedelta(minutes=5)})
    assert [a.escalation_level for a in moved if a.id == raised] == [AreaLevel.PROVINCE]
    async with on_2025.sessions() as session:
        found = await session.get(Alert, raised)
        assert found is not None
        assert (found.escalation_level, found.district_code) == (AreaLevel.PROVINCE, None)


async def test_a_province_breaks_down_into_its_communes(on_2025: OnMap) -> None:
    query = """{ statistics(areaCode: "80") { activePatients breakdown {
      area { code level edition parent { code } } activePatients } } }"""
    body = await gql(on_2025.client, query, {}, token_named("manager.province", on_2025.demo))
    assert "errors" not in body, body
    statistics = body["data"]["statistics"]
    rows = statistics["breakdown"]
    assert rows
    assert {
        (r["area"]["level"], r["area"]["edition"], r["area"]["parent"]["code"]) for r in rows
    } == {("COMMUNE", "VN_2025", "80")}
    async with on_2025.sessions() as session:
        active = await session.scalar(
            select(func.count())
            .select_from(Patient)
            .where(
                Patient.home_province_code == "80",
                Patient.status.in_(["HOME_TREATMENT", "IN_FACILITY"]),
            )
        )
        with_district = await session.scalar(
            select(func.count()).select_from(Patient).where(Patient.home_district_code.is_not(None))
        )
    assert statistics["activePatients"] == active
    assert sum(r["activePatients"] or 0 for r in rows) == active
    assert with_district == 0


async def test_an_analyst_of_the_new_province_never_sees_a_commune_of_one_to_four(
    on_2025: OnMap,
) -> None:
    query = (
        """{ statistics(areaCode: "80") { breakdown { area { code } activePatients newCases } } }"""
    )
    analyst = await gql(on_2025.client, query, {}, token_named("analyst.province", on_2025.demo))
    manager = await gql(on_2025.client, query, {}, token_named("manager.province", on_2025.demo))
    seen = {r["area"]["code"]: r for r in manager["data"]["statistics"]["breakdown"]}
    small = 0
    for row in analyst["data"]["statistics"]["breakdown"]:
        full = seen[row["area"]["code"]]
        for key in ("activePatients", "newCases"):
            if full[key] in (1, 2, 3, 4):
                small += 1
                assert row[key] is None, row
            else:
                assert row[key] == full[key], row
    assert small > 0  # the demo has communes with few patients: the rule was exercised
