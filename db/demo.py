"""Deterministic demo data for Tây Ninh (province 72): facilities, staff accounts, F0 cases
with two weeks of reports, declarations, transfers and alerts in every state.

Everything is written in one transaction; a database that already holds the demo data is
left as it is, so `serve --demo` can run any number of times.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from db.areas import current_edition
from db.demo_map import DemoMap, demo_map
from db.demo_people import CaseWriter, Place
from db.models import Area, Comorbidity, Facility, Patient, TestResult, User, Vaccination
from db.queries.treatment import refresh_release
from domain.enums import (
    FacilityKind,
    PatientStatus,
    Role,
    TestKind,
    TestOutcome,
    TestSupervision,
)

DEMO_PASSWORD = "f0care-demo"  # noqa: S105 - published demo credential, demo mode only
DEMO_SEED = 2021
DEMO_TIMEZONE = "Asia/Ho_Chi_Minh"
MARKER_USERNAME = "admin.province"

Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class DemoAccount:
    """A demo login: who it is and where it works."""

    username: str
    role: Role
    area_code: str | None
    facility_id: int | None


@dataclass(frozen=True)
class SeedResult:
    """What a seeding run did."""

    created: bool
    patients: int
    accounts: list[DemoAccount]
    citizen_subject: str


AREA_ROLES = {
    Role.LOCAL_OFFICIAL: "official",
    Role.HEALTH_STAFF: "health",
    Role.MANAGER: "manager",
    Role.ANALYST: "analyst",
    Role.ADMIN: "admin",
}


async def seed_demo(
    session: AsyncSession,
    *,
    now: datetime,
    patients: int = 2000,
    progress: Progress | None = None,
    password_hash: Callable[[], str],
) -> SeedResult:
    """Create the demo data unless it is there already; returns the demo accounts."""
    report = progress or (lambda _stage, _done, _total: None)
    if await session.scalar(select(User.id).where(User.username == MARKER_USERNAME)):
        accounts = await demo_accounts(session)
        return SeedResult(False, 0, accounts, CaseWriter.citizen_subject(1))
    edition = await current_edition(session)
    if edition is None:
        raise LookupError("no areas are loaded: run `f0care load-areas` first")
    where = await demo_map(session, edition)
    rng = random.Random(DEMO_SEED)
    report("facilities", 0, 1)
    facilities = await _create_facilities(session, where, rng)
    report("facilities", 1, 1)
    await _create_accounts(session, where, facilities, password_hash())
    places = [Place(c, where.region_of[c.code]) for c in where.communes]
    # the demo citizen (patient 1, who lives in the first place) lives where
    # `health.commune` works, so the README's sign-in sees that citizen's SOS
    home = where.demo_commune.code
    places.sort(key=lambda place: place.commune.code != home)
    hospitals = {f.area_code: f.id for f in facilities if f.kind is FacilityKind.DISTRICT_HOSPITAL}
    writer = CaseWriter(
        session,
        rng=rng,
        now=now,
        places=places,
        facilities=facilities,
        province=where.province,
        hospital_of={
            c.code: hospitals[where.first_commune(where.region_of[c.code]).code]
            for c in where.communes
        },
    )
    await writer.write(patients, report)
    await _treatment_records(session, rng, now)
    accounts = await demo_accounts(session)
    return SeedResult(True, patients, accounts, CaseWriter.citizen_subject(1))


COMORBIDITIES = ("Tăng huyết áp", "Đái tháo đường", "Bệnh phổi tắc nghẽn mạn tính", "Béo phì")
VACCINES = ("AstraZeneca", "Pfizer", "Moderna", "Vero Cell")


async def _treatment_records(session: AsyncSession, rng: random.Random, now: datetime) -> None:
    """Treatment records of the patients at home: comorbidities for some, vaccine doses as
    counted at verification, and a negative staff test on day 7 or later for some, so
    that the release work list is not empty."""
    zone = ZoneInfo(DEMO_TIMEZONE)
    today = now.astimezone(zone).date()
    at_home = await session.scalars(
        select(Patient).where(Patient.status == PatientStatus.HOME_TREATMENT).order_by(Patient.id)
    )
    tested = []
    for patient in at_home:
        if rng.random() < 0.2:
            session.add(Comorbidity(patient_id=patient.id, name=rng.choice(COMORBIDITIES)))
        for dose in range(1, patient.vaccination_doses + 1):
            given = date(2021, 6, 1) + timedelta(days=60 * dose + rng.randint(0, 20))
            vaccine = rng.choice(VACCINES)
            session.add(
                Vaccination(
                    patient_id=patient.id, vaccine=vaccine, dose_number=dose, given_on=given
                )
            )
        if (today - patient.isolation_started_on).days >= 6 and rng.random() < 0.4:
            taken = now - timedelta(hours=rng.uniform(1, 20))
            session.add(
                TestResult(
                    patient_id=patient.id,
                    kind=TestKind.RAPID_ANTIGEN,
                    result=TestOutcome.NEGATIVE,
                    taken_at=taken,
                    supervision=TestSupervision.STAFF,
                    recorded_by="demo",
                    recorded_role=Role.HEALTH_STAFF,
                )  # fmt: skip
            )
            tested.append(patient)
    await session.flush()
    for patient in tested:
        await refresh_release(session, patient, zone)


LEVELS = ("province", "district", "commune")
# the demo's own accounts (an administrator may add others: they are not the demo's)
DEMO_USERNAMES = (
    *(f"{slug}.{level}" for slug in AREA_ROLES.values() for level in LEVELS),
    "official.commune2", "health.commune2", "hospital.tier2", "hospital.tier3",
    "screening.hospital",
)  # fmt: skip


async def demo_accounts(session: AsyncSession) -> list[DemoAccount]:
    """Every account of the demo data, ordered by id."""
    rows = await session.scalars(
        select(User).where(User.username.in_(DEMO_USERNAMES)).order_by(User.id)
    )
    return [DemoAccount(u.username, u.role, u.area_code, u.facility_id) for u in rows]


def _facility(
    name: str, kind: FacilityKind, tier: int, commune: Area, beds: int | None
) -> dict[str, object]:
    return {
        "name": name,
        "kind": kind,
        "tier": tier,
        "area_code": commune.code,
        "province_code": commune.province_code,
        "district_code": commune.district_code,
        "bed_capacity": beds,
    }


async def _create_facilities(
    session: AsyncSession, where: DemoMap, rng: random.Random
) -> list[Facility]:
    capital = where.capital  # Thành phố Tây Ninh (Phường Tân Ninh on the 2025 map)
    rows = [
        _facility(f"Trạm Y tế {c.name}", FacilityKind.COMMUNE_HEALTH_STATION, 1, c, None)
        for c in where.communes
    ]
    rows += [
        _facility(
            region.hospital,
            FacilityKind.DISTRICT_HOSPITAL,
            2,
            where.first_commune(region),
            rng.randrange(40, 160, 10),
        )
        for region in where.regions
    ]
    rows += [
        _facility("Bệnh viện Dã chiến số 1 Tây Ninh", FacilityKind.FIELD_HOSPITAL, 2, capital, 300),
        _facility(
            "Bệnh viện Đa khoa tỉnh Tây Ninh", FacilityKind.PROVINCIAL_HOSPITAL, 3, capital, 80
        ),
        _facility(
            "Bệnh viện Lao và Bệnh phổi Tây Ninh", FacilityKind.SCREENING_HOSPITAL, 2, capital, 60
        ),
        _facility(
            "Bệnh viện Xuyên Á Tây Ninh",
            FacilityKind.SCREENING_HOSPITAL,
            2,
            where.first_commune(where.demo_region),
            120,
        ),
    ]
    result = await session.scalars(insert(Facility).returning(Facility), rows)
    return list(result)


async def _create_accounts(
    session: AsyncSession, where: DemoMap, facilities: list[Facility], password_hash: str
) -> None:
    commune = where.demo_commune
    other_commune = where.capital
    levels = {"province": where.province, "commune": commune.code}
    district = where.demo_region.district
    if district is not None:  # the 2021 map: accounts of the district too
        levels = {"province": where.province, "district": district.code, "commune": commune.code}
    rows: list[dict[str, object]] = [
        _account(f"{slug}.{level}", role, code, None)
        for role, slug in AREA_ROLES.items()
        for level, code in levels.items()
    ]
    rows.append(_account("official.commune2", Role.LOCAL_OFFICIAL, other_commune.code, None))
    rows.append(_account("health.commune2", Role.HEALTH_STAFF, other_commune.code, None))
    first = where.first_commune(where.demo_region).code
    tier2 = next(
        f for f in facilities if f.kind is FacilityKind.DISTRICT_HOSPITAL and f.area_code == first
    )
    tier3 = next(f for f in facilities if f.tier == 3)
    screening = next(
        f for f in facilities if f.kind is FacilityKind.SCREENING_HOSPITAL and f.area_code == first
    )
    rows.append(_account("hospital.tier2", Role.HOSPITAL_STAFF, None, tier2.id))
    rows.append(_account("hospital.tier3", Role.HOSPITAL_STAFF, None, tier3.id))
    rows.append(_account("screening.hospital", Role.SCREENING_STAFF, None, screening.id))
    for row in rows:
        row["password_hash"] = password_hash
    await session.execute(insert(User), rows)


def _account(
    username: str, role: Role, area_code: str | None, facility_id: int | None
) -> dict[str, object]:
    return {
        "username": username,
        "full_name": f"Demo {username}",
        "role": role,
        "area_code": area_code,
        "facility_id": facility_id,
    }
