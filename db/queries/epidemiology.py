"""Exposure places of cases and close contacts (F1)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Date,
    Integer,
    Text,
    and_,
    cast,
    column,
    delete,
    exists,
    func,
    not_,
    or_,
    select,
    update,
)
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.selectable import TableValuedAlias

from db.models import (
    Contact,
    ContactFollowUp,
    ContactFollowUpDay,
    ContactSource,
    Exposure,
    Patient,
    TestResult,
)
from db.queries.pagination import keyset_page
from db.scope import CONTACT_AREA_COLUMN, contact_visible, in_area, patient_visible
from domain.contacts import VN_MOH_2021_12_CONTACTS, ContactRules
from domain.enums import FOLLOWED_CONTACT_STATUSES, AreaLevel, ContactStatus, TestOutcome
from domain.paging import Page
from domain.scope import Scope


async def add_exposure(session: AsyncSession, **values: Any) -> Exposure:
    exposure = Exposure(**values)
    session.add(exposure)
    await session.flush()
    return exposure


async def exposure_for_update(session: AsyncSession, exposure_id: int) -> Exposure | None:
    found: Exposure | None = await session.scalar(
        select(Exposure).where(Exposure.id == exposure_id).with_for_update()
    )
    return found


async def remove_exposure(session: AsyncSession, exposure_id: int) -> None:
    await session.execute(delete(Exposure).where(Exposure.id == exposure_id))


@dataclass(frozen=True)
class ContactQuery:
    """Filters of the contact list."""

    area_code: str | None = None
    area_level: AreaLevel | None = None
    statuses: tuple[ContactStatus, ...] = ()
    # with `today` and `timezone`: True keeps only contacts in follow-up with a test due
    due_for_test: bool | None = None
    today: date | None = None
    timezone: str | None = None
    # with `unchecked_before`: True keeps only contacts in follow-up without a check since
    unchecked: bool | None = None
    unchecked_before: datetime | None = None
    # True keeps only contacts in follow-up whose latest check had symptoms, untested since
    symptomatic: bool | None = None


def contact_conditions(scope: Scope, query: ContactQuery) -> list[ColumnElement[bool]]:
    """The WHERE conditions of the contact list: the scope and every given filter."""
    conditions = [contact_visible(scope)]
    if query.area_code is not None and query.area_level is not None:
        conditions.append(in_area(CONTACT_AREA_COLUMN, query.area_code, query.area_level))
    if query.statuses:
        conditions.append(Contact.status.in_(query.statuses))
    if query.unchecked is not None and query.unchecked_before is not None:
        last = func.coalesce(Contact.last_checked_at, Contact.created_at)
        late = and_(Contact.status == ContactStatus.UNDER_FOLLOW_UP, last < query.unchecked_before)
        conditions.append(late if query.unchecked else not_(late))
    if query.symptomatic is not None:
        conditions.append(symptomatic() if query.symptomatic else not_(symptomatic()))
    if query.due_for_test is not None and query.today is not None and query.timezone:
        due = due_for_test(query.today, query.timezone)
        conditions.append(due if query.due_for_test else not_(due))
    return conditions


def symptomatic() -> ColumnElement[bool]:
    """Contacts in follow-up whose latest daily check reported symptoms and who have not
    been tested since: a test is due at once (rule vn-moh-2021-12-contacts)."""
    tested_since = exists(
        select(TestResult.id).where(
            TestResult.contact_id == Contact.id,
            TestResult.taken_at >= ContactFollowUp.checked_at,
        )
    )
    latest_ill = exists(
        select(ContactFollowUp.id).where(
            ContactFollowUp.contact_id == Contact.id,
            ContactFollowUp.checked_at == Contact.last_checked_at,
            func.cardinality(ContactFollowUp.symptoms) > 0,
            not_(tested_since),
        )
    )
    return and_(Contact.status.in_(FOLLOWED_CONTACT_STATUSES), latest_ill)


def due_for_test(
    today: date, timezone: str, rules: ContactRules = VN_MOH_2021_12_CONTACTS
) -> ColumnElement[bool]:
    """Contacts in follow-up for whom a test day has come without a test taken on or after
    it (`domain.contacts.due_for_test`, in SQL)."""
    taken_on = cast(TestResult.taken_at.op("AT TIME ZONE")(timezone), Date)
    days = []
    for number in rules.test_days:
        test_day = Contact.last_exposure_on + (number - 1)
        tested = exists(
            select(TestResult.id).where(TestResult.contact_id == Contact.id, taken_on >= test_day)
        )
        days.append(and_(test_day <= today, not_(tested)))
    return and_(Contact.status == ContactStatus.UNDER_FOLLOW_UP, or_(*days))


async def list_contacts(
    session: AsyncSession, *, scope: Scope, query: ContactQuery, first: int, after_id: int | None
) -> Page[Contact]:
    """A page of contacts in scope, newest first."""
    return await keyset_page(
        session, Contact, contact_conditions(scope, query), first=first, after_id=after_id
    )


async def get_contact(
    session: AsyncSession, *, scope: Scope, contact_id: int, for_update: bool = False
) -> Contact | None:
    """One contact in scope (locked for the transaction when `for_update`)."""
    stmt = select(Contact).where(Contact.id == contact_id, contact_visible(scope))
    found: Contact | None = await session.scalar(stmt.with_for_update() if for_update else stmt)
    return found


async def contacts_by_ids(
    session: AsyncSession, *, scope: Scope, ids: Sequence[int]
) -> list[Contact]:
    """The contacts of these ids that are in scope."""
    rows = await session.scalars(select(Contact).where(Contact.id.in_(ids), contact_visible(scope)))
    return list(rows)


@dataclass(frozen=True)
class Person:
    """What identifies a person: the national ID, or phone, name and date of birth."""

    full_name: str
    national_id: str | None
    phone: str | None
    date_of_birth: date | None


async def matching_contact(session: AsyncSession, person: Person) -> Contact | None:
    """A contact already followed who is this person (locked): the same national ID, or
    the same phone, name and date of birth (as `patients.find_active_duplicate`)."""
    same = []
    if person.national_id:
        same.append(Contact.national_id == person.national_id)
    if person.phone and person.date_of_birth:
        same.append(
            and_(
                Contact.phone == person.phone,
                Contact.full_name == person.full_name,
                Contact.date_of_birth == person.date_of_birth,
            )
        )
    if not same:
        return None
    found: Contact | None = await session.scalar(
        select(Contact).where(or_(*same)).order_by(Contact.id).limit(1).with_for_update()
    )
    return found


async def source_by_key(
    session: AsyncSession, *, created_by: str, key: str
) -> ContactSource | None:
    """The source link a row with this key made before (a retry)."""
    found: ContactSource | None = await session.scalar(
        select(ContactSource).where(
            ContactSource.created_by == created_by, ContactSource.idempotency_key == key
        )
    )
    return found


async def contact_by_key(session: AsyncSession, *, created_by: str, key: str) -> Contact | None:
    """The contact of a contact a row with this key created before (a retry)."""
    found: Contact | None = await session.scalar(
        select(Contact).where(Contact.created_by == created_by, Contact.idempotency_key == key)
    )
    return found


async def contacts_of_contact(session: AsyncSession, contact_id: int) -> list[Contact]:
    """The contacts listed as contacts of this contact, locked."""
    rows = await session.scalars(
        select(Contact)
        .where(Contact.source_contact_id == contact_id)
        .order_by(Contact.id)
        .with_for_update()
    )
    return list(rows)


async def contact_by_link_code(
    session: AsyncSession, *, code_hash: str, now: datetime
) -> Contact | None:
    """The contact waiting to be linked with this (hashed) code, if it has not expired;
    locked."""
    found: Contact | None = await session.scalar(
        select(Contact)
        .where(Contact.link_code_hash == code_hash, Contact.link_code_expires_at > now)
        .with_for_update()
    )
    return found


async def add_source(session: AsyncSession, **values: Any) -> None:
    """Link a contact to a case (once per pair: a second link updates nothing)."""
    stmt = insert(ContactSource).values(**values).on_conflict_do_nothing()
    await session.execute(stmt)


async def add_contact(session: AsyncSession, **values: Any) -> Contact:
    contact = Contact(**values)
    session.add(contact)
    await session.flush()
    return contact


async def add_follow_up(session: AsyncSession, **values: Any) -> ContactFollowUp:
    check = ContactFollowUp(**values)
    session.add(check)
    await session.flush()
    return check


async def own_contact(session: AsyncSession, *, subject: str, contact_id: int) -> Contact | None:
    """The contact record linked to a citizen's subject, locked."""
    found: Contact | None = await session.scalar(
        select(Contact)
        .where(Contact.id == contact_id, Contact.citizen_subject == subject)
        .with_for_update()
    )
    return found


