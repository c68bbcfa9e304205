"""The treatment record: test results, vaccinations, comorbidities, and each patient's
standing against the release rule (kept in the patient row, recomputed on every change)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import Comorbidity, Patient, RecoveryCertificate, TestResult, Vaccination
from db.queries.once import insert_once
from domain.release import Release, TestFact, release


async def add_test(session: AsyncSession, values: dict[str, Any]) -> tuple[TestResult, bool]:
    """Insert a test result; a key its recorder used before returns the first one instead.
    The flag says whether this call created it."""
    return await insert_once(session, TestResult, values, ("recorded_by", "idempotency_key"))


async def test_for_update(session: AsyncSession, test_id: int) -> TestResult | None:
    """A test result, locked."""
    found: TestResult | None = await session.scalar(
        select(TestResult).where(TestResult.id == test_id).with_for_update()
    )
    return found


async def refresh_release(session: AsyncSession, patient: Patient, timezone: ZoneInfo) -> Release:
    """Judge the patient's tests by the release rule and keep the outcome in its row. Day 1
    stays as it was set (the first positive test, or confirmation)."""
    tests = await session.scalars(select(TestResult).where(TestResult.patient_id == patient.id))
    facts = [
        TestFact(
            t.kind,
            t.result,
            t.taken_at.astimezone(timezone).date(),
            t.supervision,
            t.confirmed_at is not None,
        )
        for t in tests
    ]
    judged = release(patient.isolation_started_on, facts, patient.vaccination_doses)
    patient.earliest_release_on = judged.earliest_release_on
    patient.release_due_on = judged.due_on
    patient.required_test = judged.required_test
    patient.release_rule_set = judged.rule_set
    return judged


async def replace_profile(
    session: AsyncSession,
    patient_id: int,
    *,
    comorbidities: Sequence[str] | None,
    vaccinations: Sequence[tuple[str, int, date | None]] | None,
) -> None:
    """Replace a patient's comorbidities and vaccinations (None: leave as they are)."""
    if comorbidities is not None:
        await session.execute(delete(Comorbidity).where(Comorbidity.patient_id == patient_id))
        if comorbidities:
            rows = [{"patient_id": patient_id, "name": name} for name in comorbidities]
            await session.execute(insert(Comorbidity), rows)
    if vaccinations is not None:
        await session.execute(delete(Vaccination).where(Vaccination.patient_id == patient_id))
        if vaccinations:
            rows = [
                {"patient_id": patient_id, "vaccine": v, "dose_number": n, "given_on": on}
                for v, n, on in vaccinations
            ]
            await session.execute(insert(Vaccination), rows)


async def add_certificate(session: AsyncSession, values: dict[str, Any]) -> RecoveryCertificate:
    """Insert the patient's certificate; one that exists already is returned instead."""
    stmt = (
        insert(RecoveryCertificate)
        .values(values)
        .on_conflict_do_nothing(index_elements=["patient_id"])
    )
    await session.execute(stmt)
    found = await session.scalar(
        select(RecoveryCertificate).where(RecoveryCertificate.patient_id == values["patient_id"])
    )
    if found is None:
        raise LookupError(f"no certificate for patient {values['patient_id']}")
    return found


async def certificate_by_number(session: AsyncSession, number: str) -> RecoveryCertificate | None:
    found: RecoveryCertificate | None = await session.scalar(
        select(RecoveryCertificate).where(RecoveryCertificate.number == number)
    )
    return found
