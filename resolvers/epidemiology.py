"""Epidemiology: the exposure places of a case ("mốc dịch tễ") and its close contacts (F1)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from db.models import Area, Contact, ContactFollowUp, Exposure, Patient
from db.queries import alerts as alert_queries
from db.queries import audit as audit_queries
from db.queries import declarations as declaration_queries
from db.queries import epidemiology as queries
from db.queries import patients as patient_queries
from domain import codes, contacts, intake
from domain.clinical import symptomatic_contact_message, symptoms_problem
from domain.enums import (
    FOLLOWED_CONTACT_STATUSES,
    AlertKind,
    AreaLevel,
    ContactRelation,
    ContactStatus,
    ExposureSetting,
    Role,
    Severity,
    Sex,
)
from domain.notifications import PersonEventKind
from domain.paging import Page
from domain.text import Texts, rule
from resolvers import filters, notify
from resolvers.audit import log_change
from resolvers.context import Context
from resolvers.errors import BadUserInput, Conflict, InvalidInput, NotFound, RateLimited
from resolvers.filters import area_level
from resolvers.ids import parse_id, shown
from resolvers.pagination import decode_cursor, page_size
from resolvers.patients import lock_acting_for, lock_visible

Problems = list[tuple[str, Texts]]  # (field path, rule) of every bad input
MAX_PLACE, MAX_ADDRESS, MAX_NOTE = 200, 300, 2000
LOOKBACK = timedelta(days=30)  # exposures of interest lie within a month before the case
CLOCK_SKEW = timedelta(minutes=5)


@dataclass(frozen=True)
class ExposureInput:
    """An exposure place as submitted."""

    place: str
    setting: ExposureSetting
    from_at: datetime
    to_at: datetime | None = None
    address: str | None = None
    area_code: str | None = None
    note: str | None = None


async def add_exposure(ctx: Context, patient_id: str, given: ExposureInput) -> Exposure:
    """An exposure place of a case in scope."""
    now = datetime.now(UTC)
    place = intake.clean_text(given.place)
    problems: list[tuple[str, Texts]] = []
    if not 1 <= len(place) <= MAX_PLACE:
        problems.append(
            ("input.place", rule("must be 1 to {0} characters after trimming", MAX_PLACE))
        )
    address = None if given.address is None else intake.clean_text(given.address) or None
    if address is not None and len(address) > MAX_ADDRESS:
        problems.append(("input.address", rule("must be at most {0} characters", MAX_ADDRESS)))
    for field, moment in (("input.from", given.from_at), ("input.to", given.to_at)):
        if moment is None:
            continue
        if moment.tzinfo is None:
            problems.append((field, rule("must carry a time zone offset")))
        elif moment > now + CLOCK_SKEW:
            problems.append((field, rule("must not be in the future")))
        elif moment < now - LOOKBACK:
            problems.append((field, rule("must be within the last {0} days", LOOKBACK.days)))
    if (
        given.to_at is not None
        and given.to_at.tzinfo is not None
        and given.from_at.tzinfo is not None
        and given.to_at < given.from_at
    ):
        problems.append(("input.to", rule("must not be before `from`")))
    if problems:
        raise InvalidInput(problems)
    note = filters.optional_text("input.note", given.note, MAX_NOTE)
    async with ctx.sessions.begin() as session:
        patient = await lock_visible(session, ctx, patient_id)
        if given.area_code is not None:
            area = await session.get(Area, given.area_code)
            if area is None or area.level is AreaLevel.COUNTRY:
                raise InvalidInput(
                    [("input.areaCode", rule("must be the code of an area of Viet Nam"))]
                )
        exposure = await queries.add_exposure(
            session,
            patient_id=patient.id,
            place=place,
            address=address,
            area_code=given.area_code,
            from_at=given.from_at,
            to_at=given.to_at,
            setting=given.setting,
            note=note,
            created_by=ctx.principal.subject,
        )
        await log_change(
            session,
            ctx,
            action="ADD_EXPOSURE",
            entity="patient",
            entity_ids=[str(patient.id)],
            detail=f"exposure {exposure.id}",
        )
    return exposure


async def remove_exposure(ctx: Context, exposure_id: str) -> bool:
    """Remove an exposure place of a case in scope (e.g. entered by mistake)."""
    async with ctx.sessions.begin() as session:
        row_id = parse_id(exposure_id)
        found = None if row_id is None else await queries.exposure_for_update(session, row_id)
        if found is None:
            raise NotFound(f"exposure {shown(exposure_id)} not found")
        await lock_visible(session, ctx, str(found.patient_id))  # scope
        await queries.remove_exposure(session, found.id)
        await log_change(
            session,
            ctx,
            action="REMOVE_EXPOSURE",
            entity="patient",
            entity_ids=[str(found.patient_id)],
            detail=f"exposure {found.id}: {found.place}",
        )
    return True


MAX_CONTACTS = 200  # rows per addContacts
EXPOSURE_LOOKBACK_DAYS = 14  # a last exposure longer ago needs no quarantine


@dataclass(frozen=True)
class ContactRow:
    """One close contact as submitted."""

    idempotency_key: str
    full_name: str
    commune_code: str
    relation: ContactRelation
    last_exposure_on: date
    date_of_birth: date | None = None
    sex: Sex | None = None
    phone: str | None = None
    national_id: str | None = None
    address: str | None = None
    quarantine_place: str | None = None


@dataclass(frozen=True)
class ContactBatch:
    """What `addContacts` did: the contacts followed for the case (new or already followed,
    in input order) and the rows that are people already in treatment (row index, case)."""

    contacts: list[Contact]
    already_patients: list[tuple[int, str]]


def _clean(row: ContactRow, at: str, today: date) -> tuple[ContactRow, Problems]:
    given = intake.Person(row.full_name, row.phone, row.national_id, row.date_of_birth, row.address)
    person, problems = intake.check_person(at, given, today=today)
    key = row.idempotency_key.strip()
    if not 1 <= len(key) <= 128:
        problems.append((f"{at}.idempotencyKey", rule("must be 1 to 128 characters")))
    if row.last_exposure_on > today:
        problems.append((f"{at}.lastExposureOn", rule("must not be in the future")))
    elif row.last_exposure_on < today - timedelta(days=EXPOSURE_LOOKBACK_DAYS):
        problems.append(
            (
                f"{at}.lastExposureOn",
                rule("must be within the last {0} days", EXPOSURE_LOOKBACK_DAYS),
            )
        )
    place = (
        None if row.quarantine_place is None else intake.clean_text(row.quarantine_place) or None
    )
    cleaned = ContactRow(
        key, person.full_name or "", row.commune_code.strip(), row.relation,
        row.last_exposure_on, person.date_of_birth, row.sex, person.phone, person.national_id,
        person.address, place,
    )  # fmt: skip
    return cleaned, problems


def _checked(rows: list[ContactRow], today: date) -> tuple[list[ContactRow], Problems]:
    """The rows cleaned, and every problem named by row (`input[i].field`)."""
    if not 1 <= len(rows) <= MAX_CONTACTS:
        raise BadUserInput("input", rule("must hold 1 to {0} contacts", MAX_CONTACTS))
    problems: Problems = []
    cleaned: list[ContactRow] = []
    first_of: dict[str, int] = {}
    for n, row in enumerate(rows):
        good, wrong = _clean(row, f"input[{n}]", today)
        problems += wrong
        if good.idempotency_key in first_of:
            problems.append(
                (
                    f"input[{n}].idempotencyKey",
                    rule("repeats row {0}", first_of[good.idempotency_key]),
                )
            )
        first_of.setdefault(good.idempotency_key, n)
        cleaned.append(good)
    return cleaned, problems


Follow = Callable[[ContactRow, Area], Awaitable["Contact | str"]]


async def _list(
    session: AsyncSession,
    ctx: Context,
    rows: list[ContactRow],
    problems: Problems,
    home: str,
    follow: Follow,
    listed_by: str,
) -> ContactBatch:
    """All rows or none: rows without a commune live at `home`; every unknown commune is a
    problem too; then each row is followed (`follow`: the contact, or the case code of the
    patient the person already is) under the identity locks of all of them, and the batch
    is audited as listed by `listed_by` (the case or the contact)."""
    rows = [r if r.commune_code else replace(r, commune_code=home) for r in rows]
    communes = await declaration_queries.communes(session, [r.commune_code for r in rows])
    for n, row in enumerate(rows):
        if row.commune_code not in communes:
            problems.append((f"input[{n}].communeCode", rule("must be the code of a commune")))
    if problems:
        raise InvalidInput(problems, rows=len({field.split("]")[0] for field, _ in problems}))
    await patient_queries.lock_identity(session, *(_keys(r) for r in rows))
    batch = ContactBatch([], [])
    for n, row in enumerate(rows):
        contact = await follow(row, communes[row.commune_code])
        if isinstance(contact, Contact):
            batch.contacts.append(contact)
        else:
            batch.already_patients.append((n, contact))
    await log_change(
        session,
        ctx,
        action="ADD_CONTACTS",
        entity="contact",
        entity_ids=[str(c.id) for c in batch.contacts],
        detail=listed_by,
    )
    return batch


async def add_contacts(
    ctx: Context, patient_id: str | None, rows: list[ContactRow]
) -> ContactBatch:
    """Close contacts of a case in scope (staff), or of a citizen's own case (no id; rows
    without a commune live at the case's home; staff confirm them), all or nothing: every
    bad row is named (`input[i].field`) and nothing is written. A person already followed as
    a contact is linked to this case instead of duplicated (their quarantine counts from the
    latest exposure); a person already in treatment is reported, not added. A retried row
    (same key) changes nothing."""
    cleaned, problems = _checked(rows, ctx.services.today())
    async with ctx.sessions.begin() as session:
        source = await lock_acting_for(session, ctx, patient_id)

        async def follow(row: ContactRow, commune: Area) -> Contact | str:
            return await _follow(session, ctx, source, row, commune)

        home, listed_by = source.home_commune_code, f"patient {source.id}"
        return await _list(session, ctx, cleaned, problems, home, follow, listed_by)


async def add_contacts_of_contact(
    ctx: Context, contact_id: str, rows: list[ContactRow]
) -> ContactBatch:
    """Contacts of a close contact in scope who is still followed (contacts of contacts:
    followed by the same rule from their last exposure to the contact; they become close
    contacts of the case the contact becomes). Same rules as `add_contacts`; a person
    already followed as a contact is returned as they are."""
    cleaned, problems = _checked(rows, ctx.services.today())
    async with ctx.sessions.begin() as session:
        source = await lock_contact(session, ctx, contact_id)
        if source.status is ContactStatus.BECAME_CASE:
            raise Conflict(
                f"contact {source.id} became a case (patient {source.became_patient_id}); "
                "list the contacts of that case with addContacts"
            )
        if source.status is ContactStatus.COMPLETED:
            raise Conflict(f"contact {source.id} completed quarantine; their contacts need none")

        async def follow(row: ContactRow, commune: Area) -> Contact | str:
            return await _follow_of_contact(session, ctx, source, row, commune)

        return await _list(
            session, ctx, cleaned, problems, source.commune_code, follow, f"contact {source.id}"
        )


def _keys(row: ContactRow) -> str:
    """The identity lock of a person (their national ID, else name and phone)."""
    return f"contact:{row.national_id or ''}|{row.phone or ''}|{row.full_name}"


async def _known(session: AsyncSession, row: ContactRow) -> Contact | str | None:
    """The case code of the patient a row's person already is, or the contact they are
    already followed as (locked), or None."""
    patient = await patient_queries.find_active_duplicate(
        session,
        national_id=row.national_id,
        phone=row.phone,
        full_name=row.full_name,
        date_of_birth=row.date_of_birth,
    )
    if patient is not None:
        return patient.case_code
    person = queries.Person(row.full_name, row.national_id, row.phone, row.date_of_birth)
    return await queries.matching_contact(session, person)


async def _new_contact(
    session: AsyncSession, ctx: Context, row: ContactRow, commune: Area, **source: object
) -> Contact:
    """A new contact in follow-up from a row, with its source (a case or a contact), and
    its follow-up days."""
    contact = await queries.add_contact(
        session,
        full_name=row.full_name,
        national_id=row.national_id,
        phone=row.phone,
        date_of_birth=row.date_of_birth,
        sex=row.sex,
        address=row.address,
        commune_code=commune.code,
        district_code=commune.district_code or "",
        province_code=commune.province_code,
        relation=row.relation,
        last_exposure_on=row.last_exposure_on,
        quarantine_started_on=row.last_exposure_on,
        quarantine_until=contacts.quarantine_until(row.last_exposure_on),
        quarantine_place=row.quarantine_place,
        status=ContactStatus.UNDER_FOLLOW_UP,
        # listed by staff: confirmed; declared by the case itself: staff confirm it
        confirmed_at=None if ctx.principal.role is Role.CITIZEN else datetime.now(UTC),
        rule_set=contacts.VN_MOH_2021_12_CONTACTS.version,
        created_by=ctx.principal.subject,
        **source,
    )
    await refresh_schedule(session, ctx, contact)
    return contact


async def _follow(
    session: AsyncSession, ctx: Context, source: Patient, row: ContactRow, commune: Area
) -> Contact | str:
    """The contact a row is about, created or linked to `source`; or the case code of the
    patient the person already is."""
    subject = ctx.principal.subject
    earlier = await queries.source_by_key(session, created_by=subject, key=row.idempotency_key)
    if earlier is not None:  # a retry
        found = await session.get(Contact, earlier.contact_id)
        if found is None:
            raise LookupError(f"contact {earlier.contact_id} vanished")
        return found
    contact = await _known(session, row)
    if isinstance(contact, str):
        return contact
    if contact is None:
        contact = await _new_contact(session, ctx, row, commune, source_patient_id=source.id)
    elif row.last_exposure_on > contact.last_exposure_on:  # a later exposure: a new start
        contact.last_exposure_on = row.last_exposure_on
        contact.quarantine_started_on = row.last_exposure_on
        contact.quarantine_until = contacts.quarantine_until(row.last_exposure_on)
        if contact.status is ContactStatus.COMPLETED:
            contact.status = ContactStatus.UNDER_FOLLOW_UP
        await refresh_schedule(session, ctx, contact)
    await queries.add_source(
        session,
        contact_id=contact.id,
        patient_id=source.id,
        relation=row.relation,
        last_exposure_on=row.last_exposure_on,
        created_by=subject,
        idempotency_key=row.idempotency_key,
    )
    return contact


async def _follow_of_contact(
    session: AsyncSession, ctx: Context, source: Contact, row: ContactRow, commune: Area
) -> Contact | str:
    """The contact of contact `source` a row is about: created (keyed by the row), or the
    contact the person is already followed as; or the case code of the patient they are."""
    key = row.idempotency_key
    earlier = await queries.contact_by_key(session, created_by=ctx.principal.subject, key=key)
    if earlier is not None:  # a retry
        return earlier
    known = await _known(session, row)
    if known is not None:
        return known
    return await _new_contact(
        session, ctx, row, commune, source_contact_id=source.id, idempotency_key=key
    )


async def refresh_schedule(session: AsyncSession, ctx: Context, contact: Contact) -> None:
    """Write the contact's follow-up days from its rule (`domain.contacts.schedule`) and
    what was recorded: called wherever the exposure, a check or a test changes."""
    await session.flush()
    zone = ctx.services.timezone
    checks = await queries.checks_of(session, [contact.id])
    tested = {t.astimezone(zone).date() for t in await queries.taken_at_of(session, contact.id)}
    symptoms = {c.checked_on: list(c.symptoms) for c in checks}  # the day's last check
    days = contacts.schedule(
        contact.last_exposure_on, symptoms.keys(), tested, contacts.RULES[contact.rule_set]
    )
    await queries.replace_schedule(
        session,
        contact.id,
        [
            {
                "day_number": d.day_number,
                "on_day": d.on,
                "test_due": d.test_due,
                "checked": d.checked,
                "tested": d.tested,
                "symptoms": symptoms.get(d.on, []),
            }
            for d in days
        ],  # fmt: skip
    )


async def lock_contact(session: AsyncSession, ctx: Context, contact_id: str) -> Contact:
    """A contact in the caller's scope (a citizen: their own contact record, once their
    subject is linked), locked for the transaction; NOT_FOUND otherwise."""
    row_id = parse_id(contact_id)
    found = None
    if row_id is not None and ctx.principal.role is Role.CITIZEN:
        found = await queries.own_contact(session, subject=ctx.principal.subject, contact_id=row_id)
    elif row_id is not None:
        found = await queries.get_contact(
            session, scope=ctx.principal.scope, contact_id=row_id, for_update=True
        )
    if found is None:
        raise NotFound(f"contact {shown(contact_id)} not found")
    return found


async def confirm_contact(ctx: Context, contact_id: str) -> Contact:
    """Staff confirm a contact a case declared itself; confirming again changes nothing."""
    async with ctx.sessions.begin() as session:
        found = await lock_contact(session, ctx, contact_id)
        if found.confirmed_at is None:
            found.confirmed_at = datetime.now(UTC)
            await log_change(
                session, ctx, action="CONFIRM_CONTACT", entity="contact", entity_ids=[str(found.id)]
            )
    return found


@dataclass(frozen=True)
class LinkCode:
    """A one-time code that links a contact's own app account (shown once)."""

    code: str
    expires_at: datetime
    contact: Contact