async def checks_of(session: AsyncSession, contact_ids: Sequence[int]) -> list[ContactFollowUp]:
    """The follow-up checks of these contacts, oldest first."""
    rows = await session.scalars(
        select(ContactFollowUp)
        .where(ContactFollowUp.contact_id.in_(contact_ids))
        .order_by(ContactFollowUp.contact_id, ContactFollowUp.id)
    )
    return list(rows)


async def taken_at_of(session: AsyncSession, contact_id: int) -> list[datetime]:
    """When each test of a contact was taken."""
    rows = await session.scalars(
        select(TestResult.taken_at).where(TestResult.contact_id == contact_id)
    )
    return list(rows)


async def replace_schedule(
    session: AsyncSession, contact_id: int, days: Sequence[dict[str, Any]]
) -> None:
    """Write a contact's follow-up days anew (`days`: the columns of each)."""
    await session.execute(
        delete(ContactFollowUpDay).where(ContactFollowUpDay.contact_id == contact_id)
    )
    if days:
        await session.execute(
            insert(ContactFollowUpDay), [{"contact_id": contact_id, **day} for day in days]
        )


async def complete_contacts(
    session: AsyncSession,
    *,
    today: date,
    timezone: str,
    rules: ContactRules = VN_MOH_2021_12_CONTACTS,
) -> int:
    """Close the follow-up of contacts whose quarantine has ended with a negative test on
    or after the last test day and no positive one: COMPLETED. How many were closed."""
    taken_on = cast(TestResult.taken_at.op("AT TIME ZONE")(timezone), Date)
    last_test_day = Contact.last_exposure_on + (max(rules.test_days) - 1)
    negative = exists(
        select(TestResult.id).where(
            TestResult.contact_id == Contact.id,
            TestResult.result == TestOutcome.NEGATIVE,
            taken_on >= last_test_day,
        )
    )
    positive = exists(
        select(TestResult.id).where(
            TestResult.contact_id == Contact.id,
            TestResult.result == TestOutcome.POSITIVE,
            taken_on >= Contact.last_exposure_on,
        )
    )
    done = (
        update(Contact)
        .where(
            Contact.status == ContactStatus.UNDER_FOLLOW_UP,
            Contact.quarantine_until < today,
            negative,
            not_(positive),
        )
        .values(status=ContactStatus.COMPLETED)
        .returning(Contact.id)
    )
    return len((await session.execute(done)).all())


