"""Test data written straight through the models (the code under test is not used)."""

from __future__ import annotations

import secrets
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import Area, Declaration, Patient, Transfer
from domain.enums import (
    DeclarationKind,
    DeclarationStatus,
    PatientStatus,
    Sex,
    TestKind,
    TransferStatus,
)


async def make_patient(session: AsyncSession, commune_code: str, **fields: Any) -> Patient:
    """A patient living in `commune_code`; any column may be overridden."""
    commune = await session.get(Area, commune_code)
    assert commune is not None, commune_code
    values: dict[str, Any] = {
        "case_code": f"T-{secrets.token_hex(6)}",
        "status": PatientStatus.HOME_TREATMENT,
        "tier": 1,
        "full_name": "Nguyễn Thị Thử",
        "date_of_birth": date(1990, 5, 17),
        "sex": Sex.FEMALE,
        "national_id": None,
        "phone": "0912345678",
        "address": f"1 Đường Thử, {commune.name}",
        "home_province_code": commune.province_code,
        "home_district_code": commune.district_code,
        "home_commune_code": commune.code,
        "confirmed_at": datetime.now(UTC),
        **fields,
    }
    patient = Patient(**values)
    session.add(patient)
    await session.flush()
    return patient


async def make_transfer(
    session: AsyncSession,
    patient: Patient,
    to_facility_id: int,
    status: TransferStatus = TransferStatus.REQUESTED,
    to_tier: int = 2,
) -> Transfer:
    """A transfer of `patient` to a facility."""
    transfer = Transfer(
        patient_id=patient.id,
        province_code=patient.home_province_code,
        status=status,
        from_tier=patient.tier,
        to_tier=to_tier,
        to_facility_id=to_facility_id,
        reason="test",
        requested_by="test",
    )
    session.add(transfer)
    await session.flush()
    return transfer


async def communes_of(session: AsyncSession, parent_code: str) -> list[str]:
    """Commune codes under a district, by code."""
    rows = await session.scalars(
        select(Area.code).where(Area.parent_code == parent_code).order_by(Area.code)
    )
    return list(rows)


async def make_declaration(session: AsyncSession, commune_code: str, **fields: Any) -> Declaration:
    """A PENDING self-test declaration of someone living in `commune_code`."""
    commune = await session.get(Area, commune_code)
    assert commune is not None, commune_code
    values: dict[str, Any] = {
        "kind": DeclarationKind.SELF_TEST,
        "status": DeclarationStatus.PENDING,
        "idempotency_key": secrets.token_hex(8),
        "submitted_by": "test",
        "full_name": "Phạm Văn Khai",
        "date_of_birth": date(1985, 1, 2),
        "sex": Sex.MALE,
        "phone": "0987654321",
        "address": f"2 Đường Thử, {commune.name}",
        "province_code": commune.province_code,
        "district_code": commune.district_code,
        "commune_code": commune.code,
        "test_kind": TestKind.RAPID_ANTIGEN,
        "tested_on": local_today(),
        **fields,
    }
    declaration = Declaration(**values)
    session.add(declaration)
    await session.flush()
    return declaration


def local_noon(days_ago: int) -> datetime:
    """Noon in Viet Nam `days_ago` days before today there: a moment whose day number does
    not depend on the hour the tests run (an hour before now is yesterday after midnight)."""
    zone = ZoneInfo("Asia/Ho_Chi_Minh")
    return datetime.combine(local_today() - timedelta(days=days_ago), time(12), zone)


def local_today() -> date:
    """Today in Viet Nam, as the server counts days (the machine's own day may differ)."""
    return datetime.now(ZoneInfo("Asia/Ho_Chi_Minh")).date()
