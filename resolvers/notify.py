"""Telling a citizen what happened to their case: an event in the outbox, in the same
transaction as the change (nothing for a case no citizen account owns)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from db.models import Contact, Declaration, Patient
from db.queries import person_events as queries
from domain.notifications import PersonEventKind


async def patient_event(
    session: AsyncSession, patient: Patient, kind: PersonEventKind, cause: str, **values: Any
) -> None:
    """An event about a patient, for the citizen who owns the record."""
    if patient.citizen_subject is None:
        return
    place = queries.Place(
        patient.home_province_code, patient.home_district_code, patient.home_commune_code
    )
    await queries.emit(
        session, kind=kind, subject=patient.citizen_subject, place=place,
        case_code=patient.case_code, values={"caseCode": patient.case_code, **values},
        cause=cause,
    )  # fmt: skip


async def declaration_event(
    session: AsyncSession, declaration: Declaration, kind: PersonEventKind, **values: Any
) -> None:
    """An event about a citizen's own declaration."""
    if declaration.citizen_subject is None:
        return
    place = queries.Place(
        declaration.province_code, declaration.district_code, declaration.commune_code
    )
    await queries.emit(
        session, kind=kind, subject=declaration.citizen_subject, place=place, case_code=None,
        values=values, cause=f"declaration {declaration.id}",
    )  # fmt: skip


async def contact_event(
    session: AsyncSession, contact: Contact, kind: PersonEventKind, cause: str, **values: Any
) -> None:
    """An event for a close contact who linked their own app."""
    if contact.citizen_subject is None:
        return
    place = queries.Place(contact.province_code, contact.district_code, contact.commune_code)
    await queries.emit(
        session, kind=kind, subject=contact.citizen_subject, place=place, case_code=None,
        values=values, cause=cause,
    )  # fmt: skip
