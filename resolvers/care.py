"""Home treatment: health reports, clinical notes, contact updates, discharge."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from db.models import ClinicalNote, HealthReport, Patient
from db.queries import alerts, reports
from db.queries import transfers as transfer_queries
from db.queries import users as user_queries
from domain import intake, release
from domain.clinical import Vitals, assess, check_ranges
from domain.enums import (
    AlertKind,
    DischargeOutcome,
    PatientStatus,
    Role,
    Severity,
    Sex,
)
from domain.notifications import PersonEventKind
from domain.text import Texts, rule
from resolvers import filters, notify
from resolvers.audit import log_change
from resolvers.context import Context
from resolvers.errors import BadUserInput, Conflict, Forbidden, InvalidInput
from resolvers.ids import parse_id
from resolvers.patients import lock_acting_for, lock_visible, require_active
from resolvers.treatment import issue_certificate

MAX_NOTE = 2000
SEVERITY_ORDER = list(Severity)


@dataclass(frozen=True)
class ReportInput:
    """A health report as submitted."""

    idempotency_key: str
    patient_id: str | None
    vitals: Vitals
    note: str | None


async def submit_report(ctx: Context, given: ReportInput) -> HealthReport:
    """Store a report judged by the rule set; update the patient; raise a VITAL_SIGNS alert
    when a warning sign is found. A retry with the same key returns the first report."""
    problems = check_ranges(given.vitals)
    if not 1 <= len(given.idempotency_key.strip()) <= 128:
        problems.append(("idempotencyKey", rule("must be 1 to 128 characters")))
    if given.note is not None and len(given.note) > MAX_NOTE:
        problems.append(("note", rule("must be at most {0} characters", MAX_NOTE)))
    if problems:
        raise InvalidInput([(f"input.{field}", broken) for field, broken in problems])
    principal = ctx.principal
    async with ctx.sessions.begin() as session:
        patient = await lock_acting_for(session, ctx, given.patient_id)
        require_active(patient, "accept health reports")
        now = datetime.now(UTC)
        today = now.astimezone(ctx.services.timezone).date()
        judged = assess(given.vitals, age_years=intake.age_on(patient.date_of_birth, today))
        vitals = given.vitals
        report, created = await reports.insert_report(
            session,
            {
                "patient_id": patient.id,
                "province_code": patient.home_province_code,
                "reported_at": now,
                "spo2": vitals.spo2,
                "temperature": None
                if vitals.temperature is None
                else Decimal(f"{vitals.temperature:.1f}"),
                "pulse": vitals.pulse,
                "respiratory_rate": vitals.respiratory_rate,
                "systolic": vitals.systolic,
                "diastolic": vitals.diastolic,
                "symptoms": list(dict.fromkeys(vitals.symptoms)),
                "note": intake.clean_text(given.note) if given.note else None,
                "severity": judged.severity,
                "warning_signs": list(judged.warning_signs),
                "recommended_tier": judged.recommended_tier,
                "rule_set": judged.rule_set,
                "submitted_by": principal.subject,
                "submitted_role": principal.role,
                "idempotency_key": given.idempotency_key.strip(),
            },
        )
        if not created:
            return report
        await reports.note_report(session, patient_id=patient.id, severity=judged.severity, at=now)
        if judged.findings:
            await _vital_signs_alert(
                session,
                patient,
                judged.severity,
                judged.messages(patient.tier),
                judged.rule_set,
                principal.subject,
            )
        await log_change(
            session,
            ctx,
            action="SUBMIT_HEALTH_REPORT",
            entity="patient",
            entity_ids=[str(patient.id)],
            detail=f"report {report.id}, {judged.severity.value}",
        )
    return report


async def _vital_signs_alert(
    session: AsyncSession,
    patient: Patient,
    severity: Severity,
    message: Texts,
    rule_set: str,
    by: str,
) -> None:
    existing = await alerts.open_alert(session, patient_id=patient.id, kind=AlertKind.VITAL_SIGNS)
    if existing is None:
        await alerts.raise_alert(
            session,
            patient=patient,
            kind=AlertKind.VITAL_SIGNS,
            severity=severity,
            message=message,
            raised_by=by,
            rule_set=rule_set,
        )
        return
    # one open vital-signs alert per patient: a new report updates it instead of piling up
    existing.message, existing.message_en = message.vi, message.en
    existing.rule_set = rule_set
    existing.press_count += 1
    existing.last_pressed_at = datetime.now(UTC)
    if SEVERITY_ORDER.index(severity) > SEVERITY_ORDER.index(existing.severity):
        existing.severity = severity


async def add_note(ctx: Context, patient_id: str, text: str) -> ClinicalNote:
    """A treatment or care note on a patient in scope."""
    cleaned = text.strip()
    if not 1 <= len(cleaned) <= MAX_NOTE:
        raise BadUserInput("text", rule("must be 1 to {0} characters after trimming", MAX_NOTE))
    principal = ctx.principal
    async with ctx.sessions.begin() as session:
        patient = await lock_visible(session, ctx, patient_id)
        note = await reports.add_note(
            session,
            patient_id=patient.id,
            text=cleaned,
            author=principal.subject,
            author_role=principal.role,
        )
        await log_change(
            session,
            ctx,
            action="ADD_CLINICAL_NOTE",
            entity="patient",
            entity_ids=[str(patient.id)],
        )
    return note


@dataclass(frozen=True)
class Identity:
    """Corrections to who the patient is; None leaves a field as it is."""

    full_name: str | None = None
    date_of_birth: date | None = None
    sex: Sex | None = None
    national_id: str | None = None


@dataclass(frozen=True)
class PatientChanges:
    """Contact, assignment and identity changes; None leaves a field as it is."""

    phone: str | None = None
    address: str | None = None
    assigned_staff_id: str | None = None
    identity: Identity = Identity()
    reason: str | None = None


def _identity_problems(
    identity: Identity, reason: str | None, today: date
) -> tuple[Identity, list[tuple[str, Texts]]]:
    """The cleaned identity corrections and the rules they break."""
    given = intake.Person(
        full_name=identity.full_name,
        national_id=identity.national_id,
        date_of_birth=identity.date_of_birth,
    )
    person, problems = intake.check_person("input", given, today=today)
    cleaned = Identity(person.full_name, person.date_of_birth, identity.sex, person.national_id)
    if cleaned != Identity() and not (reason and reason.strip()):
        problems.append(("input.reason", rule("correcting the identity needs a reason")))
    return cleaned, problems


async def update_patient(ctx: Context, patient_id: str, changes: PatientChanges) -> Patient:
    """Change contact details or the assigned staff member of a patient in scope."""
    problems: list[tuple[str, Texts]] = []
    phone = intake.clean_phone(changes.phone) if changes.phone is not None else None
    if changes.phone is not None and phone is None:
        problems.append(
            (
                "input.phone",
                rule("must be a Vietnamese mobile number: 10 digits starting 0, or +84"),
            )
        )
    address = intake.clean_text(changes.address) if changes.address is not None else None
    if address is not None and not 1 <= len(address) <= intake.ADDRESS_LENGTH[1]:
        problems.append(("input.address", rule("must be 1 to 300 characters after trimming")))
    identity, wrong = _identity_problems(changes.identity, changes.reason, ctx.services.today())
    problems += wrong
    reason = filters.optional_text("input.reason", changes.reason, MAX_NOTE)
    if problems:
        raise InvalidInput(problems)
    async with ctx.sessions.begin() as session:
        patient = await lock_visible(session, ctx, patient_id)
        fields: list[str] = []
        if phone is not None:
            patient.phone, fields = phone, [*fields, "phone"]
        if address is not None:
            patient.address, fields = address, [*fields, "address"]
        if changes.assigned_staff_id is not None:
            patient.assigned_staff_id = await _staff_for(
                session, patient, changes.assigned_staff_id
            )
            fields.append("assignedStaffId")
        previous = _correct(patient, identity)
        patient.updated_at = datetime.now(UTC)
        await log_change(
            session,
            ctx,
            action="UPDATE_PATIENT",
            entity="patient",
            entity_ids=[str(patient.id)],
            fields=fields,
        )
        if previous:
            # the values replaced, kept in the audit log (readable by auditors only)
            await log_change(
                session,
                ctx,
                action="CORRECT_IDENTITY",
                entity="patient",
                entity_ids=[str(patient.id)],
                fields=sorted(previous),
                detail=json.dumps({"reason": reason, "previous": previous}, ensure_ascii=False),
            )
    return patient


def _correct(patient: Patient, identity: Identity) -> dict[str, str | None]:
    """Apply identity corrections; the previous value of each field that changed."""
    previous: dict[str, str | None] = {}
    wanted = {
        "fullName": ("full_name", identity.full_name),
        "dateOfBirth": ("date_of_birth", identity.date_of_birth),
        "sex": ("sex", identity.sex),
        "nationalId": ("national_id", identity.national_id),
    }
    for field, (attribute, value) in wanted.items():
        old = getattr(patient, attribute)
        if value is not None and value != old:
            shown = old.isoformat() if isinstance(old, date) else old
            previous[field] = shown.value if isinstance(shown, Sex) else shown
            setattr(patient, attribute, value)
    return previous


async def _staff_for(session: AsyncSession, patient: Patient, staff_id: str) -> int:
    row_id = parse_id(staff_id)
    staff = None if row_id is None else await user_queries.user_by_id(session, row_id)
    home = {patient.home_province_code, patient.home_district_code, patient.home_commune_code}
    if staff is None or staff.role not in (Role.HEALTH_STAFF, Role.LOCAL_OFFICIAL):
        raise BadUserInput(
            "input.assignedStaffId",
            rule("must be the id of a health staff member or local official"),
        )
    if staff.area_code not in home:
        raise BadUserInput(
            "input.assignedStaffId",
            rule("the staff member must work for an area containing the patient's commune"),
        )
    return staff.id


@dataclass(frozen=True)
class Discharge:
    """How treatment ended; `override_reason`: why RECOVERED goes ahead although the release
    rule does not hold yet (health staff only)."""

    outcome: DischargeOutcome
    note: str | None = None
    override_reason: str | None = None


async def discharge(ctx: Context, patient_id: str, given: Discharge) -> Patient:
    """End treatment. RECOVERED needs the release rule to hold today (`Patient.isolation`),
    or a health worker's override with a reason (audited, kept on the record)."""
    note = filters.optional_text("input.note", given.note, MAX_NOTE)
    override = filters.optional_text("input.override.reason", given.override_reason, MAX_NOTE)
    if given.override_reason is not None and not override:
        raise BadUserInput("input.override.reason", rule("must say why the rule is overridden"))
    principal = ctx.principal
    now, today = datetime.now(UTC), ctx.services.today()
    async with ctx.sessions.begin() as session:
        patient = await lock_visible(session, ctx, patient_id)
        require_active(patient, "be discharged")
        due = release.release_due(patient.release_due_on, today)
        if given.outcome is DischargeOutcome.RECOVERED and not due:
            if override is None:
                raise Conflict(_not_due(patient, today))
            if principal.role is not Role.HEALTH_STAFF:
                raise Forbidden("only health staff may override the release rule")
            patient.discharge_override_reason = override
        at_home = patient.status is PatientStatus.HOME_TREATMENT
        patient.status = PatientStatus(given.outcome.value)
        patient.discharge_outcome = given.outcome
        patient.discharge_note = note
        patient.discharged_at = now
        patient.updated_at = now
        certificate = None
        if given.outcome is DischargeOutcome.RECOVERED and at_home:
            certificate = (await issue_certificate(session, ctx, patient, today)).number
        await notify.patient_event(
            session, patient, PersonEventKind.DISCHARGED, f"discharge {patient.id}",
            outcome=given.outcome.value, certificate=certificate,
        )  # fmt: skip
        await alerts.resolve_all(
            session, patient_id=patient.id, by=principal.subject, note="patient discharged", at=now
        )
        await transfer_queries.cancel_open(
            session, patient_id=patient.id, by=principal.subject, reason="patient discharged"
        )
        await log_change(
            session,
            ctx,
            action="DISCHARGE_PATIENT",
            entity="patient",
            entity_ids=[str(patient.id)],
            detail=given.outcome.value
            + (
                f"; release rule overridden: {override}"
                if patient.discharge_override_reason
                else ""
            ),
        )
    return patient


def _not_due(patient: Patient, today: date) -> str:
    """Why the release rule does not hold today, naming the rule and the days."""
    day = release.day_number(patient.isolation_started_on, today)
    rule = patient.release_rule_set
    if patient.release_due_on is not None:
        due = release.day_number(patient.isolation_started_on, patient.release_due_on)
        return (
            f"release rule {rule}: release is due on day {due} "
            f"({patient.release_due_on.isoformat()}), today is day {day}"
        )
    test = patient.required_test.value if patient.required_test else "test"
    return (
        f"release rule {rule}: a negative {test} on or after "
        f"{patient.earliest_release_on.isoformat()} is needed before release, today is day {day}"
    )
