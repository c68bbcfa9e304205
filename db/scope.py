"""Row visibility as SQL predicates (DESIGN.md §5). Every list, single fetch, loader and
aggregate over personal rows goes through these; out of scope is the same as absent."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import (
    ARRAY,
    BigInteger,
    ColumnElement,
    Select,
    Text,
    and_,
    any_,
    cast,
    exists,
    false,
    func,
    or_,
    select,
    true,
)
from sqlalchemy.orm import aliased
from sqlalchemy.orm.util import AliasedClass

from db.models import (
    Area,
    AuditEntry,
    Contact,
    ContactSource,
    Declaration,
    Facility,
    Patient,
    Transfer,
    User,
)
from domain.enums import OPEN_TRANSFER_STATUSES, AreaLevel, Role
from domain.scope import Scope

PATIENT_AREA_COLUMN = {
    AreaLevel.PROVINCE: Patient.home_province_code,
    AreaLevel.DISTRICT: Patient.home_district_code,
    AreaLevel.COMMUNE: Patient.home_commune_code,
}


def in_area(columns: Mapping[AreaLevel, Any], code: str, level: AreaLevel) -> ColumnElement[bool]:
    """Rows whose denormalised area column for `level` is `code`; every row for the country."""
    if level is AreaLevel.COUNTRY:
        return true()
    return columns[level] == code  # type: ignore[no-any-return]


def patient_in_area(code: str, level: AreaLevel) -> ColumnElement[bool]:
    """Patients whose home commune lies inside the area `code` of `level`."""
    return in_area(PATIENT_AREA_COLUMN, code, level)


def patient_visible(scope: Scope) -> ColumnElement[bool]:
    """Patients the scope may see at all."""
    if scope.area_bound and scope.area_code and scope.area_level:
        return patient_in_area(scope.area_code, scope.area_level)
    if scope.facility_bound and scope.facility_id is not None:
        incoming = select(Transfer.patient_id).where(
            Transfer.to_facility_id == scope.facility_id,
            Transfer.status.in_(OPEN_TRANSFER_STATUSES),
        )
        return or_(Patient.facility_id == scope.facility_id, Patient.id.in_(incoming))
    if scope.citizen:
        return Patient.citizen_subject == scope.subject
    return false()


DECLARATION_AREA_COLUMN = {
    AreaLevel.PROVINCE: Declaration.province_code,
    AreaLevel.DISTRICT: Declaration.district_code,
    AreaLevel.COMMUNE: Declaration.commune_code,
}


def declaration_in_area(code: str, level: AreaLevel) -> ColumnElement[bool]:
    """Declarations whose commune lies inside the area `code` of `level`."""
    return in_area(DECLARATION_AREA_COLUMN, code, level)


def declaration_visible(scope: Scope) -> ColumnElement[bool]:
    """Declarations the scope may see: its area's, its facility's, or a citizen's own."""
    if scope.area_bound and scope.area_code and scope.area_level:
        return declaration_in_area(scope.area_code, scope.area_level)
    if scope.facility_bound and scope.facility_id is not None:
        return Declaration.facility_id == scope.facility_id
    if scope.citizen:
        return Declaration.citizen_subject == scope.subject
    return false()


def contact_area_columns(
    contacts: type[Contact] | AliasedClass[Contact],
) -> dict[AreaLevel, Any]:
    """The denormalised area columns of the contacts table (or an alias of it)."""
    return {
        AreaLevel.PROVINCE: contacts.province_code,
        AreaLevel.DISTRICT: contacts.district_code,
        AreaLevel.COMMUNE: contacts.commune_code,
    }


CONTACT_AREA_COLUMN = contact_area_columns(Contact)
FACILITY_AREA_COLUMN = {
    AreaLevel.PROVINCE: Facility.province_code,
    AreaLevel.DISTRICT: Facility.district_code,
    AreaLevel.COMMUNE: Facility.area_code,
}


def contact_visible(scope: Scope) -> ColumnElement[bool]:
    """Contacts the scope may see: those living in its area (theirs to follow), those of a
    case of its area (any of the cases they were exposed to), and the contacts of such a
    contact; a citizen, the contacts of their own record and their own contact record.
    Nobody else."""
    if scope.area_bound and scope.area_code and scope.area_level:
        source = aliased(Contact)
        of_contacts = select(source.id).where(
            _followed_by(source, scope.area_code, scope.area_level)
        )
        return or_(
            _followed_by(Contact, scope.area_code, scope.area_level),
            Contact.source_contact_id.in_(of_contacts),
        )
    if scope.citizen:
        own = (
            select(ContactSource.contact_id)
            .join(Patient, Patient.id == ContactSource.patient_id)
            .where(Patient.citizen_subject == scope.subject)
        )
        return or_(Contact.id.in_(own), Contact.citizen_subject == scope.subject)
    return false()


