"""The treatment record: the clinical profile, follow-up tests and their confirmation,
each kept against the release rule (`domain/release.py`) in the same transaction."""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from db.models import Area, Contact, Patient, RecoveryCertificate, TestResult
from db.queries import audit as audit_queries
from db.queries import declarations as declaration_queries
from db.queries import treatment as queries
from domain import certificate
from domain.enums import (
    ContactStatus,
    DeclarationKind,
    DeclarationStatus,
    Role,
    TestKind,
    TestOutcome,
    TestSupervision,
)
from domain.text import Texts, rule
from resolvers.audit import log_change
from resolvers.context import Context
from resolvers.epidemiology import lock_contact, refresh_schedule
from resolvers.errors import Conflict, InvalidInput, NotFound, RateLimited
from resolvers.ids import parse_id, shown
from resolvers.patients import lock_acting_for, lock_visible, require_active

MAX_COMORBIDITIES, MAX_NAME = 20, 100
MAX_DOSE = 10
FIRST_TEST_DAY = datetime(2020, 1, 1, tzinfo=UTC)  # no COVID-19 test before this
CLOCK_SKEW = timedelta(minutes=5)  # a device clock a little ahead is not an error


@dataclass(frozen=True)
class ProfileChanges:
    """Corrections to the clinical profile; None leaves a part as it is."""

    comorbidities: tuple[str, ...] | None = None
    vaccinations: tuple[tuple[str, int, date | None], ...] | None = None
    pregnant: bool | None = None
    breastfeeding: bool | None = None


async def update_profile(ctx: Context, patient_id: str, changes: ProfileChanges) -> Patient:
    """Correct a patient's comorbidities, vaccinations, pregnancy or breastfeeding; the
    release rule is judged again (vaccination decides day 10 or 14)."""
    today = ctx.services.today()
    problems: list[tuple[str, Texts]] = []
    names = None
    if changes.comorbidities is not None:
        names = tuple(" ".join(c.split()) for c in changes.comorbidities)
        if len(names) > MAX_COMORBIDITIES:
            problems.append(
                ("input.comorbidities", rule("must hold at most {0}", MAX_COMORBIDITIES))
            )
        for n, name in enumerate(names):
            if not 1 <= len(name) <= MAX_NAME:
                problems.append(
                    (f"input.comorbidities[{n}]", rule("must be 1 to {0} characters", MAX_NAME))
                )
    doses = None
    if changes.vaccinations is not None:
        doses = tuple((" ".join(v.split()), d, on) for v, d, on in changes.vaccinations)
        for n, (vaccine, dose, on) in enumerate(doses):
            where = f"input.vaccinations[{n}]"
            if not 1 <= len(vaccine) <= MAX_NAME:
                problems.append((f"{where}.vaccine", rule("must be 1 to {0} characters", MAX_NAME)))
            if not 1 <= dose <= MAX_DOSE:
                problems.append(
                    (f"{where}.doseNumber", rule("must be between 1 and {0}", MAX_DOSE))
                )
            if on is not None and on > today:
                problems.append((f"{where}.givenOn", rule("must not be in the future")))
        if len({d for _, d, _ in doses}) != len(doses):
            problems.append(("input.vaccinations", rule("each dose number must appear once")))
    if problems:
        raise InvalidInput(problems)
    async with ctx.sessions.begin() as session:
        patient = await lock_visible(session, ctx, patient_id)
        fields = []
        await queries.replace_profile(session, patient.id, comorbidities=names, vaccinations=doses)
        if names is not None:
            fields.append("comorbidities")
        if doses is not None:
            patient.vaccination_doses = max((d for _, d, _ in doses), default=0)
            fields.append("vaccinations")
        if changes.pregnant is not None:
            patient.pregnant = changes.pregnant
            fields.append("pregnant")
        if changes.breastfeeding is not None:
            patient.breastfeeding = changes.breastfeeding
            fields.append("breastfeeding")
        await queries.refresh_release(session, patient, ctx.services.timezone)
        patient.updated_at = datetime.now(UTC)
        await log_change(
            session,
            ctx,
            action="UPDATE_CLINICAL_PROFILE",
            entity="patient",
            entity_ids=[str(patient.id)],
            fields=fields,
        )
    return patient


@dataclass(frozen=True)
class TestInput:
    """A test result as submitted."""

    __test__ = False  # not a pytest test class

    idempotency_key: str
    kind: TestKind
    result: TestOutcome
    taken_at: datetime
    patient_id: str | None = None
    supervision: TestSupervision | None = None
    ct_value: float | None = None
    contact_id: str | None = None


