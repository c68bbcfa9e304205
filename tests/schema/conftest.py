"""A small world of patients placed inside and outside each demo principal's scope."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from db.demo import SeedResult
from db.models import (
    AdverseEvent,
    Area,
    Comorbidity,
    Contact,
    ContactFollowUpDay,
    ContactSource,
    Exposure,
    MedicationOrder,
    Patient,
    TestResult,
    Vaccination,
)
from domain.contacts import schedule
from domain.enums import (
    AreaEdition,
    ContactRelation,
    ContactStatus,
    DeclarationKind,
    ExposureSetting,
    MedicationPackage,
    MedicationStatus,
    PatientStatus,
    Role,
    Sex,
    TestKind,
    TestOutcome,
    TestSupervision,
)
from server.app import create_app
from server.settings import Settings
from tests.conftest import OnMap
from tests.factories import communes_of, local_today, make_declaration, make_patient, make_transfer


@dataclass(frozen=True)
class World:
    """Labelled patients and where the demo accounts work."""

    patients: dict[str, int]
    facilities: dict[str, int]
    declarations: dict[str, int]


async def _treatment(session: AsyncSession, patient_id: int) -> None:
    """A treatment record to read: a comorbidity, doses, tests, an order with an effect."""
    now = datetime.now(UTC)
    session.add_all(
        [
            Comorbidity(patient_id=patient_id, name="Tăng huyết áp"),
            Vaccination(patient_id=patient_id, vaccine="AstraZeneca", dose_number=1),
            Vaccination(
                patient_id=patient_id, vaccine="Pfizer", dose_number=2, given_on=date(2021, 9, 1)
            ),
        ]
    )
    for result, supervision in ((TestOutcome.POSITIVE, TestSupervision.STAFF),
                                (TestOutcome.NEGATIVE, TestSupervision.SELF)):  # fmt: skip
        session.add(
            TestResult(
                patient_id=patient_id,
                kind=TestKind.PCR,
                result=result,
                ct_value=Decimal("24.5"),
                taken_at=now - timedelta(days=1 if result is TestOutcome.NEGATIVE else 3),
                supervision=supervision,
                recorded_by="world",
                recorded_role=Role.HEALTH_STAFF,
            )  # fmt: skip
        )
    order = MedicationOrder(
        patient_id=patient_id, drug_code="PARACETAMOL-500", package=MedicationPackage.A,
        dose="500 mg", frequency="khi sốt > 38,5 °C", days=7, start_on=now.date(),
        end_on=now.date() + timedelta(days=6), prescribed_by="world", self_started=False,
        status=MedicationStatus.ACTIVE, recorded_by="world", idempotency_key="world",
    )  # fmt: skip
    session.add(order)
    await session.flush()
    session.add(
        Exposure(
            patient_id=patient_id,
            place="Chợ Long Hoa",
            setting=ExposureSetting.MARKET,
            from_at=now - timedelta(days=4),
            to_at=now - timedelta(days=4, hours=-2),
            created_by="world",
        )  # fmt: skip
    )
    session.add(
        AdverseEvent(
            medication_id=order.id,
            description="Nổi mẩn",
            occurred_on=now.date(),
            reported_by="world",
        )  # fmt: skip
    )


async def _contact(
    session: AsyncSession, patient_id: int, lives_in: str, theirs_lives_in: str
) -> None:
    """A close contact of the case, living in another commune, and a contact of theirs
    (F2) living in a third."""
    commune = await session.get(Area, lives_in)
    assert commune is not None
    exposed = local_today() - timedelta(days=2)
    contact = Contact(
        full_name="Đoàn Thị Liên", phone="0987000111", date_of_birth=date(1979, 2, 3),
        sex=Sex.FEMALE, address="5 Đường Thử", commune_code=lives_in,
        district_code=commune.district_code or "", province_code=commune.province_code,
        relation=ContactRelation.WORKPLACE, last_exposure_on=exposed, source_patient_id=patient_id,
        quarantine_started_on=exposed, quarantine_until=exposed + timedelta(days=6),
        status=ContactStatus.UNDER_FOLLOW_UP, rule_set="vn-moh-2021-12-contacts",
        created_by="world",
    )  # fmt: skip
    session.add(contact)
    await session.flush()
    session.add(
        ContactSource(
            contact_id=contact.id,
            patient_id=patient_id,
            relation=ContactRelation.WORKPLACE,
            last_exposure_on=exposed,
            created_by="world",
            idempotency_key="world",
        )  # fmt: skip
    )
    session.add_all(  # the quarantine day by day: day 2 checked with a cough
        ContactFollowUpDay(
            contact_id=contact.id,
            day_number=d.day_number,
            on_day=d.on,
            test_due=d.test_due,
            checked=d.day_number == 2,
            tested=False,
            symptoms=["COUGH"] if d.day_number == 2 else [],
        )  # fmt: skip
        for d in schedule(exposed, (), ())
    )
    theirs = await session.get(Area, theirs_lives_in)
    assert theirs is not None
    session.add(
        Contact(
            full_name="Đoàn Văn Hậu",
            commune_code=theirs.code,
            district_code=theirs.district_code or "",
            province_code=theirs.province_code,
            relation=ContactRelation.HOUSEHOLD,
            last_exposure_on=exposed,
            source_contact_id=contact.id,
            quarantine_started_on=exposed,
            quarantine_until=exposed + timedelta(days=6),
            status=ContactStatus.UNDER_FOLLOW_UP,
            rule_set="vn-moh-2021-12-contacts",
            created_by="world",
            idempotency_key="world-f2",
        )  # fmt: skip
    )


@pytest.fixture(scope="session")
async def world(sessions: async_sessionmaker[AsyncSession], demo: SeedResult) -> World:
    return await build_world(sessions, demo, AreaEdition.VN_2021)


@pytest.fixture(scope="session")
async def world_2025(on_2025: OnMap) -> World:
    return await build_world(on_2025.sessions, on_2025.demo, AreaEdition.VN_2025)


async def build_world(
    sessions: async_sessionmaker[AsyncSession], demo: SeedResult, edition: AreaEdition
) -> World:
    """Labelled patients around the demo accounts: in their commune, elsewhere in their
    district (2021; on the 2025 map, which has none, elsewhere in the province), elsewhere in
    the province, in Hà Nội, at and coming to their hospitals; a treatment record, contacts
    and declarations."""
    accounts = {a.username: a for a in demo.accounts}
    commune = accounts["official.commune"].area_code
    assert commune
    tier2 = accounts["hospital.tier2"].facility_id
    tier3 = accounts["hospital.tier3"].facility_id
    assert tier2
    assert tier3
    async with sessions.begin() as session:
        if edition is AreaEdition.VN_2021:
            district = accounts["official.district"].area_code
            assert district
            same_district = [c for c in await communes_of(session, district) if c != commune]
            elsewhere = await communes_of(session, "703")  # Thành phố Tây Ninh
            nearby, far_away = same_district[0], "00001"  # Phường Phúc Xá, Hà Nội
        else:
            province = accounts["official.province"].area_code
            assert province
            elsewhere = [c for c in await communes_of(session, province) if c != commune]
            nearby, far_away = elsewhere[-1], "00004"  # Phường Ba Đình, Hà Nội
        p = {
            "commune": await make_patient(session, commune),
            "district": await make_patient(session, nearby),
            "province": await make_patient(session, elsewhere[1]),
            "country": await make_patient(session, far_away),
            "at_tier2": await make_patient(
                session, elsewhere[2], status=PatientStatus.IN_FACILITY, tier=2, facility_id=tier2
            ),
            "incoming_tier2": await make_patient(session, elsewhere[3]),
            "at_tier3": await make_patient(
                session, commune, status=PatientStatus.IN_FACILITY, tier=3, facility_id=tier3
            ),
        }
        await make_transfer(session, p["incoming_tier2"], tier2)
        await _treatment(session, p["commune"].id)
        await _contact(session, p["commune"].id, elsewhere[5], elsewhere[6])
        screening = next(a.facility_id for a in demo.accounts if a.role.value == "SCREENING_STAFF")
        declared = {
            "own_in_commune": await make_declaration(
                session, commune, citizen_subject=demo.citizen_subject
            ),
            "screened_elsewhere": await make_declaration(
                session,
                elsewhere[4],
                facility_id=screening,
                kind=DeclarationKind.HOSPITAL_SCREENING,
            ),
        }
        citizen = await session.scalar(
            select(Patient).where(Patient.citizen_subject == demo.citizen_subject)
        )
        assert citizen is not None
        ids = {label: row.id for label, row in p.items()} | {"citizen": citizen.id}
    return World(
        patients=ids,
        facilities={"tier2": tier2, "tier3": tier3},
        declarations={label: row.id for label, row in declared.items()},
    )


@pytest.fixture(scope="module")
async def generic(settings: Settings, demo: SeedResult) -> AsyncIterator[httpx.AsyncClient]:
    """The same application with compiled reads off."""
    app = create_app(settings.model_copy(update={"compiled_reads": False}))
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://generic") as c:
            yield c
