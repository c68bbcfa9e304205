"""Case intake: declarations of positive tests, and their verification into patients."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from db.models import Area, Declaration, Patient
from db.queries import declarations as queries
from db.queries import patients as patient_queries
from db.queries import treatment as treatment_queries
from domain import intake
from domain.clinical import Vitals, check_ranges
from domain.eligibility import home_care
from domain.enums import (
    DeclarationKind,
    DeclarationStatus,
    PatientStatus,
    Role,
    TestOutcome,
    TestSupervision,
)
from domain.notifications import PersonEventKind
from domain.paging import Page
from domain.text import Texts, rule
from resolvers import filters, notify
from resolvers.audit import log_change
from resolvers.context import Context
from resolvers.epidemiology import became_case
from resolvers.errors import BadUserInput, Conflict, InvalidInput, NotFound
from resolvers.filters import area_level
from resolvers.ids import parse_id, shown
from resolvers.pagination import decode_cursor, page_size

MAX_BATCH = 500
MAX_REASON = 500
MAX_COMORBIDITIES, MAX_COMORBIDITY = 20, 100  # items, characters each


@dataclass(frozen=True)
class Verification:
    """What the official adds when verifying: a note and what they learned from the person."""

    note: str | None = None
    comorbidities: tuple[str, ...] = ()
    vaccination_doses: int | None = None
    spo2: int | None = None
    respiratory_rate: int | None = None


async def declare_self_test(ctx: Context, report: intake.PersonReport) -> Declaration:
    """A citizen's positive home test, tied to the token's subject."""
    rows = await _declare(ctx, [report], DeclarationKind.SELF_TEST, field="input")
    return rows[0]


async def declare_screening_results(
    ctx: Context, reports: list[intake.PersonReport]
) -> list[Declaration]:
    """A screening facility's batch: all rows valid, or nothing stored."""
    if not 1 <= len(reports) <= MAX_BATCH:
        raise BadUserInput(
            "input", rule("send 1 to {0} results per call, got {1}", MAX_BATCH, len(reports))
        )
    return await _declare(ctx, reports, DeclarationKind.HOSPITAL_SCREENING, field="input")


async def _declare(
    ctx: Context, reports: list[intake.PersonReport], kind: DeclarationKind, *, field: str
) -> list[Declaration]:
    principal = ctx.principal
    batch = kind is DeclarationKind.HOSPITAL_SCREENING
    today = ctx.services.today()
    cleaned: list[intake.PersonReport] = []
    problems: list[tuple[str, Texts]] = []
    for index, report in enumerate(reports):
        clean, violations = intake.check(report, today=today)
        cleaned.append(clean)
        where = f"{field}[{index}]" if batch else field
        problems += [(f"{where}.{v.field}", v.rule) for v in violations]
    repeated = [k for k, n in Counter(r.idempotency_key for r in cleaned).items() if n > 1]
    problems += [
        (f"{field}.idempotencyKey", rule("{0!r} appears more than once", k)) for k in repeated
    ]
    async with ctx.sessions.begin() as session:
        communes = await queries.communes(session, [r.commune_code for r in cleaned])
        for index, report in enumerate(cleaned):
            if report.commune_code not in communes:
                where = f"{field}[{index}]" if batch else field
                problems.append(
                    (f"{where}.communeCode", rule("must be the code of an existing commune"))
                )
        if problems:
            rows_hit = len({p[0].split(".")[0] for p in problems}) if batch else None
            raise InvalidInput(sorted(problems, key=_by_row), rows=rows_hit)
        rows = [
            _row(r, communes[r.commune_code], kind, principal.subject, principal.facility)
            for r in cleaned
        ]
        stored = await queries.insert_idempotent(session, submitted_by=principal.subject, rows=rows)
        await log_change(
            session,
            ctx,
            action=f"DECLARE_{kind.value}",
            entity="declaration",
            entity_ids=[str(d.id) for d in stored],
        )
    return stored


def _by_row(problem: tuple[str, Texts]) -> tuple[int, str]:
    head = problem[0].split(".")[0]
    index = int(head[head.index("[") + 1 : -1]) if "[" in head else -1
    return index, problem[0]