async def record_test(ctx: Context, given: TestInput) -> TestResult:
    """A test result: a citizen's own (SELF: it counts toward release once staff confirm
    it), or staff's for a patient in scope (STAFF or SELF_SUPERVISED). A retry with the same
    key returns the first result."""
    principal = ctx.principal
    citizen = principal.role is Role.CITIZEN
    supervision = given.supervision or (TestSupervision.SELF if citizen else TestSupervision.STAFF)
    problems: list[tuple[str, Texts]] = []
    if not 1 <= len(given.idempotency_key.strip()) <= 128:
        problems.append(("input.idempotencyKey", rule("must be 1 to 128 characters")))
    if given.taken_at.tzinfo is None:
        problems.append(("input.takenAt", rule("must carry a time zone offset")))
    elif given.taken_at > datetime.now(UTC) + CLOCK_SKEW:
        problems.append(("input.takenAt", rule("must not be in the future")))
    elif given.taken_at < FIRST_TEST_DAY:
        problems.append(("input.takenAt", rule("must be on or after 2020-01-01")))
    if citizen and supervision is not TestSupervision.SELF:
        problems.append(
            ("input.supervision", rule("a citizen's own test is SELF: staff confirm it"))
        )
    if not citizen and supervision is TestSupervision.SELF:
        problems.append(("input.supervision", rule("staff record STAFF or SELF_SUPERVISED tests")))
    if given.ct_value is not None and not 0 <= given.ct_value <= 50:
        problems.append(("input.ctValue", rule("must be between 0 and 50")))
    if given.ct_value is not None and given.kind is not TestKind.PCR:
        problems.append(("input.ctValue", rule("only a PCR test has a Ct value")))
    if given.contact_id is not None and (citizen or given.patient_id is not None):
        problems.append(
            ("input.contactId", rule("staff record a contact's test, without patientId"))
        )
    if problems:
        raise InvalidInput(problems)
    values = {
        "kind": given.kind,
        "result": given.result,
        "taken_at": given.taken_at,
        "ct_value": given.ct_value,
        "supervision": supervision,
        "facility_id": principal.facility.id if principal.facility else None,
        "recorded_by": principal.subject,
        "recorded_role": principal.role,
        "idempotency_key": given.idempotency_key.strip(),
    }
    if given.contact_id is not None:
        return await _contact_test(ctx, given.contact_id, values)
    async with ctx.sessions.begin() as session:
        patient = await lock_acting_for(session, ctx, given.patient_id)
        require_active(patient, "record a test")
        row, created = await queries.add_test(session, {**values, "patient_id": patient.id})
        if created:
            await queries.refresh_release(session, patient, ctx.services.timezone)
            await log_change(
                session,
                ctx,
                action="RECORD_TEST_RESULT",
                entity="patient",
                entity_ids=[str(patient.id)],
                detail=f"test {row.id}: {row.kind.value} {row.result.value}",
            )
    return row


async def _contact_test(ctx: Context, contact_id: str, values: dict[str, object]) -> TestResult:
    """A close contact's test, by staff for a contact in scope."""
    async with ctx.sessions.begin() as session:
        contact = await lock_contact(session, ctx, contact_id)
        if contact.status is ContactStatus.BECAME_CASE:
            raise Conflict(f"contact {contact.id} became a case; record the test on the patient")
        row, created = await queries.add_test(session, {**values, "contact_id": contact.id})
        if created:
            await refresh_schedule(session, ctx, contact)
            await log_change(
                session,
                ctx,
                action="RECORD_TEST_RESULT",
                entity="contact",
                entity_ids=[str(contact.id)],
                detail=f"test {row.id}: {row.kind.value} {row.result.value}",
            )
            if row.result is TestOutcome.POSITIVE:
                await _declare(session, ctx, contact, row)
    return row


async def _declare(session: AsyncSession, ctx: Context, contact: Contact, test: TestResult) -> None:
    """A contact's positive test becomes a PENDING declaration prefilled from the contact
    and linked to it; verifying it makes the case (`resolvers.epidemiology.became_case`)."""
    needed = {
        "dateOfBirth": contact.date_of_birth,
        "sex": contact.sex,
        "phone": contact.phone,
        "address": contact.address,
    }
    missing = [name for name, value in needed.items() if value is None]
    if missing:  # nothing is written: the test is refused with the contact
        needs = rule(
            "needed to declare a positive test: complete the contact with updateContact first"
        )
        raise InvalidInput([(f"contact.{name}", needs) for name in missing])
    declared = await declaration_queries.insert_idempotent(
        session,
        submitted_by=ctx.principal.subject,
        rows=[
            {
                "kind": DeclarationKind.CONTACT_TEST,
                "status": DeclarationStatus.PENDING,
                "idempotency_key": f"contact-test:{test.id}",
                "citizen_subject": contact.citizen_subject,
                "full_name": contact.full_name,
                "date_of_birth": contact.date_of_birth,
                "sex": contact.sex,
                "national_id": contact.national_id,
                "phone": contact.phone,
                "address": contact.address,
                "province_code": contact.province_code,
                "district_code": contact.district_code,
                "commune_code": contact.commune_code,
                "test_kind": test.kind,
                "tested_on": test.taken_at.astimezone(ctx.services.timezone).date(),
                "contact_id": contact.id,
            }
        ],
    )
    await log_change(
        session,
        ctx,
        action="DECLARE_CONTACT_TEST",
        entity="declaration",
        entity_ids=[str(declared[0].id)],
        detail=f"contact {contact.id}",
    )