def _followed_by(
    contacts: type[Contact] | AliasedClass[Contact], code: str, level: AreaLevel
) -> ColumnElement[bool]:
    """Contacts (of the table or an alias) living in the area or listed by a case of it."""
    of_cases = (
        select(ContactSource.contact_id)
        .join(Patient, Patient.id == ContactSource.patient_id)
        .where(patient_in_area(code, level))
    )
    return or_(in_area(contact_area_columns(contacts), code, level), contacts.id.in_(of_cases))


AREA_LEVEL_COLUMN = {
    AreaLevel.PROVINCE: Area.province_code,
    AreaLevel.DISTRICT: Area.district_code,
    AreaLevel.COMMUNE: Area.code,
}


def areas_inside(code: str, level: AreaLevel) -> Select[str]:
    """The codes of the areas inside the area `code` of `level` (itself included)."""
    return select(Area.code).where(in_area(AREA_LEVEL_COLUMN, code, level))


def user_in_area(code: str, level: AreaLevel) -> ColumnElement[bool]:
    """Accounts working inside the area: of an area, or of a facility, inside it."""
    inside = areas_inside(code, level)
    facilities = select(Facility.id).where(Facility.area_code.in_(inside))
    return or_(User.area_code.in_(inside), User.facility_id.in_(facilities))


def user_visible(scope: Scope) -> ColumnElement[bool]:
    """Accounts an administrator runs: those working inside its area (itself included).
    Nobody else sees accounts."""
    if scope.role is Role.ADMIN and scope.area_code and scope.area_level:
        return user_in_area(scope.area_code, scope.area_level)
    return false()


def audit_visible(scope: Scope) -> ColumnElement[bool]:
    """Audit entries an administrator reviews: those made by people working inside its
    area (as the entry recorded it, or by the accounts of its area) and those about
    patients, declarations, contacts or accounts of its area. Nobody else reads the log."""
    if scope.role is not Role.ADMIN or not scope.area_code or not scope.area_level:
        return false()
    code, level = scope.area_code, scope.area_level
    inside = areas_inside(code, level)
    facilities = select(cast(Facility.id, Text)).where(Facility.area_code.in_(inside))
    where = AuditEntry.organisation
    by = or_(
        and_(where.startswith("area:"), func.substr(where, 6).in_(inside)),
        and_(where.startswith("facility:"), func.substr(where, 10).in_(facilities)),
        AuditEntry.subject.in_(select(User.username).where(user_visible(scope))),
    )
    ids = any_(cast(AuditEntry.entity_ids, ARRAY(BigInteger)))
    about = {
        "patient": select(Patient.id).where(Patient.id == ids, patient_in_area(code, level)),
        "declaration": select(Declaration.id).where(
            Declaration.id == ids, declaration_in_area(code, level)
        ),
        "contact": select(Contact.id).where(
            Contact.id == ids, in_area(CONTACT_AREA_COLUMN, code, level)
        ),
        "user": select(User.id).where(User.id == ids, user_visible(scope)),
    }
    return or_(
        by, *(and_(AuditEntry.entity == entity, exists(rows)) for entity, rows in about.items())
    )


def visible_of(kind: str, scope: Scope) -> ColumnElement[bool]:
    """Rows of a kind the scope may see: patients, declarations and contacts by their rules
    above; reference data (areas, facilities) by everyone."""
    if kind == "patient":
        return patient_visible(scope)
    if kind == "declaration":
        return declaration_visible(scope)
    if kind == "contact":
        return contact_visible(scope)
    if kind == "user":
        return user_visible(scope)
    return true()


def patient_holdable(scope: Scope) -> ColumnElement[bool]:
    """Patients the scope may act on as the responsible side: its area's, or those held at
    its facility (not merely expected there)."""
    if scope.area_bound and scope.area_code and scope.area_level:
        return patient_in_area(scope.area_code, scope.area_level)
    if scope.facility_bound and scope.facility_id is not None:
        return Patient.facility_id == scope.facility_id
    return false()


def transfer_visible(scope: Scope) -> ColumnElement[bool]:
    """Transfers of visible patients: a transfer never shows a patient out of scope."""
    return Transfer.patient_id.in_(select(Patient.id).where(patient_visible(scope)))


def transfer_receivable(scope: Scope) -> ColumnElement[bool]:
    """Transfers the scope receives: to its facility, or home to its area (no facility)."""
    if scope.facility_bound and scope.facility_id is not None:
        return Transfer.to_facility_id == scope.facility_id
    if scope.area_bound and scope.area_code and scope.area_level:
        home = select(Patient.id).where(patient_in_area(scope.area_code, scope.area_level))
        return and_(Transfer.to_facility_id.is_(None), Transfer.patient_id.in_(home))
    return false()


def transfer_cancellable(scope: Scope) -> ColumnElement[bool]:
    """Transfers the scope may cancel as the requesting side: from its facility, or of a
    patient of its area that was not requested by a facility."""
    if scope.facility_bound and scope.facility_id is not None:
        return Transfer.from_facility_id == scope.facility_id
    if scope.area_bound and scope.area_code and scope.area_level:
        home = select(Patient.id).where(patient_in_area(scope.area_code, scope.area_level))
        return and_(Transfer.from_facility_id.is_(None), Transfer.patient_id.in_(home))
    return false()
