"""Demo data: every state present, deterministic content, idempotent seeding."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from db.demo import DEMO_PASSWORD, SeedResult, seed_demo
from db.models import Alert, Declaration, Facility, HealthReport, Patient, Transfer, User
from domain.enums import (
    AlertKind,
    AlertStatus,
    AreaLevel,
    DeclarationStatus,
    FacilityKind,
    PatientStatus,
    Role,
    TransferStatus,
)
from tests.conftest import DEMO_PATIENTS, OnMap, fresh_database

DEMO_ROWS = Patient.case_code.not_like("T-%")  # other tests' patients (factories) are T-…


async def _distinct(session: AsyncSession, column: Any) -> set[object]:
    return set((await session.scalars(select(column).distinct())).all())


async def test_demo_has_every_state(
    sessions: async_sessionmaker[AsyncSession], demo: SeedResult
) -> None:
    async with sessions() as session:
        demo_rows = select(func.count()).select_from(Patient).where(DEMO_ROWS)
        assert await session.scalar(demo_rows) == DEMO_PATIENTS
        assert await _distinct(session, Patient.status) == set(PatientStatus)
        assert await _distinct(session, Transfer.status) == set(TransferStatus)
        assert await _distinct(session, Alert.status) == set(AlertStatus)
        assert await _distinct(session, Alert.kind) == set(AlertKind)
        assert await _distinct(session, Declaration.status) == set(DeclarationStatus)
        tiers = await _distinct(session, Facility.tier)
        reports = await session.scalar(select(func.count()).select_from(HealthReport))
    assert tiers == {1, 2, 3}
    assert reports is not None
    assert reports > DEMO_PATIENTS * 5


async def test_demo_accounts_cover_roles_and_levels(demo: SeedResult) -> None:
    roles = {a.role for a in demo.accounts}
    assert roles == set(Role) - {Role.CITIZEN}
    for role in (Role.LOCAL_OFFICIAL, Role.HEALTH_STAFF, Role.MANAGER, Role.ANALYST, Role.ADMIN):
        codes = {a.area_code for a in demo.accounts if a.role is role}
        assert {len(c or "") for c in codes} >= {2, 3, 5}  # province, district, commune


async def test_seeding_twice_changes_nothing(
    sessions: async_sessionmaker[AsyncSession], demo: SeedResult
) -> None:
    # given the demo data; when it is seeded again
    async with sessions.begin() as session:
        before = await session.scalar(select(func.count()).select_from(Patient).where(DEMO_ROWS))
        again = await seed_demo(
            session, now=datetime.now(UTC), patients=50, password_hash=lambda: DEMO_PASSWORD
        )
        after = await session.scalar(select(func.count()).select_from(Patient).where(DEMO_ROWS))
        names = [a.username for a in demo.accounts]  # other tests make accounts of their own
        users = await session.scalar(
            select(func.count()).select_from(User).where(User.username.in_(names))
        )
    # then nothing new is written and the same accounts come back
    assert again.created is False
    assert before == after == DEMO_PATIENTS
    assert users == len(demo.accounts)
    assert [a.username for a in again.accounts] == [a.username for a in demo.accounts]


async def test_demo_names_are_vietnamese(
    sessions: async_sessionmaker[AsyncSession], demo: SeedResult
) -> None:
    async with sessions() as session:
        names = list((await session.scalars(select(Patient.full_name).limit(200))).all())
        codes = list((await session.scalars(select(Patient.case_code).limit(5))).all())
    assert any(ch in "".join(names) for ch in "ăâđêôơư")
    assert all(code.startswith("72-") and len(code.split("-")[2]) == 6 for code in codes)


async def test_demo_history_follows_the_clinical_rules(server_url: str) -> None:
    # a database of its own: later tests change alerts and reports of the shared one
    async with fresh_database(server_url, "f0care_demo") as (_, sessions):
        async with sessions.begin() as session:
            seeded = await seed_demo(
                session, now=datetime.now(UTC), patients=300, password_hash=lambda: "x"
            )
        async with sessions() as session:
            latest = (
                select(HealthReport.patient_id, func.max(HealthReport.id).label("id"))
                .group_by(HealthReport.patient_id)
                .subquery()
            )
            warned = set(
                await session.scalars(
                    select(Patient.id)
                    .join(latest, latest.c.patient_id == Patient.id)
                    .join(HealthReport, HealthReport.id == latest.c.id)
                    .where(
                        Patient.status == PatientStatus.HOME_TREATMENT,
                        func.cardinality(HealthReport.warning_signs) > 0,
                    )
                )
            )
            alerted = set(
                await session.scalars(
                    select(Alert.patient_id).where(
                        Alert.kind == AlertKind.VITAL_SIGNS,
                        Alert.status.in_([AlertStatus.OPEN, AlertStatus.ACKNOWLEDGED]),
                    )
                )
            )
            citizen = await session.scalar(
                select(Patient.home_commune_code).where(
                    Patient.citizen_subject == seeded.citizen_subject
                )
            )
    # every patient at home whose newest report has a warning sign has its open alert
    assert warned
    assert warned <= alerted, sorted(warned - alerted)
    # and the demo citizen lives where the commune health worker of the README works
    health = next(a for a in seeded.accounts if a.username == "health.commune")
    assert citizen == health.area_code


async def test_the_2025_demo_is_the_new_tay_ninh_without_districts(on_2025: OnMap) -> None:
    accounts = {a.username: a for a in on_2025.demo.accounts}
    assert not [name for name in accounts if ".district" in name]
    assert accounts["official.province"].area_code == "80"
    assert accounts["official.commune"].area_code == "25708"  # Phường Trảng Bàng
    async with on_2025.sessions() as session:
        patients = list(await session.scalars(select(Patient).where(DEMO_ROWS)))
        facilities = list(await session.scalars(select(Facility)))
        alerts = list(await session.scalars(select(Alert)))
    assert len(patients) == DEMO_PATIENTS
    assert {p.home_province_code for p in patients} == {"80"}
    assert {p.home_district_code for p in patients} == {None}
    assert all(p.case_code.startswith("80-") for p in patients)
    assert all(p.address.endswith("Tỉnh Tây Ninh") and "Thị xã" not in p.address for p in patients)
    regional = [f.name for f in facilities if f.kind is FacilityKind.DISTRICT_HOSPITAL]
    assert "Trung tâm Y tế khu vực Trảng Bàng" in regional
    assert all(name.startswith("Trung tâm Y tế khu vực ") for name in regional)
    assert {a.escalation_level for a in alerts} <= {AreaLevel.COMMUNE, AreaLevel.PROVINCE}
    assert {a.status for a in alerts} == set(AlertStatus)