async def confirm_test(ctx: Context, test_id: str) -> TestResult:
    """Staff confirm a patient's own test (e.g. after a video call): it then counts toward
    release. Confirming it again changes nothing."""
    async with ctx.sessions.begin() as session:
        row_id = parse_id(test_id)
        found = None if row_id is None else await queries.test_for_update(session, row_id)
        if found is None or found.patient_id is None:  # a contact's test is staff's already
            raise NotFound(f"test result {shown(test_id)} not found")
        patient = await lock_visible(session, ctx, str(found.patient_id))  # scope
        if found.supervision is not TestSupervision.SELF:
            raise Conflict(f"test result {found.id} was taken by or with staff; nothing to confirm")
        if found.confirmed_at is None:
            found.confirmed_by = ctx.principal.subject
            found.confirmed_at = datetime.now(UTC)
            await session.flush()
            await queries.refresh_release(session, patient, ctx.services.timezone)
            await log_change(
                session,
                ctx,
                action="CONFIRM_TEST_RESULT",
                entity="patient",
                entity_ids=[str(patient.id)],
                detail=f"test {found.id}",
            )
    return found


async def issue_certificate(
    session: AsyncSession, ctx: Context, patient: Patient, today: date
) -> RecoveryCertificate:
    """The recovery certificate of a RECOVERED discharge from home treatment, certified by
    the commune health station of the patient's commune (one per patient)."""
    commune = await session.get(Area, patient.home_commune_code)
    commune_name = commune.name if commune else patient.home_commune_code  # a foreign key
    return await queries.add_certificate(
        session,
        {
            "patient_id": patient.id,
            "number": certificate.number_for(patient.case_code),
            "verification_code": certificate.new_code(),
            "issued_at": datetime.now(UTC),
            "issued_by": ctx.principal.subject,
            "issuer_name": certificate.issuer_name(commune_name),
            "issuer_area_code": patient.home_commune_code,
            "period_from": patient.isolation_started_on,
            "period_to": today,
            "holder_initials": certificate.initials(patient.full_name),
            "holder_birth_year": patient.date_of_birth.year,
        },
    )


@dataclass(frozen=True)
class CertificateCheck:
    """What anyone may learn from a certificate's number and code."""

    valid: bool
    issued_at: datetime | None = None
    period_from: date | None = None
    period_to: date | None = None
    issued_by: str | None = None
    holder_initials: str | None = None
    holder_birth_year: int | None = None


async def verify_certificate(ctx: Context, number: str, code: str) -> CertificateCheck:
    """Check a certificate (public): valid with the minimal facts, or not valid (an unknown
    number and a wrong code look the same). After MAX_FAILED_CHECKS wrong codes for one
    number within WINDOW, that number is refused for a while (RATE_LIMITED)."""
    number, code = number.strip(), certificate.normalised_code(code)
    if len(number) > certificate.MAX_NUMBER or len(code) > certificate.MAX_CODE:
        return CertificateCheck(valid=False)
    now = datetime.now(UTC)
    async with ctx.sessions.begin() as session:
        failures = await audit_queries.failures_since(
            session,
            subject=audit_queries.certificate_subject(number),
            action=audit_queries.CERTIFICATE_CHECK_FAILED,
            since=now - certificate.WINDOW,
        )
        if failures >= certificate.MAX_FAILED_CHECKS:
            minutes = int(certificate.WINDOW.total_seconds() // 60)
            raise RateLimited(
                f"too many wrong codes for certificate {number}; try again in {minutes} minutes"
            )
        found = await queries.certificate_by_number(session, number)
        if found is None or not hmac.compare_digest(found.verification_code, code):
            await audit_queries.record(
                session,
                subject=audit_queries.certificate_subject(number),
                role=ctx.principal.role,
                action=audit_queries.CERTIFICATE_CHECK_FAILED,
                entity="certificate",
            )
            return CertificateCheck(valid=False)
    return CertificateCheck(
        valid=True,
        issued_at=found.issued_at,
        period_from=found.period_from,
        period_to=found.period_to,
        issued_by=found.issuer_name,
        holder_initials=found.holder_initials,
        holder_birth_year=found.holder_birth_year,
    )