async def sources_of(session: AsyncSession, contact_id: int) -> list[tuple[ContactSource, str]]:
    """The cases a contact was exposed to, with their case codes, oldest link first."""
    rows = await session.execute(
        select(ContactSource, Patient.case_code)
        .join(Patient, Patient.id == ContactSource.patient_id)
        .where(ContactSource.contact_id == contact_id)
        .order_by(ContactSource.last_exposure_on)
    )
    return [(row[0], row[1]) for row in rows.all()]


@dataclass(frozen=True)
class ChainNode:
    """A case or a contact of a transmission chain (no personal data)."""

    kind: str  # "CASE" or "CONTACT"
    id: int
    label: str  # the case code, or "F1 #<id>"
    status: str
    area_code: str
    generation: int  # cases from the starting one: negative upstream


@dataclass(frozen=True)
class Chain:
    nodes: list[ChainNode]
    edges: list[tuple[str, str]]  # (from node key, to node key): "CASE:1" → "CONTACT:7"
    hidden: int  # linked nodes the reader may not see: counted, not shown


def chain_nodes(patient_id: ColumnElement[Any] | int, depth: int) -> TableValuedAlias:
    """The nodes of the chain around a case (the SQL function of migration 0018): key,
    kind (CASE or CONTACT), id, generation, label, status, area_code."""
    return func.chain_nodes(patient_id, depth).table_valued(
        column("key", Text), column("kind", Text), column("id", BigInteger),
        column("generation", Integer), column("label", Text), column("status", Text),
        column("area_code", Text),
    )  # fmt: skip


def chain_edges(patient_id: ColumnElement[Any] | int, depth: int) -> TableValuedAlias:
    """The links between the nodes of the chain around a case: from_key, to_key and the
    kind and id of each end."""
    return func.chain_edges(patient_id, depth).table_valued(
        column("from_key", Text), column("to_key", Text), column("from_kind", Text),
        column("from_id", BigInteger), column("to_kind", Text), column("to_id", BigInteger),
    )  # fmt: skip


def chain_shown(
    kind: ColumnElement[Any], row_id: ColumnElement[Any], cases: Any, contacts: Any
) -> ColumnElement[bool]:
    """Whether a node (its kind and id) is one the reader may see: a case among `cases`,
    a contact among `contacts` (ids in scope, as a subquery or CTE of each)."""
    return or_(
        and_(kind == "CASE", row_id.in_(cases)), and_(kind == "CONTACT", row_id.in_(contacts))
    )


async def transmission_chain(
    session: AsyncSession, *, patient_id: int, depth: int, scope: Scope
) -> Chain:
    """The chain around a case (`chain_nodes`, `chain_edges`) as the reader may see it:
    nodes out of scope are counted, not shown; links only between shown nodes."""
    cases = select(Patient.id).where(patient_visible(scope))
    people = select(Contact.id).where(contact_visible(scope))
    nodes = chain_nodes(patient_id, depth)
    shown = chain_shown(nodes.c.kind, nodes.c.id, cases, people)
    rows = (
        await session.execute(
            select(
                nodes.c.kind,
                nodes.c.id,
                nodes.c.label,
                nodes.c.status,
                nodes.c.area_code,
                nodes.c.generation,
                shown.label("shown"),
            ).order_by(nodes.c.generation, nodes.c.kind, nodes.c.id)
        )  # fmt: skip
    ).all()
    edges = chain_edges(patient_id, depth)
    links = await session.execute(
        select(edges.c.from_key, edges.c.to_key)
        .where(
            chain_shown(edges.c.from_kind, edges.c.from_id, cases, people),
            chain_shown(edges.c.to_kind, edges.c.to_id, cases, people),
        )
        .order_by(edges.c.from_key.collate("C"), edges.c.to_key.collate("C"))
    )
    found = [ChainNode(*row[:6]) for row in rows if row.shown]
    return Chain(found, [(a, b) for a, b in links.all()], len(rows) - len(found))
