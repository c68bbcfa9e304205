"""A small world of patients placed inside and outside each demo principal's scope."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from db.demo import SeedResult
from db.models import Patient
from domain.enums import DeclarationKind, PatientStatus
from tests.factories import communes_of, make_declaration, make_patient, make_transfer


@dataclass(frozen=True)
class World:
    """Labelled patients and where the demo accounts work."""

    patients: dict[str, int]
    facilities: dict[str, int]
    declarations: dict[str, int]


@pytest.fixture(scope="session")
async def world(sessions: async_sessionmaker[AsyncSession], demo: SeedResult) -> World:
    accounts = {a.username: a for a in demo.accounts}
    commune = accounts["official.commune"].area_code
    district = accounts["official.district"].area_code
    assert commune
    assert district
    tier2 = accounts["hospital.tier2"].facility_id
    tier3 = accounts["hospital.tier3"].facility_id
    assert tier2
    assert tier3
    async with sessions.begin() as session:
        same_district = [c for c in await communes_of(session, district) if c != commune]
        elsewhere = await communes_of(session, "703")  # Thành phố Tây Ninh
        p = {
            "commune": await make_patient(session, commune),
            "district": await make_patient(session, same_district[0]),
            "province": await make_patient(session, elsewhere[1]),
            "country": await make_patient(session, "00001"),  # Phường Phúc Xá, Hà Nội
            "at_tier2": await make_patient(
                session, elsewhere[2], status=PatientStatus.IN_FACILITY, tier=2, facility_id=tier2
            ),
            "incoming_tier2": await make_patient(session, elsewhere[3]),
            "at_tier3": await make_patient(
                session, commune, status=PatientStatus.IN_FACILITY, tier=3, facility_id=tier3
            ),
        }
        await make_transfer(session, p["incoming_tier2"], tier2)
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