def _row(
    report: intake.PersonReport,
    commune: Area,
    kind: DeclarationKind,
    subject: str,
    facility: Any,
) -> dict[str, Any]:
    self_test = kind is DeclarationKind.SELF_TEST
    return {
        "kind": kind,
        "status": DeclarationStatus.PENDING,
        "idempotency_key": report.idempotency_key,
        "facility_id": None if self_test or facility is None else facility.id,
        "citizen_subject": subject if self_test else None,
        "full_name": report.full_name,
        "date_of_birth": report.date_of_birth,
        "sex": report.sex,
        "national_id": report.national_id,
        "phone": report.phone,
        "address": report.address,
        "province_code": commune.province_code,
        "district_code": commune.district_code,
        "commune_code": commune.code,
        "test_kind": report.test_kind,
        "tested_on": report.tested_on,
        "symptoms": list(report.symptoms),
    }


async def declaration(ctx: Context, declaration_id: str) -> Declaration | None:
    """One declaration in scope, or None."""
    row_id = parse_id(declaration_id)
    if row_id is None:
        return None
    async with ctx.sessions() as session:
        return await queries.get_declaration(
            session, scope=ctx.principal.scope, declaration_id=row_id
        )


async def list_query(
    ctx: Context,
    *,
    area_code: str | None,
    statuses: tuple[DeclarationStatus, ...],
    kind: DeclarationKind | None,
    tested_from: date | None,
    tested_to: date | None,
) -> queries.DeclarationQuery:
    """The declaration-list filter, checked (an unknown area is BAD_USER_INPUT)."""
    return queries.DeclarationQuery(
        area_code=area_code,
        area_level=await area_level(ctx, area_code),
        statuses=statuses,
        kind=kind,
        tested_from=tested_from,
        tested_to=tested_to,
    )


async def declarations(
    ctx: Context,
    *,
    query: queries.DeclarationQuery,
    first: int | None,
    after: str | None,
) -> Page[Declaration]:
    """A page of the declarations in scope (`query` from `list_query`), newest first."""
    async with ctx.sessions() as session:
        return await queries.list_declarations(
            session,
            scope=ctx.principal.scope,
            query=query,
            first=page_size(first),
            after_id=decode_cursor(after, "declaration"),
        )


async def _pending(session: AsyncSession, ctx: Context, declaration_id: str) -> Declaration:
    found = None
    row_id = parse_id(declaration_id)
    if row_id is not None:
        found = await queries.get_declaration(
            session, scope=ctx.principal.scope, declaration_id=row_id, for_update=True
        )
    if found is None:
        raise NotFound(f"declaration {shown(declaration_id)} not found")
    if found.status is not DeclarationStatus.PENDING:
        raise Conflict(
            f"declaration {shown(declaration_id)} is {found.status.value}; "
            "only PENDING declarations can be verified or rejected"
        )
    return found


async def verify(ctx: Context, declaration_id: str, given: Verification) -> Patient:
    """Turn a PENDING declaration into a patient, or link it to the same person's case."""
    if given.vaccination_doses is not None and not 0 <= given.vaccination_doses <= 10:
        raise BadUserInput("input.vaccinationDoses", rule("must be between 0 and 10"))
    if len(given.comorbidities) > MAX_COMORBIDITIES:
        raise BadUserInput(
            "input.comorbidities", rule("must hold at most {0} items", MAX_COMORBIDITIES)
        )
    if any(not 1 <= len(c.strip()) <= MAX_COMORBIDITY for c in given.comorbidities):
        raise BadUserInput(
            "input.comorbidities", rule("each must be 1 to {0} characters", MAX_COMORBIDITY)
        )
    measured = Vitals(spo2=given.spo2, respiratory_rate=given.respiratory_rate)
    for field, broken in check_ranges(measured):
        raise BadUserInput(f"input.{field}", broken)
    principal = ctx.principal
    now = datetime.now(UTC)
    async with ctx.sessions.begin() as session:
        found = await _pending(session, ctx, declaration_id)
        await patient_queries.lock_identity(session, *_identity_keys(found))
        patient = await patient_queries.find_active_duplicate(
            session,
            national_id=found.national_id,
            phone=found.phone,
            full_name=found.full_name,
            date_of_birth=found.date_of_birth,
        )
        if patient is not None:
            found.status = DeclarationStatus.DUPLICATE
            if found.citizen_subject and patient.citizen_subject is None:
                patient.citizen_subject = found.citizen_subject
        else:
            patient = await _new_patient(session, ctx, found, given, now)
            found.status = DeclarationStatus.VERIFIED
        found.patient_id = patient.id
        if found.contact_id is not None:
            await became_case(session, ctx, found.contact_id, patient)
        await notify.declaration_event(
            session, found, PersonEventKind.DECLARATION_VERIFIED, patient.case_code,
            caseCode=patient.case_code,
        )  # fmt: skip
        found.reviewed_by = principal.subject
        found.reviewed_at = now
        found.review_note = filters.optional_text("input.note", given.note, MAX_REASON)
        await log_change(
            session,
            ctx,
            action=f"DECLARATION_{found.status.value}",
            entity="declaration",
            entity_ids=[str(found.id)],
            detail=f"patient {patient.id}",
        )
    return patient