async def issue_link_code(ctx: Context, contact_id: str) -> LinkCode:
    """A new one-time link code for a followed contact in scope (an earlier one stops
    working); staff read it to the contact, whose app redeems it with `linkContact`."""
    code = contacts.new_link_code()
    expires = datetime.now(UTC) + contacts.LINK_CODE_TTL
    async with ctx.sessions.begin() as session:
        found = await lock_contact(session, ctx, contact_id)
        if found.status not in FOLLOWED_CONTACT_STATUSES:
            raise Conflict(f"contact {found.id} is {found.status.value}; nothing to report")
        found.link_code_hash = contacts.link_code_hash(code)
        found.link_code_expires_at = expires
        await log_change(
            session, ctx, action="ISSUE_CONTACT_LINK_CODE", entity="contact",
            entity_ids=[str(found.id)],
        )  # fmt: skip
    return LinkCode(code, expires, found)


async def link_contact(ctx: Context, code: str) -> Contact:
    """A citizen redeems a link code: the contact record becomes theirs (they see it and
    send its daily checks). The code works once; after MAX_FAILED_LINKS wrong codes within
    LINK_WINDOW the citizen is refused for a while (RATE_LIMITED)."""
    subject = ctx.principal.subject
    now = datetime.now(UTC)
    typed = codes.normalised_code(code)
    async with ctx.sessions.begin() as session:
        failures = await audit_queries.failures_since(
            session,
            subject=subject,
            action=audit_queries.CONTACT_LINK_FAILED,
            since=now - contacts.LINK_WINDOW,
        )
        if failures >= contacts.MAX_FAILED_LINKS:
            minutes = int(contacts.LINK_WINDOW.total_seconds() // 60)
            raise RateLimited(f"too many wrong link codes; try again in {minutes} minutes")
        found = None
        if len(typed) == contacts.LINK_CODE_LENGTH:
            found = await queries.contact_by_link_code(
                session, code_hash=contacts.link_code_hash(typed), now=now
            )
        if found is None:
            await audit_queries.record(
                session, subject=subject, role=ctx.principal.role,
                action=audit_queries.CONTACT_LINK_FAILED, entity="contact",
            )  # fmt: skip
        else:
            found.citizen_subject = subject
            found.link_code_hash = None
            found.link_code_expires_at = None
            days = contacts.days_to_test(found.last_exposure_on, contacts.RULES[found.rule_set])
            await notify.contact_event(
                session, found, PersonEventKind.CONTACT_QUARANTINE_STARTED,
                f"contact {found.id} {found.quarantine_started_on}",
                until=found.quarantine_until.isoformat(),
                testDays=", ".join(d.strftime("%d/%m") for d in days),
            )  # fmt: skip
            await log_change(
                session, ctx, action="LINK_CONTACT", entity="contact", entity_ids=[str(found.id)]
            )
    if found is None:  # raised after the failure is committed: it counts
        raise BadUserInput("code", rule("no contact waits for this code (wrong, used or expired)"))
    return found


MAX_REASON = 500


async def mark_lost(ctx: Context, contact_id: str, reason: str) -> Contact:
    """Staff mark a contact in follow-up LOST_TO_FOLLOW_UP: only a candidate (no daily
    check for the rule's `lost_after_hours`), with a reason (audited). A later check brings
    them back to UNDER_FOLLOW_UP."""
    rules = contacts.VN_MOH_2021_12_CONTACTS
    cleaned = filters.optional_text("reason", reason, MAX_REASON)
    if not cleaned:
        raise BadUserInput("reason", rule("must say why the contact cannot be reached"))
    async with ctx.sessions.begin() as session:
        found = await lock_contact(session, ctx, contact_id)
        if found.status is ContactStatus.LOST_TO_FOLLOW_UP:
            return found
        if found.status is not ContactStatus.UNDER_FOLLOW_UP:
            raise Conflict(f"contact {found.id} is {found.status.value}, not in follow-up")
        last = found.last_checked_at or found.created_at
        if datetime.now(UTC) - last < timedelta(hours=rules.lost_after_hours):
            raise Conflict(
                f"contact {found.id} was checked within {rules.lost_after_hours} hours "
                f"(rule {rules.version}); not lost to follow-up"
            )
        found.status = ContactStatus.LOST_TO_FOLLOW_UP
        await log_change(
            session, ctx, action="MARK_CONTACT_LOST", entity="contact",
            entity_ids=[str(found.id)], detail=cleaned,
        )  # fmt: skip
    return found


async def _symptomatic(
    session: AsyncSession, ctx: Context, contact: Contact, symptoms: tuple[str, ...]
) -> None:
    """A contact with symptoms needs a test at once: a SYMPTOMATIC_CONTACT alert about the
    case that listed them, through the alert stream (routing and escalation unchanged)."""
    source = None
    if contact.source_patient_id is not None:
        source = await session.get(Patient, contact.source_patient_id)
    if source is None:
        return
    await alert_queries.raise_alert(
        session,
        patient=source,
        kind=AlertKind.SYMPTOMATIC_CONTACT,
        severity=Severity.MODERATE,
        message=symptomatic_contact_message(contact.id, source.case_code, symptoms),
        raised_by=ctx.principal.subject,
        rule_set=contacts.VN_MOH_2021_12_CONTACTS.version,
    )


async def contact_list_query(
    ctx: Context,
    *,
    area_code: str | None,
    statuses: tuple[ContactStatus, ...],
    due_for_test: bool | None = None,
    unchecked: bool | None = None,
    symptomatic: bool | None = None,
) -> queries.ContactQuery:
    """The contact-list filter, checked (an unknown area is BAD_USER_INPUT)."""
    lost_after = timedelta(hours=contacts.VN_MOH_2021_12_CONTACTS.lost_after_hours)
    return queries.ContactQuery(
        area_code=area_code,
        area_level=await area_level(ctx, area_code),
        statuses=statuses,
        due_for_test=due_for_test,
        today=ctx.services.today(),
        timezone=ctx.services.timezone.key,
        unchecked=unchecked,
        unchecked_before=datetime.now(UTC) - lost_after,
        symptomatic=symptomatic,
    )


MAX_CHECK_NOTE = 2000


async def submit_follow_up(
    ctx: Context, contact_id: str, symptoms: tuple[str, ...], note: str | None
) -> ContactFollowUp:
    """A daily check of a contact in scope (staff), or of the contact themselves (a citizen
    whose subject is linked to the contact)."""
    problem = symptoms_problem(symptoms)
    if problem is not None:
        raise BadUserInput("input.symptoms", problem)
    cleaned = filters.optional_text("input.note", note, MAX_CHECK_NOTE)
    now = datetime.now(UTC)
    async with ctx.sessions.begin() as session:
        found = await lock_contact(session, ctx, contact_id)
        if found.status in (ContactStatus.COMPLETED, ContactStatus.BECAME_CASE):
            raise Conflict(f"contact {found.id} is {found.status.value}; no follow-up is due")
        check = await queries.add_follow_up(
            session,
            contact_id=found.id,
            checked_at=now,
            checked_on=ctx.services.today(),
            symptoms=list(dict.fromkeys(symptoms)),
            note=cleaned,
            recorded_by=ctx.principal.subject,
        )
        found.last_checked_at = now
        await refresh_schedule(session, ctx, found)
        if found.status is ContactStatus.LOST_TO_FOLLOW_UP:
            found.status = ContactStatus.UNDER_FOLLOW_UP
        if symptoms:
            await _symptomatic(session, ctx, found, symptoms)
        await log_change(
            session,
            ctx,
            action="CONTACT_FOLLOW_UP",
            entity="contact",
            entity_ids=[str(found.id)],
            detail=", ".join(symptoms) or None,
        )
    return check


async def contact_page(
    ctx: Context, query: queries.ContactQuery, *, first: int | None, after: str | None
) -> Page[Contact]:
    """A page of the contacts in scope, newest first."""
    async with ctx.readers() as session:
        return await queries.list_contacts(
            session,
            scope=ctx.principal.scope,
            query=query,
            first=page_size(first),
            after_id=decode_cursor(after, "contact"),
        )


async def contact(ctx: Context, contact_id: str) -> Contact | None:
    """One contact in scope, or None (unknown and out of scope look the same)."""
    row_id = parse_id(contact_id)
    if row_id is None:
        return None
    async with ctx.readers() as session:
        return await queries.get_contact(session, scope=ctx.principal.scope, contact_id=row_id)


# the setting of the exposure a case had through the contact relation that made it a case
SETTING_OF = {
    ContactRelation.HOUSEHOLD: ExposureSetting.HOUSEHOLD,
    ContactRelation.WORKPLACE: ExposureSetting.WORKPLACE,
    ContactRelation.SCHOOL: ExposureSetting.SCHOOL,
    ContactRelation.HEALTH_FACILITY: ExposureSetting.HEALTH_FACILITY,
    ContactRelation.SOCIAL: ExposureSetting.GATHERING,
    ContactRelation.TRAVEL: ExposureSetting.TRAVEL,
    ContactRelation.OTHER: ExposureSetting.OTHER,
}


async def became_case(
    session: AsyncSession, ctx: Context, contact_id: int, patient: Patient
) -> None:
    """A verified positive test made a contact a case: the contact is BECAME_CASE and points
    to the patient, whose exposures show the case(s) it came from."""
    contact = await session.get(Contact, contact_id, with_for_update=True)
    if contact is None:
        raise LookupError(f"contact {contact_id} vanished")
    contact.status = ContactStatus.BECAME_CASE
    contact.became_patient_id = patient.id
    contact.became_case_at = datetime.now(UTC)
    zone = ctx.services.timezone
    for source, case_code in await queries.sources_of(session, contact.id):
        await queries.add_exposure(
            session,
            patient_id=patient.id,
            place=f"Tiếp xúc gần với ca {case_code}",
            setting=SETTING_OF[source.relation],
            from_at=datetime.combine(source.last_exposure_on, time(12), zone),
            note=f"F1 #{contact.id}",
            created_by=ctx.principal.subject,
        )
    if contact.source_contact_id is not None and contact.source_patient_id is None:
        await queries.add_exposure(  # a contact of a contact that was not a case (yet)
            session,
            patient_id=patient.id,
            place=f"Tiếp xúc gần với F1 #{contact.source_contact_id}",
            setting=SETTING_OF[contact.relation],
            from_at=datetime.combine(contact.last_exposure_on, time(12), zone),
            note=f"F2 #{contact.id}",
            created_by=ctx.principal.subject,
        )
    # the contacts of this contact are now close contacts of the case it became
    for of_contact in await queries.contacts_of_contact(session, contact.id):
        await queries.add_source(
            session,
            contact_id=of_contact.id,
            patient_id=patient.id,
            relation=of_contact.relation,
            last_exposure_on=of_contact.last_exposure_on,
            created_by=ctx.principal.subject,
            idempotency_key=f"became-case:{contact.id}:{of_contact.id}",
        )
        if of_contact.source_patient_id is None:
            of_contact.source_patient_id = patient.id
    await log_change(
        session,
        ctx,
        action="CONTACT_BECAME_CASE",
        entity="contact",
        entity_ids=[str(contact.id)],
        detail=f"patient {patient.id}",
    )


@dataclass(frozen=True)
class ContactChanges:
    """Corrections to a contact's identity; None leaves a field as it is."""

    full_name: str | None = None
    date_of_birth: date | None = None
    sex: Sex | None = None
    phone: str | None = None
    national_id: str | None = None
    address: str | None = None


async def update_contact(ctx: Context, contact_id: str, changes: ContactChanges) -> Contact:
    """Complete or correct a contact in scope (a positive test needs their date of birth,
    sex, phone and address to become a declaration)."""
    given = intake.Person(
        changes.full_name, changes.phone, changes.national_id, changes.date_of_birth,
        changes.address,
    )  # fmt: skip
    person, problems = intake.check_person("input", given, today=ctx.services.today())
    if problems:
        raise InvalidInput(problems)
    async with ctx.sessions.begin() as session:
        found = await lock_contact(session, ctx, contact_id)
        values = {
            "full_name": person.full_name, "date_of_birth": person.date_of_birth,
            "sex": changes.sex, "phone": person.phone, "national_id": person.national_id,
            "address": person.address,
        }  # fmt: skip
        changed = sorted(k for k, v in values.items() if v is not None)
        for column in changed:
            setattr(found, column, values[column])
        await log_change(
            session,
            ctx,
            action="UPDATE_CONTACT",
            entity="contact",
            entity_ids=[str(found.id)],
            fields=changed,
        )
    return found


Chain = queries.Chain  # what a transmission chain holds (the schema names it through here)


async def transmission_chain(ctx: Context, patient_id: int, depth: int) -> queries.Chain:
    """The chain around a case (already in the reader's scope), `depth` cases each way."""
    if not 1 <= depth <= contacts.MAX_CHAIN_DEPTH:
        raise BadUserInput("depth", rule("must be between 1 and {0}", contacts.MAX_CHAIN_DEPTH))
    async with ctx.readers() as session:
        return await queries.transmission_chain(
            session, patient_id=patient_id, depth=depth, scope=ctx.principal.scope
        )
