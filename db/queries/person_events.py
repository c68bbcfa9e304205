"""The outbox of events for people: appended in the transaction of the change that causes
them (once per cause), read in id order by feeds and deliveries."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, Text, cast, func, literal, or_, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import Contact, Patient, PersonEvent
from db.queries.pagination import keyset_page
from domain.enums import ContactStatus, PatientStatus
from domain.notifications import PersonEventKind, messages
from domain.paging import Page

CHANNEL = "f0care_person_events"
# held from an event's insert to its commit: ids are committed in id order, so a reader of
# "events after the last id I saw" never skips one committed late
EVENT_ORDER_LOCK = 0x0F0CA2E7


@dataclass(frozen=True)
class Place:
    """Where the case lives (which area's channels may carry the event)."""

    province_code: str
    district_code: str | None
    commune_code: str


async def emit(
    session: AsyncSession,
    *,
    kind: PersonEventKind,
    subject: str,
    place: Place,
    case_code: str | None,
    values: dict[str, Any],
    cause: str,
) -> None:
    """Append the event of `cause` (once: the same cause again adds nothing) and notify
    listeners when the transaction commits."""
    await session.execute(select(func.pg_advisory_xact_lock(EVENT_ORDER_LOCK)))
    rendered = messages(kind, values)
    inserted = await session.scalar(
        insert(PersonEvent)
        .values(
            kind=kind,
            citizen_subject=subject,
            province_code=place.province_code,
            district_code=place.district_code,
            commune_code=place.commune_code,
            case_code=case_code,
            values=values,
            message_vi=rendered["vi"],
            message_en=rendered["en"],
            dedupe_key=f"{kind.value}:{cause}",
        )
        .on_conflict_do_nothing(index_elements=["dedupe_key"])
        .returning(PersonEvent.id)
    )
    if inserted is not None:
        await session.execute(select(func.pg_notify(CHANNEL, str(inserted))))


async def events_after(
    session: AsyncSession, *, after_id: int, subject: str | None = None, limit: int = 1000
) -> list[PersonEvent]:
    """Events after `after_id` in id order (of one citizen, when `subject` is given)."""
    stmt = select(PersonEvent).where(PersonEvent.id > after_id)
    if subject is not None:
        stmt = stmt.where(PersonEvent.citizen_subject == subject)
    return list(await session.scalars(stmt.order_by(PersonEvent.id).limit(limit)))


async def last_event_id(session: AsyncSession) -> int:
    """The newest event id (0 when there is none)."""
    newest = select(func.coalesce(func.max(PersonEvent.id), 0))
    return int(await session.scalar(newest) or 0)


@dataclass(frozen=True)
class PersonEventQuery:
    """Whose events: a citizen's own (`myNotifications`)."""

    subject: str


def person_event_conditions(query: PersonEventQuery) -> list[ColumnElement[bool]]:
    """The WHERE clauses of a citizen's events."""
    return [PersonEvent.citizen_subject == query.subject]


async def history(
    session: AsyncSession, query: PersonEventQuery, *, first: int, after_id: int | None
) -> Page[PersonEvent]:
    """A citizen's events, newest first."""
    conditions = person_event_conditions(query)
    return await keyset_page(session, PersonEvent, conditions, first=first, after_id=after_id)


async def remind_missing_reports(
    session: AsyncSession,
    *,
    window: str,
    since: datetime,
    cause: str,
    rendered: dict[str, str],
) -> int:
    """A REPORT_REMINDER for every patient at home (with a citizen account) without a
    report since `since`: one statement, once per patient and `cause` (the day and window),
    also when several processes or rounds try. How many were new."""
    await session.execute(select(func.pg_advisory_xact_lock(EVENT_ORDER_LOCK)))
    kind = PersonEventKind.REPORT_REMINDER
    missing = or_(Patient.last_report_at.is_(None), Patient.last_report_at < since)
    rows = select(
        literal(kind, PersonEvent.__table__.c.kind.type),
        Patient.citizen_subject,
        Patient.home_province_code,
        Patient.home_district_code,
        Patient.home_commune_code,
        Patient.case_code,
        func.jsonb_build_object("caseCode", Patient.case_code, "window", window),
        literal(rendered["vi"]),
        literal(rendered["en"]),
        func.concat(f"{kind.value}:", cast(Patient.id, Text), f":{cause}"),
    ).where(
        Patient.status == PatientStatus.HOME_TREATMENT,
        Patient.citizen_subject.is_not(None),
        missing,
    )
    columns = [
        "kind", "citizen_subject", "province_code", "district_code", "commune_code",
        "case_code", "values", "message_vi", "message_en", "dedupe_key",
    ]  # fmt: skip
    inserted = (
        await session.execute(
            insert(PersonEvent)
            .from_select(columns, rows)
            .on_conflict_do_nothing(index_elements=["dedupe_key"])
            .returning(PersonEvent.id)
        )
    ).all()
    if inserted:
        await session.execute(select(func.pg_notify(CHANNEL, str(inserted[-1][0]))))
    return len(inserted)


def release_cause(patient: Patient) -> str:
    """The cause of a patient's RELEASE_DUE event: once per due day."""
    return f"{patient.id}:{patient.release_due_on}"


async def due_releases(session: AsyncSession, today: date) -> list[Patient]:
    """Patients at home (with a citizen account) whose release is due by `today`."""
    key = func.concat(
        f"{PersonEventKind.RELEASE_DUE.value}:", cast(Patient.id, Text), ":",
        cast(Patient.release_due_on, Text),
    )  # fmt: skip
    told = select(PersonEvent.id).where(PersonEvent.dedupe_key == key)
    stmt = select(Patient).where(
        Patient.status == PatientStatus.HOME_TREATMENT,
        Patient.citizen_subject.is_not(None),
        Patient.release_due_on <= today,
        ~told.exists(),  # told already (the key `release_cause` makes)
    )
    return list(await session.scalars(stmt))


async def contacts_with_app(session: AsyncSession) -> list[Contact]:
    """Contacts in follow-up who linked their own app."""
    stmt = select(Contact).where(
        Contact.status == ContactStatus.UNDER_FOLLOW_UP, Contact.citizen_subject.is_not(None)
    )
    return list(await session.scalars(stmt))
