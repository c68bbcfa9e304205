"""Patients, always filtered by the caller's scope."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import ColumnElement, and_, bindparam, func, not_, or_, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import CaseCounter, Patient
from db.queries.pagination import keyset_page
from db.queries.rows import contains_pattern
from db.scope import patient_in_area, patient_visible
from domain.enums import ACTIVE_PATIENT_STATUSES, AreaLevel, PatientStatus, Severity
from domain.paging import Page
from domain.scope import Scope


@dataclass(frozen=True)
class PatientQuery:
    """Filters of the patient list."""

    area_code: str | None = None
    area_level: AreaLevel | None = None
    statuses: tuple[PatientStatus, ...] = ()
    severities: tuple[Severity, ...] = ()
    tier: int | None = None
    facility_id: int | None = None
    # with `overdue_before`: True keeps only patients at home without a report since then
    report_overdue: bool | None = None
    overdue_before: datetime | None = None
    search: str | None = None
    # with `today`: True keeps only patients at home whose release is due (the work list)
    release_due: bool | None = None
    today: date | None = None


def overdue(cutoff: datetime) -> ColumnElement[bool]:
    """Patients at home whose latest report (or confirmation) is older than `cutoff`."""
    return and_(
        Patient.status == PatientStatus.HOME_TREATMENT,
        func.coalesce(Patient.last_report_at, Patient.confirmed_at) < cutoff,
    )


def patient_conditions(scope: Scope, query: PatientQuery) -> list[ColumnElement[bool]]:
    """The WHERE conditions of the patient list: the scope and every given filter."""
    conditions = [patient_visible(scope)]
    if query.area_code is not None and query.area_level is not None:
        conditions.append(patient_in_area(query.area_code, query.area_level))
    if query.statuses:
        conditions.append(Patient.status.in_(query.statuses))
    if query.severities:
        conditions.append(Patient.severity.in_(query.severities))
    if query.tier is not None:
        conditions.append(Patient.tier == query.tier)
    if query.facility_id is not None:
        conditions.append(Patient.facility_id == query.facility_id)
    if query.report_overdue is not None and query.overdue_before is not None:
        late = overdue(query.overdue_before)
        conditions.append(late if query.report_overdue else not_(late))
    if query.release_due is not None and query.today is not None:
        due = and_(
            Patient.status == PatientStatus.HOME_TREATMENT, Patient.release_due_on <= query.today
        )
        conditions.append(due if query.release_due else not_(due))
    if query.search:
        pattern = contains_pattern(query.search)
        conditions.append(or_(Patient.full_name.ilike(pattern), Patient.phone.like(pattern)))
    return conditions


async def get_patient(session: AsyncSession, *, scope: Scope, patient_id: int) -> Patient | None:
    """One patient, or None when unknown or out of scope."""
    stmt = select(Patient).where(Patient.id == patient_id, patient_visible(scope))
    found: Patient | None = await session.scalar(stmt)
    return found


async def patients_by_ids(
    session: AsyncSession, *, scope: Scope, ids: Sequence[int]
) -> list[Patient]:
    """The visible patients among `ids`, in no particular order."""
    stmt = select(Patient).where(Patient.id.in_(ids), patient_visible(scope))
    return list(await session.scalars(stmt))


async def list_patients(
    session: AsyncSession,
    *,
    scope: Scope,
    query: PatientQuery,
    first: int,
    after_id: int | None,
    with_total: bool = True,
) -> Page[Patient]:
    """Newest first (by id), `first` rows after the cursor, with the total count if asked."""
    conditions = patient_conditions(scope, query)
    return await keyset_page(
        session, Patient, conditions, first=first, after_id=after_id, with_total=with_total
    )


async def lock_identity(session: AsyncSession, *keys: str) -> None:
    """Serialise, until commit, every transaction that creates or matches a patient with
    one of these identity keys, so two declarations of one person make one patient."""
    for key in sorted(set(keys)):
        await session.execute(select(func.pg_advisory_xact_lock(func.hashtextextended(key, 0))))


async def find_active_duplicate(
    session: AsyncSession,
    *,
    national_id: str | None,
    phone: str | None,
    full_name: str,
    date_of_birth: date | None,
) -> Patient | None:
    """A patient not yet discharged with the same national ID, or the same phone, full
    name and date of birth (whole-table search: identity is not limited by scope); None
    when neither key is known."""
    same = []
    if national_id:
        same.append(Patient.national_id == national_id)
    if phone and date_of_birth:
        same.append(
            and_(
                Patient.phone == phone,
                Patient.full_name == full_name,
                Patient.date_of_birth == date_of_birth,
            )
        )
    if not same:
        return None
    stmt = (
        select(Patient)
        .where(or_(*same), Patient.status.in_(ACTIVE_PATIENT_STATUSES))
        .order_by(Patient.id)
        .limit(1)
    )
    found: Patient | None = await session.scalar(stmt)
    return found


async def next_case_number(session: AsyncSession, *, province_code: str, year: int) -> int:
    """The next number of the per-province, per-year case sequence (locks that counter)."""
    stmt = (
        insert(CaseCounter)
        .values(province_code=province_code, year=year, last_value=1)
        .on_conflict_do_update(
            index_elements=[CaseCounter.province_code, CaseCounter.year],
            set_={"last_value": CaseCounter.last_value + 1},
        )
        .returning(CaseCounter.last_value)
    )
    return int((await session.execute(stmt)).scalar_one())


async def add_patient(session: AsyncSession, **values: object) -> Patient:
    """Insert a patient row."""
    patient = Patient(**values)
    session.add(patient)
    await session.flush()
    return patient


# built once: a citizen's report or SOS only binds the subject
_OWN_PATIENT = (
    select(Patient)
    .where(Patient.citizen_subject == bindparam("subject"))
    .order_by(Patient.status.in_(ACTIVE_PATIENT_STATUSES).desc(), Patient.id.desc())
    .limit(1)
    .with_for_update()
)


async def own_patient(session: AsyncSession, *, subject: str) -> Patient | None:
    """A citizen's patient record, locked: the newest in treatment, else the newest."""
    found: Patient | None = await session.scalar(_OWN_PATIENT, {"subject": subject})
    return found