# who recorded the positive test of each kind of declaration
RECORDED_BY = {
    DeclarationKind.SELF_TEST: Role.CITIZEN,
    DeclarationKind.HOSPITAL_SCREENING: Role.SCREENING_STAFF,
    DeclarationKind.CONTACT_TEST: Role.HEALTH_STAFF,
}


def _identity_keys(found: Declaration) -> list[str]:
    keys = [f"person:{found.phone}|{found.full_name}|{found.date_of_birth.isoformat()}"]
    if found.national_id:
        keys.append(f"national-id:{found.national_id}")
    return keys


async def _new_patient(
    session: AsyncSession, ctx: Context, found: Declaration, given: Verification, now: datetime
) -> Patient:
    today: date = ctx.services.today()
    doses = given.vaccination_doses or 0
    self_test = found.kind is DeclarationKind.SELF_TEST
    fit = home_care(
        age_years=intake.age_on(found.date_of_birth, today),
        symptoms=tuple(found.symptoms),
        comorbidities=given.comorbidities,
        vaccination_doses=doses,
        spo2=given.spo2,
        respiratory_rate=given.respiratory_rate,
    )
    number = await patient_queries.next_case_number(
        session, province_code=found.province_code, year=today.year
    )
    patient = await patient_queries.add_patient(
        session,
        case_code=f"{found.province_code}-{today.year}-{number:06d}",
        status=PatientStatus.HOME_TREATMENT,
        tier=1,
        full_name=found.full_name,
        date_of_birth=found.date_of_birth,
        sex=found.sex,
        national_id=found.national_id,
        phone=found.phone,
        address=found.address,
        home_province_code=found.province_code,
        home_district_code=found.district_code,
        home_commune_code=found.commune_code,
        vaccination_doses=doses,
        pregnant=False,
        breastfeeding=False,
        isolation_started_on=found.tested_on,  # day 1: the day of the positive test
        needs_facility_assessment=not fit.eligible,
        assessment_reason=fit.reason,
        citizen_subject=found.citizen_subject,
        confirmed_at=now,
    )
    await treatment_queries.replace_profile(
        session, patient.id, comorbidities=given.comorbidities, vaccinations=None
    )
    # the positive test that opened the case is the record's first test result; verifying
    # the declaration confirms a home test
    noon = datetime.combine(found.tested_on, time(12), ctx.services.timezone)
    await treatment_queries.add_test(
        session,
        {
            "patient_id": patient.id,
            "kind": found.test_kind,
            "result": TestOutcome.POSITIVE,
            "taken_at": noon,
            "supervision": TestSupervision.SELF if self_test else TestSupervision.STAFF,
            "facility_id": found.facility_id,
            "recorded_by": found.submitted_by,
            "recorded_role": RECORDED_BY[found.kind],
            "confirmed_by": ctx.principal.subject if self_test else None,
            "confirmed_at": now if self_test else None,
            "idempotency_key": f"declaration:{found.id}",
        },
    )
    await treatment_queries.refresh_release(session, patient, ctx.services.timezone)
    await log_change(
        session,
        ctx,
        action="CREATE_PATIENT",
        entity="patient",
        entity_ids=[str(patient.id)],
        detail=f"from declaration {found.id}",
    )
    return patient


async def reject(ctx: Context, declaration_id: str, reason: str) -> Declaration:
    """Reject a PENDING declaration; the reason is shown to the citizen."""
    cleaned = intake.clean_text(reason)
    if not 1 <= len(cleaned) <= MAX_REASON:
        raise BadUserInput("reason", rule("must be 1 to {0} characters after trimming", MAX_REASON))
    principal = ctx.principal
    async with ctx.sessions.begin() as session:
        found = await _pending(session, ctx, declaration_id)
        found.status = DeclarationStatus.REJECTED
        found.rejection_reason = cleaned
        found.reviewed_by = principal.subject
        found.reviewed_at = datetime.now(UTC)
        await notify.declaration_event(
            session, found, PersonEventKind.DECLARATION_REJECTED, reason=cleaned
        )
        await log_change(
            session,
            ctx,
            action="DECLARATION_REJECTED",
            entity="declaration",
            entity_ids=[str(found.id)],
        )
    return found
