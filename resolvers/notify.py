"""Telling a citizen what happened to their case: an event in the outbox, in the same
transaction as the change (nothing for a case no citizen account owns)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from db.events import Subscriber
from db.models import Contact, Declaration, Patient, PersonEvent
from db.queries import person_events as queries
from domain.notifications import PersonEventKind
from domain.paging import Page
from domain.text import rule
from resolvers.context import Context
from resolvers.errors import Conflict
from resolvers.pagination import decode_cursor, page_size
from resolvers.streams import event_id, replay_then_live


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
    session: AsyncSession,
    declaration: Declaration,
    kind: PersonEventKind,
    case_code: str | None = None,
    **values: Any,
) -> None:
    """An event about a citizen's own declaration (and the case it made, if any)."""
    if declaration.citizen_subject is None:
        return
    place = queries.Place(
        declaration.province_code, declaration.district_code, declaration.commune_code
    )
    await queries.emit(
        session, kind=kind, subject=declaration.citizen_subject, place=place,
        case_code=case_code, values=values, cause=f"declaration {declaration.id}",
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


REPLAY_LIMIT = 500


async def history(ctx: Context, *, first: int | None, after: str | None) -> Page[PersonEvent]:
    """The calling citizen's events, newest first."""
    async with ctx.readers() as session:
        return await queries.history(
            session,
            queries.PersonEventQuery(ctx.principal.subject),
            first=page_size(first),
            after_id=decode_cursor(after, "notification"),
        )


async def feed(ctx: Context, after_id: str | None) -> AsyncIterator[PersonEvent]:
    """The calling citizen's events after `after_id` (replayed), then live as they
    happen: no gap and no duplicate in between."""
    bus = ctx.services.person_bus
    if bus is None:
        raise Conflict("this server does not deliver live events")
    broken = rule("must be the id of an event (digits), or 0")
    start = None if after_id is None else event_id("afterId", after_id, broken)
    subject = ctx.principal.subject

    async def read_after(after: int) -> list[PersonEvent]:
        async with ctx.readers() as session:
            return await queries.events_after(
                session, after_id=after, subject=subject, limit=REPLAY_LIMIT
            )

    async def next_live(subscriber: Subscriber[PersonEvent]) -> PersonEvent:
        if subscriber.overflowed:
            raise Conflict("subscriber fell too far behind; resubscribe with afterId")
        return await subscriber.queue.get()

    def accepts(row: PersonEvent) -> bool:
        return row.citizen_subject == subject

    async for row in replay_then_live(bus, accepts, start, read_after, REPLAY_LIMIT, next_live):
        yield row
