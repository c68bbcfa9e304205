"""Tables of DESIGN.md §4. Scope columns (province, district, commune codes) come first in
the indexes that list queries use, so that rows can later be sharded by province."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Identity,
    Index,
    Integer,
    Numeric,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import Mapped, mapped_column

from db.base import Base, enum_column, now_column
from domain.enums import (
    AlertEventType,
    AlertKind,
    AlertStatus,
    AreaEdition,
    AreaLevel,
    ContactRelation,
    ContactStatus,
    DeclarationKind,
    DeclarationStatus,
    DischargeOutcome,
    ExposureSetting,
    FacilityKind,
    MedicationPackage,
    MedicationStatus,
    PatientStatus,
    RehomingKind,
    RehomingReason,
    Role,
    Severity,
    Sex,
    TestKind,
    TestOutcome,
    TestSupervision,
    TransferStatus,
)
from domain.notifications import PersonEventKind

AREA_CODE = String(8)
TEXT_ARRAY = ARRAY(Text)


class Area(Base):
    """An administrative area: the country (root), a province, district or commune (official
    code)."""

    __tablename__ = "areas"

    code: Mapped[str] = mapped_column(AREA_CODE, primary_key=True)
    name: Mapped[str] = mapped_column(Text)
    level: Mapped[AreaLevel] = mapped_column(enum_column(AreaLevel, "area_level"))
    division_type: Mapped[str] = mapped_column(Text)
    codename: Mapped[str] = mapped_column(Text)
    parent_code: Mapped[str | None] = mapped_column(ForeignKey("areas.code"))
    province_code: Mapped[str | None] = mapped_column(AREA_CODE)  # None for the country
    district_code: Mapped[str | None] = mapped_column(AREA_CODE)  # None in two-tier editions
    # the edition of the map in use (every row has the same: the deployment's edition)
    edition: Mapped[AreaEdition] = mapped_column(
        enum_column(AreaEdition, "area_edition"), server_default=text("'VN_2021'")
    )

    __table_args__ = (
        Index("ix_areas_parent_code_name", "parent_code", "name"),
        Index("ix_areas_level_code", "level", "code"),
    )


class AreaUnit(Base):
    """An area of any edition of the map (reference data: the edition in use is also in
    `areas`, which every record refers to). Codes repeat across editions."""

    __tablename__ = "area_units"

    edition: Mapped[AreaEdition] = mapped_column(
        enum_column(AreaEdition, "area_edition"), primary_key=True
    )
    code: Mapped[str] = mapped_column(AREA_CODE, primary_key=True)
    name: Mapped[str] = mapped_column(Text)
    level: Mapped[AreaLevel] = mapped_column(enum_column(AreaLevel, "area_level"))
    division_type: Mapped[str] = mapped_column(Text)
    codename: Mapped[str] = mapped_column(Text)
    parent_code: Mapped[str | None] = mapped_column(AREA_CODE)
    province_code: Mapped[str | None] = mapped_column(AREA_CODE)
    district_code: Mapped[str | None] = mapped_column(AREA_CODE)

    __table_args__ = (Index("ix_area_units_parent", "edition", "parent_code", "code"),)


class AreaSuccession(Base):
    """An area of one edition continued (wholly or in `part`) by one of a later edition:
    the official conversion table, by code."""

    __tablename__ = "area_successions"

    from_edition: Mapped[AreaEdition] = mapped_column(
        enum_column(AreaEdition, "from_edition"), primary_key=True
    )
    from_code: Mapped[str] = mapped_column(AREA_CODE, primary_key=True)
    to_edition: Mapped[AreaEdition] = mapped_column(
        enum_column(AreaEdition, "to_edition"), primary_key=True
    )
    to_code: Mapped[str] = mapped_column(AREA_CODE, primary_key=True)
    # the old area was split: only part of it went to this one
    part: Mapped[bool] = mapped_column(Boolean)

    __table_args__ = (Index("ix_area_successions_to", "to_edition", "to_code"),)


class Facility(Base):
    """A health facility: commune station (tier 1), hospital (tier 2/3), screening hospital."""

    __tablename__ = "facilities"

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    name: Mapped[str] = mapped_column(Text)
    kind: Mapped[FacilityKind] = mapped_column(enum_column(FacilityKind, "facility_kind"))
    tier: Mapped[int] = mapped_column(SmallInteger)
    area_code: Mapped[str] = mapped_column(ForeignKey("areas.code"))
    province_code: Mapped[str] = mapped_column(AREA_CODE)
    district_code: Mapped[str | None] = mapped_column(AREA_CODE)
    bed_capacity: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = now_column()
    # from the latest bed report: beds taken by patients f0care does not follow
    beds_occupied_outside: Mapped[int | None] = mapped_column(Integer)
    active: Mapped[bool] = mapped_column(Boolean, server_default=text("true"))

    __table_args__ = (
        CheckConstraint("tier BETWEEN 1 AND 3", name="tier_range"),
        CheckConstraint("bed_capacity IS NULL OR bed_capacity >= 0", name="bed_capacity_positive"),
        UniqueConstraint("area_code", "name"),
        Index("ix_facilities_province_tier", "province_code", "tier", "id"),
    )


class User(Base):
    """A staff or service account."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str | None] = mapped_column(Text)
    full_name: Mapped[str] = mapped_column(Text)
    role: Mapped[Role] = mapped_column(enum_column(Role, "role"))
    area_code: Mapped[str | None] = mapped_column(ForeignKey("areas.code"))
    facility_id: Mapped[int | None] = mapped_column(ForeignKey("facilities.id"))
    is_active: Mapped[bool] = mapped_column(Boolean, server_default=text("true"))
    created_at: Mapped[datetime] = now_column()
    phone: Mapped[str | None] = mapped_column(String(16))
    # a password an administrator set (new account, reset): changed at the next sign-in
    must_change_password: Mapped[bool] = mapped_column(Boolean, server_default=text("false"))
    # tokens carry the version they were issued at; a lower one is refused (raised by a
    # deactivation, a new role or area, a reset or a password change)
    token_version: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    deactivated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    changed_at: Mapped[datetime] = now_column()  # every server process re-reads from here

    __table_args__ = (
        Index("ix_users_area_code_role", "area_code", "role"),
        Index("ix_users_changed_at", "changed_at"),
    )


class Patient(Base):
    """An F0 case under management."""

    __tablename__ = "patients"

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    case_code: Mapped[str] = mapped_column(String(32), unique=True)
    status: Mapped[PatientStatus] = mapped_column(enum_column(PatientStatus, "patient_status"))
    tier: Mapped[int] = mapped_column(SmallInteger, server_default=text("1"))
    facility_id: Mapped[int | None] = mapped_column(ForeignKey("facilities.id"))
    severity: Mapped[Severity | None] = mapped_column(enum_column(Severity, "severity"))
    full_name: Mapped[str] = mapped_column(Text)
    date_of_birth: Mapped[date] = mapped_column(Date)
    sex: Mapped[Sex] = mapped_column(enum_column(Sex, "sex"))
    national_id: Mapped[str | None] = mapped_column(String(12))
    phone: Mapped[str] = mapped_column(String(16))
    address: Mapped[str] = mapped_column(Text)
    home_province_code: Mapped[str] = mapped_column(AREA_CODE)
    home_district_code: Mapped[str | None] = mapped_column(AREA_CODE)  # None: two-tier map
    home_commune_code: Mapped[str] = mapped_column(ForeignKey("areas.code"))
    vaccination_doses: Mapped[int] = mapped_column(SmallInteger, server_default=text("0"))
    pregnant: Mapped[bool] = mapped_column(Boolean, server_default=text("false"))
    breastfeeding: Mapped[bool] = mapped_column(Boolean, server_default=text("false"))
    # release from isolation (domain/release.py), kept current by every test recorded
    isolation_started_on: Mapped[date] = mapped_column(Date)  # day 1
    earliest_release_on: Mapped[date] = mapped_column(Date)
    release_due_on: Mapped[date | None] = mapped_column(Date)  # null: a test is needed
    required_test: Mapped[TestKind | None] = mapped_column(enum_column(TestKind, "test_kind"))
    release_rule_set: Mapped[str] = mapped_column(String(32))
    needs_facility_assessment: Mapped[bool] = mapped_column(Boolean, server_default=text("false"))
    assessment_reason: Mapped[str | None] = mapped_column(Text)
    assigned_staff_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    citizen_subject: Mapped[str | None] = mapped_column(String(128))
    confirmed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    last_report_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    discharged_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    discharge_outcome: Mapped[DischargeOutcome | None] = mapped_column(
        enum_column(DischargeOutcome, "discharge_outcome")
    )
    discharge_note: Mapped[str | None] = mapped_column(Text)
    discharge_override_reason: Mapped[str | None] = mapped_column(Text)
    # adverse effects of a molnupiravir course are asked for until this day
    adverse_follow_up_until: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = now_column()
    updated_at: Mapped[datetime] = now_column()

    __table_args__ = (
        CheckConstraint("tier BETWEEN 1 AND 3", name="tier_range"),
        CheckConstraint("vaccination_doses >= 0", name="doses_positive"),
        Index("ix_patients_province_id", "home_province_code", "id"),
        Index("ix_patients_district_id", "home_district_code", "id"),
        Index("ix_patients_commune_id", "home_commune_code", "id"),
        Index("ix_patients_facility_id", "facility_id", "id"),
        Index("ix_patients_province_status", "home_province_code", "status"),
        Index("ix_patients_national_id", "national_id"),
        Index("ix_patients_phone_dob", "phone", "date_of_birth"),
        Index("ix_patients_citizen_subject", "citizen_subject"),
        Index("ix_patients_facility_status", "facility_id", "status"),  # occupancy
        # the commune's release work list
        Index("ix_patients_commune_release_due", "home_commune_code", "release_due_on"),
    )


class RecoveryCertificate(Base):
    """The recovery certificate ("giấy xác nhận hoàn thành cách ly/điều trị tại nhà") the
    commune health station issues at a RECOVERED discharge from home treatment: one per
    patient. What a verifier may see is kept as issued (initials, birth year)."""

    __tablename__ = "recovery_certificates"

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id"), unique=True)
    number: Mapped[str] = mapped_column(String(32), unique=True)
    verification_code: Mapped[str] = mapped_column(String(16))
    issued_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    issued_by: Mapped[str] = mapped_column(String(128))
    issuer_name: Mapped[str] = mapped_column(Text)
    issuer_area_code: Mapped[str] = mapped_column(ForeignKey("areas.code"))
    period_from: Mapped[date] = mapped_column(Date)
    period_to: Mapped[date] = mapped_column(Date)
    holder_initials: Mapped[str] = mapped_column(String(32))
    holder_birth_year: Mapped[int] = mapped_column(SmallInteger)


class Drug(Base):
    """A drug of the home-treatment catalogue (reference data, `domain/medication.py`)."""

    __tablename__ = "drugs"

    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    catalogue: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(Text)
    strength: Mapped[str] = mapped_column(Text)
    form: Mapped[str] = mapped_column(Text)
    drug_group: Mapped[str] = mapped_column(String(32))


class MedicationOrder(Base):
    """A medication order (or a patient's own use of package B) for a patient."""

    __tablename__ = "medication_orders"

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id"))
    drug_code: Mapped[str] = mapped_column(ForeignKey("drugs.code"))
    package: Mapped[MedicationPackage | None] = mapped_column(
        enum_column(MedicationPackage, "medication_package")
    )
    dose: Mapped[str] = mapped_column(Text)
    frequency: Mapped[str] = mapped_column(Text)
    days: Mapped[int] = mapped_column(SmallInteger)
    start_on: Mapped[date] = mapped_column(Date)
    end_on: Mapped[date] = mapped_column(Date)
    prescribed_by: Mapped[str | None] = mapped_column(String(128))  # null: self-started
    facility_id: Mapped[int | None] = mapped_column(ForeignKey("facilities.id"))
    self_started: Mapped[bool] = mapped_column(Boolean)
    consent_recorded_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    status: Mapped[MedicationStatus] = mapped_column(
        enum_column(MedicationStatus, "medication_status")
    )
    stop_reason: Mapped[str | None] = mapped_column(Text)
    recorded_by: Mapped[str] = mapped_column(String(128))
    idempotency_key: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[datetime] = now_column()

    __table_args__ = (
        UniqueConstraint("recorded_by", "idempotency_key"),
        CheckConstraint("days BETWEEN 1 AND 30", name="days_range"),
        Index("ix_medication_orders_patient_id", "patient_id", "id"),
        Index("ix_medication_orders_created_at", "created_at"),
    )


class AdverseEvent(Base):
    """An adverse effect reported for a medication order."""

    __tablename__ = "adverse_events"

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    medication_id: Mapped[int] = mapped_column(ForeignKey("medication_orders.id"))
    description: Mapped[str] = mapped_column(Text)
    occurred_on: Mapped[date] = mapped_column(Date)
    reported_by: Mapped[str] = mapped_column(String(128))
    reported_at: Mapped[datetime] = now_column()

    __table_args__ = (Index("ix_adverse_events_medication_id", "medication_id", "id"),)


class Exposure(Base):
    """An exposure place of a case ("mốc dịch tễ"): where and when it may have spread."""

    __tablename__ = "exposures"

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id"))
    place: Mapped[str] = mapped_column(Text)
    address: Mapped[str | None] = mapped_column(Text)
    area_code: Mapped[str | None] = mapped_column(ForeignKey("areas.code"))
    from_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    to_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    setting: Mapped[ExposureSetting] = mapped_column(
        enum_column(ExposureSetting, "exposure_setting")
    )
    note: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[datetime] = now_column()

    __table_args__ = (Index("ix_exposures_patient_id", "patient_id", "id"),)


class Contact(Base):
    """A close contact (F1) followed by the commune where they live and the area of their
    source case(s). Personal fields are audited like a patient's."""

    __tablename__ = "contacts"

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    full_name: Mapped[str] = mapped_column(Text)
    date_of_birth: Mapped[date | None] = mapped_column(Date)
    sex: Mapped[Sex | None] = mapped_column(enum_column(Sex, "sex"))
    phone: Mapped[str | None] = mapped_column(String(16))
    national_id: Mapped[str | None] = mapped_column(String(12))
    address: Mapped[str | None] = mapped_column(Text)
    commune_code: Mapped[str] = mapped_column(ForeignKey("areas.code"))
    district_code: Mapped[str | None] = mapped_column(AREA_CODE)  # None: two-tier map
    province_code: Mapped[str] = mapped_column(AREA_CODE)
    relation: Mapped[ContactRelation] = mapped_column(
        enum_column(ContactRelation, "contact_relation")
    )
    last_exposure_on: Mapped[date] = mapped_column(Date)
    source_patient_id: Mapped[int | None] = mapped_column(ForeignKey("patients.id"))
    source_contact_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id"))
    quarantine_started_on: Mapped[date] = mapped_column(Date)
    quarantine_until: Mapped[date] = mapped_column(Date)
    quarantine_place: Mapped[str | None] = mapped_column(Text)
    status: Mapped[ContactStatus] = mapped_column(enum_column(ContactStatus, "contact_status"))
    became_patient_id: Mapped[int | None] = mapped_column(ForeignKey("patients.id"))
    became_case_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # null: declared by the case itself, not confirmed by staff yet
    confirmed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # the contact's own app account, linked with a one-time code staff give them
    citizen_subject: Mapped[str | None] = mapped_column(String(128))
    link_code_hash: Mapped[str | None] = mapped_column(String(64))  # sha256 of the code
    link_code_expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # a contact of a contact: the key of its row (a retry changes nothing)
    idempotency_key: Mapped[str | None] = mapped_column(String(128))
    rule_set: Mapped[str] = mapped_column(String(32))
    last_checked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_by: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[datetime] = now_column()

    __table_args__ = (
        Index("ix_contacts_commune_id", "commune_code", "id"),
        Index("ix_contacts_district_id", "district_code", "id"),
        Index("ix_contacts_province_id", "province_code", "id"),
        Index("ix_contacts_national_id", "national_id"),
        Index("ix_contacts_phone_dob", "phone", "date_of_birth"),
        Index("ix_contacts_source_contact_id", "source_contact_id"),
        Index("ix_contacts_became_patient_id", "became_patient_id"),
        Index("ix_contacts_citizen_subject", "citizen_subject"),
        Index(
            "uq_contacts_link_code_hash",
            "link_code_hash",
            unique=True,
            postgresql_where=text("link_code_hash IS NOT NULL"),
        ),
        UniqueConstraint("created_by", "idempotency_key"),
    )


class ContactSource(Base):
    """A case a contact was exposed to (a person may be the contact of several cases)."""

    __tablename__ = "contact_sources"

    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id"), primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id"), primary_key=True)
    relation: Mapped[ContactRelation] = mapped_column(
        enum_column(ContactRelation, "contact_relation")
    )
    last_exposure_on: Mapped[date] = mapped_column(Date)
    created_by: Mapped[str] = mapped_column(String(128))
    idempotency_key: Mapped[str] = mapped_column(String(128))

    __table_args__ = (
        UniqueConstraint("created_by", "idempotency_key"),
        Index("ix_contact_sources_patient_id", "patient_id"),
    )


class ContactFollowUp(Base):
    """A daily check of a contact in quarantine."""

    __tablename__ = "contact_follow_ups"

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id"))
    checked_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    checked_on: Mapped[date] = mapped_column(Date)  # the local day of the check
    symptoms: Mapped[list[str]] = mapped_column(TEXT_ARRAY, server_default="{}")
    note: Mapped[str | None] = mapped_column(Text)
    recorded_by: Mapped[str] = mapped_column(String(128))

    __table_args__ = (Index("ix_contact_follow_ups_contact_id", "contact_id", "id"),)


class ContactFollowUpDay(Base):
    """One day of a contact's quarantine, generated from the contact rule when the contact
    is listed and kept current as checks and tests are recorded: whether a test is due
    that day and what was done (the day-by-day follow-up, Go.Data's generated follow-ups)."""

    __tablename__ = "contact_follow_up_days"

    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id"), primary_key=True)
    day_number: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    on_day: Mapped[date] = mapped_column(Date)
    test_due: Mapped[bool] = mapped_column(Boolean)
    checked: Mapped[bool] = mapped_column(Boolean)
    tested: Mapped[bool] = mapped_column(Boolean)
    symptoms: Mapped[list[str]] = mapped_column(TEXT_ARRAY, server_default="{}")


class BedReport(Base):
    """A facility's beds as its staff (or an administrator) reported them: the latest one
    is the facility's capacity; the history is the occupancy trend."""

    __tablename__ = "bed_reports"

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    facility_id: Mapped[int] = mapped_column(ForeignKey("facilities.id"))
    capacity: Mapped[int] = mapped_column(Integer)
    occupied_outside: Mapped[int] = mapped_column(Integer)  # not f0care's patients
    occupied_f0care: Mapped[int] = mapped_column(Integer)  # f0care's IN_FACILITY then
    reported_by: Mapped[str] = mapped_column(String(128))
    reported_role: Mapped[Role] = mapped_column(enum_column(Role, "role"))
    reported_at: Mapped[datetime] = now_column()

    __table_args__ = (
        CheckConstraint("capacity >= 0", name="capacity_positive"),
        CheckConstraint("occupied_outside BETWEEN 0 AND capacity", name="occupied_outside_range"),
        Index("ix_bed_reports_facility_id", "facility_id", "id"),
    )


class Comorbidity(Base):
    """A comorbidity of a patient, as recorded (free text, e.g. "tăng huyết áp")."""

    __tablename__ = "comorbidities"

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id"))
    name: Mapped[str] = mapped_column(Text)

    __table_args__ = (Index("ix_comorbidities_patient_id", "patient_id", "id"),)


class Vaccination(Base):
    """A COVID-19 vaccine dose a patient received."""

    __tablename__ = "vaccinations"

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id"))
    vaccine: Mapped[str] = mapped_column(Text)
    dose_number: Mapped[int] = mapped_column(SmallInteger)
    given_on: Mapped[date | None] = mapped_column(Date)

    __table_args__ = (
        CheckConstraint("dose_number BETWEEN 1 AND 10", name="dose_number_range"),
        Index("ix_vaccinations_patient_id", "patient_id", "id"),
    )


class TestResult(Base):
    """A COVID-19 test of a patient: the positive one that opened the case, follow-ups."""

    __test__ = False  # not a pytest test class
    __tablename__ = "test_results"

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    # a patient's test, or a close contact's (exactly one of the two)
    patient_id: Mapped[int | None] = mapped_column(ForeignKey("patients.id"))
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id"))
    kind: Mapped[TestKind] = mapped_column(enum_column(TestKind, "test_kind"))
    result: Mapped[TestOutcome] = mapped_column(enum_column(TestOutcome, "test_outcome"))
    taken_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    ct_value: Mapped[Decimal | None] = mapped_column(Numeric(4, 1))
    supervision: Mapped[TestSupervision] = mapped_column(
        enum_column(TestSupervision, "test_supervision")
    )
    facility_id: Mapped[int | None] = mapped_column(ForeignKey("facilities.id"))
    recorded_by: Mapped[str] = mapped_column(String(128))
    recorded_role: Mapped[Role] = mapped_column(enum_column(Role, "role"))
    confirmed_by: Mapped[str | None] = mapped_column(String(128))
    confirmed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    idempotency_key: Mapped[str | None] = mapped_column(String(128))
    created_at: Mapped[datetime] = now_column()

    __table_args__ = (
        UniqueConstraint("recorded_by", "idempotency_key"),
        CheckConstraint("ct_value BETWEEN 0 AND 50", name="ct_value_range"),
        CheckConstraint("num_nonnulls(patient_id, contact_id) = 1", name="one_subject"),
        Index("ix_test_results_patient_id", "patient_id", "id"),
        Index("ix_test_results_contact_id", "contact_id", "id"),
    )


class CaseCounter(Base):
    """Per-province, per-year sequence behind case codes such as 72-2021-000123."""

    __tablename__ = "case_counters"

    province_code: Mapped[str] = mapped_column(AREA_CODE, primary_key=True)
    year: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    last_value: Mapped[int] = mapped_column(Integer)


class Declaration(Base):
    """A positive test declared by a citizen or a screening facility."""

    __tablename__ = "declarations"

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    kind: Mapped[DeclarationKind] = mapped_column(enum_column(DeclarationKind, "declaration_kind"))
    status: Mapped[DeclarationStatus] = mapped_column(
        enum_column(DeclarationStatus, "declaration_status")
    )
    idempotency_key: Mapped[str] = mapped_column(String(128))
    submitted_by: Mapped[str] = mapped_column(String(128))
    facility_id: Mapped[int | None] = mapped_column(ForeignKey("facilities.id"))
    citizen_subject: Mapped[str | None] = mapped_column(String(128))
    full_name: Mapped[str] = mapped_column(Text)
    date_of_birth: Mapped[date] = mapped_column(Date)
    sex: Mapped[Sex] = mapped_column(enum_column(Sex, "sex"))
    national_id: Mapped[str | None] = mapped_column(String(12))
    phone: Mapped[str] = mapped_column(String(16))
    address: Mapped[str] = mapped_column(Text)
    province_code: Mapped[str] = mapped_column(AREA_CODE)
    district_code: Mapped[str | None] = mapped_column(AREA_CODE)  # None: two-tier map
    commune_code: Mapped[str] = mapped_column(ForeignKey("areas.code"))
    test_kind: Mapped[TestKind] = mapped_column(enum_column(TestKind, "test_kind"))
    tested_on: Mapped[date] = mapped_column(Date)
    symptoms: Mapped[list[str]] = mapped_column(TEXT_ARRAY, server_default="{}")
    created_at: Mapped[datetime] = now_column()
    reviewed_by: Mapped[str | None] = mapped_column(String(128))
    reviewed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    review_note: Mapped[str | None] = mapped_column(Text)
    rejection_reason: Mapped[str | None] = mapped_column(Text)
    patient_id: Mapped[int | None] = mapped_column(ForeignKey("patients.id"))
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id"))  # CONTACT_TEST

    __table_args__ = (
        UniqueConstraint("submitted_by", "idempotency_key"),
        Index("ix_declarations_province_status", "province_code", "status", "id"),
        Index("ix_declarations_district_id", "district_code", "id"),
        Index("ix_declarations_commune_id", "commune_code", "id"),
        Index("ix_declarations_facility_id", "facility_id", "id"),
        # median time to review, by province and nationally
        Index(
            "ix_declarations_province_created",
            "province_code",
            "created_at",
            postgresql_include=["reviewed_at"],
        ),
        Index("ix_declarations_created", "created_at", postgresql_include=["reviewed_at"]),
    )


class HealthReport(Base):
    """A daily health report with the assessment of the rule set that judged it."""

    __tablename__ = "health_reports"

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id"))
    province_code: Mapped[str] = mapped_column(AREA_CODE)
    reported_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    spo2: Mapped[int | None] = mapped_column(SmallInteger)
    temperature: Mapped[Decimal | None] = mapped_column(Numeric(3, 1))
    pulse: Mapped[int | None] = mapped_column(SmallInteger)
    respiratory_rate: Mapped[int | None] = mapped_column(SmallInteger)
    systolic: Mapped[int | None] = mapped_column(SmallInteger)
    diastolic: Mapped[int | None] = mapped_column(SmallInteger)
    symptoms: Mapped[list[str]] = mapped_column(TEXT_ARRAY, server_default="{}")
    note: Mapped[str | None] = mapped_column(Text)
    severity: Mapped[Severity] = mapped_column(enum_column(Severity, "severity"))
    warning_signs: Mapped[list[str]] = mapped_column(TEXT_ARRAY, server_default="{}")
    recommended_tier: Mapped[int] = mapped_column(SmallInteger)
    rule_set: Mapped[str] = mapped_column(String(32))
    submitted_by: Mapped[str] = mapped_column(String(128))
    submitted_role: Mapped[Role] = mapped_column(enum_column(Role, "role"))
    idempotency_key: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[datetime] = now_column()

    __table_args__ = (
        UniqueConstraint("submitted_by", "idempotency_key"),
        Index("ix_health_reports_patient_reported", "patient_id", "reported_at", "id"),
        Index("ix_health_reports_province_reported", "province_code", "reported_at"),
    )


class ClinicalNote(Base):
    """A treatment or care note written by staff."""

    __tablename__ = "clinical_notes"

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id"))
    text: Mapped[str] = mapped_column(Text)
    author: Mapped[str] = mapped_column(String(128))
    author_role: Mapped[Role] = mapped_column(enum_column(Role, "role"))
    created_at: Mapped[datetime] = now_column()

    __table_args__ = (Index("ix_clinical_notes_patient_id", "patient_id", "id"),)


class Transfer(Base):
    """A tier transfer (chuyển tầng) and its state machine's timestamps."""

    __tablename__ = "transfers"

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id"))
    province_code: Mapped[str] = mapped_column(AREA_CODE)
    status: Mapped[TransferStatus] = mapped_column(enum_column(TransferStatus, "transfer_status"))
    from_tier: Mapped[int] = mapped_column(SmallInteger)
    to_tier: Mapped[int] = mapped_column(SmallInteger)
    from_facility_id: Mapped[int | None] = mapped_column(ForeignKey("facilities.id"))
    to_facility_id: Mapped[int | None] = mapped_column(ForeignKey("facilities.id"))
    reason: Mapped[str] = mapped_column(Text)
    requested_by: Mapped[str] = mapped_column(String(128))
    requested_at: Mapped[datetime] = now_column()
    decided_by: Mapped[str | None] = mapped_column(String(128))
    accepted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    rejected_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    rejection_reason: Mapped[str | None] = mapped_column(Text)
    completed_by: Mapped[str | None] = mapped_column(String(128))
    completed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    cancelled_by: Mapped[str | None] = mapped_column(String(128))
    cancelled_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    cancel_reason: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (
        CheckConstraint("to_tier BETWEEN 1 AND 3", name="to_tier_range"),
        # one open transfer per patient at a time
        Index(
            "uq_transfers_open_per_patient",
            "patient_id",
            unique=True,
            postgresql_where=text("status IN ('REQUESTED', 'ACCEPTED')"),
        ),
        Index("ix_transfers_patient_id", "patient_id", "id"),
        Index("ix_transfers_to_facility_status", "to_facility_id", "status"),
        Index("ix_transfers_province_status", "province_code", "status", "id"),
    )


class Alert(Base):
    """An SOS, vital-sign or missed-report alert. Ids are monotonic."""

    __tablename__ = "alerts"

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id"))
    province_code: Mapped[str] = mapped_column(AREA_CODE)
    district_code: Mapped[str | None] = mapped_column(AREA_CODE)  # None: two-tier map
    commune_code: Mapped[str] = mapped_column(AREA_CODE)
    facility_id: Mapped[int | None] = mapped_column(ForeignKey("facilities.id"))
    kind: Mapped[AlertKind] = mapped_column(enum_column(AlertKind, "alert_kind"))
    status: Mapped[AlertStatus] = mapped_column(enum_column(AlertStatus, "alert_status"))
    severity: Mapped[Severity] = mapped_column(enum_column(Severity, "severity"))
    message: Mapped[str] = mapped_column(Text)  # Vietnamese: what people read first
    message_en: Mapped[str | None] = mapped_column(Text)  # null on alerts before 0024
    rule_set: Mapped[str | None] = mapped_column(String(32))
    escalation_level: Mapped[AreaLevel] = mapped_column(enum_column(AreaLevel, "area_level"))
    raised_by: Mapped[str] = mapped_column(String(128))
    idempotency_key: Mapped[str | None] = mapped_column(String(128))
    press_count: Mapped[int] = mapped_column(Integer, server_default=text("1"))
    raised_at: Mapped[datetime] = now_column()
    last_pressed_at: Mapped[datetime] = now_column()
    escalated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    acknowledged_by: Mapped[str | None] = mapped_column(String(128))
    acknowledged_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    resolved_by: Mapped[str | None] = mapped_column(String(128))
    resolved_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    resolution_note: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (
        UniqueConstraint("raised_by", "idempotency_key"),
        Index("ix_alerts_patient_status", "patient_id", "status"),
        Index("ix_alerts_province_status", "province_code", "status", "id"),
        Index("ix_alerts_district_status", "district_code", "status", "id"),
        Index("ix_alerts_commune_status", "commune_code", "status", "id"),
    )


class AlertEvent(Base):
    """Something that happened to an alert; the subscription replays these by id."""

    __tablename__ = "alert_events"

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    alert_id: Mapped[int] = mapped_column(ForeignKey("alerts.id"))
    type: Mapped[AlertEventType] = mapped_column(enum_column(AlertEventType, "alert_event_type"))
    province_code: Mapped[str] = mapped_column(AREA_CODE)
    # the level the alert had reached when this happened: decides who is told (replay too)
    escalation_level: Mapped[AreaLevel] = mapped_column(
        enum_column(AreaLevel, "area_level"), server_default=AreaLevel.COMMUNE.value
    )
    # the alert row as it was when this event was committed (to_jsonb of `alerts`)
    alert_state: Mapped[dict[str, Any]] = mapped_column(JSONB)
    created_at: Mapped[datetime] = now_column()

    __table_args__ = (Index("ix_alert_events_province_id", "province_code", "id"),)


class PersonEvent(Base):
    """Something that happened to a citizen's case, for them (the outbox of their feed and
    of the province's channels): written in the transaction of the change, rendered in
    every language. Ids are monotonic so that a feed can resume after the last it saw."""

    __tablename__ = "person_events"

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    kind: Mapped[PersonEventKind] = mapped_column(enum_column(PersonEventKind, "person_event_kind"))
    citizen_subject: Mapped[str] = mapped_column(String(128))
    province_code: Mapped[str] = mapped_column(AREA_CODE)
    district_code: Mapped[str | None] = mapped_column(AREA_CODE)
    commune_code: Mapped[str] = mapped_column(AREA_CODE)
    case_code: Mapped[str | None] = mapped_column(String(32))
    values: Mapped[dict[str, Any]] = mapped_column(JSONB)  # what the templates need
    message_vi: Mapped[str] = mapped_column(Text)
    message_en: Mapped[str] = mapped_column(Text)
    # one event per cause (e.g. a reminder per patient and window), also with retries
    dedupe_key: Mapped[str] = mapped_column(String(200), unique=True)
    created_at: Mapped[datetime] = now_column()

    __table_args__ = (
        Index("ix_person_events_subject_id", "citizen_subject", "id"),
        Index("ix_person_events_province_id", "province_code", "id"),
    )


class Webhook(Base):
    """A province's channel (Zalo OA, the province app, an SMS gateway) subscribed to the
    events for people of its area: where to POST them, which kinds, and the signing secret
    (encrypted: a database dump does not reveal it)."""

    __tablename__ = "webhooks"

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    province_code: Mapped[str] = mapped_column(ForeignKey("areas.code"))
    url: Mapped[str] = mapped_column(Text)
    events: Mapped[list[str]] = mapped_column(TEXT_ARRAY)
    description: Mapped[str | None] = mapped_column(Text)
    secret_encrypted: Mapped[str] = mapped_column(Text)
    active: Mapped[bool] = mapped_column(Boolean, server_default=text("true"))
    # events up to this id have their deliveries made (the next ones are queued from here)
    queued_through: Mapped[int] = mapped_column(BigInteger)
    created_by: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[datetime] = now_column()


class WebhookDelivery(Base):
    """One event for one webhook: attempts until the endpoint answers 2xx, with backoff,
    for 24 hours."""

    __tablename__ = "webhook_deliveries"

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    webhook_id: Mapped[int] = mapped_column(ForeignKey("webhooks.id"))
    event_id: Mapped[int] = mapped_column(ForeignKey("person_events.id"))
    citizen_subject: Mapped[str] = mapped_column(String(128))  # ordered per citizen
    status: Mapped[str] = mapped_column(String(16))  # PENDING, DELIVERED, FAILED
    attempts: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    next_attempt_at: Mapped[datetime] = now_column()
    first_attempt_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_attempt_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_status_code: Mapped[int | None] = mapped_column(SmallInteger)
    last_error: Mapped[str | None] = mapped_column(Text)
    delivered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    __table_args__ = (
        UniqueConstraint("webhook_id", "event_id"),
        Index("ix_webhook_deliveries_due", "status", "next_attempt_at"),
        Index("ix_webhook_deliveries_webhook_id", "webhook_id", "id"),
    )


class AuditEntry(Base):
    """Who did or read what, when: every write and every read of personal data."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    at: Mapped[datetime] = now_column()
    subject: Mapped[str] = mapped_column(String(128))
    role: Mapped[Role | None] = mapped_column(enum_column(Role, "role"))
    action: Mapped[str] = mapped_column(String(64))
    entity: Mapped[str] = mapped_column(String(32))
    entity_ids: Mapped[list[str]] = mapped_column(TEXT_ARRAY, server_default="{}")
    fields: Mapped[list[str]] = mapped_column(TEXT_ARRAY, server_default="{}")
    detail: Mapped[str | None] = mapped_column(Text)
    # where the actor worked then: "area:<code>" or "facility:<id>" (none for citizens)
    organisation: Mapped[str | None] = mapped_column(String(40))

    __table_args__ = (
        Index("ix_audit_log_subject_at", "subject", "at"),
        # whose record was read: a citizen's list of accesses, an administrator's review
        Index("ix_audit_log_entity_ids", "entity_ids", postgresql_using="gin"),
    )


class RehomingItem(Base):
    """A record a move to a new map could not place for certain: it waits, placed in its
    first candidate (or its new province), until staff of the new province choose its
    commune (`reassignHomeCommune`)."""

    __tablename__ = "rehoming_items"

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    kind: Mapped[RehomingKind] = mapped_column(enum_column(RehomingKind, "rehoming_kind"))
    entity_id: Mapped[int] = mapped_column(BigInteger)
    reason: Mapped[RehomingReason] = mapped_column(enum_column(RehomingReason, "rehoming_reason"))
    old_edition: Mapped[AreaEdition] = mapped_column(enum_column(AreaEdition, "old_edition"))
    old_code: Mapped[str] = mapped_column(AREA_CODE)
    province_code: Mapped[str] = mapped_column(AREA_CODE)  # of the new map
    placed_code: Mapped[str] = mapped_column(AREA_CODE)  # where it is meanwhile
    candidates: Mapped[list[str]] = mapped_column(ARRAY(Text))
    created_at: Mapped[datetime] = now_column()
    resolved_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    resolved_by: Mapped[str | None] = mapped_column(String(128))
    resolved_code: Mapped[str | None] = mapped_column(AREA_CODE)

    __table_args__ = (
        Index(
            "uq_rehoming_items_open",
            "kind",
            "entity_id",
            unique=True,
            postgresql_where=text("resolved_at IS NULL"),
        ),
        Index(
            "ix_rehoming_items_province_open",
            "province_code",
            "id",
            postgresql_where=text("resolved_at IS NULL"),
        ),
    )


class StatisticsDelta(Base):
    """One counted event (+1) or its retraction (-1), written by triggers in the same
    transaction as the write it counts; folded into `daily_counts` in the background.
    Append-only, so concurrent writers never wait on each other."""

    __tablename__ = "statistics_deltas"

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))  # None: a current count
    metric: Mapped[str] = mapped_column(String(48))
    commune_code: Mapped[str] = mapped_column(AREA_CODE)
    district_code: Mapped[str | None] = mapped_column(AREA_CODE)  # None: two-tier map
    province_code: Mapped[str] = mapped_column(AREA_CODE)
    delta: Mapped[int] = mapped_column(Integer)


class DailyCount(Base):
    """Events of one metric in one area (every level, the country included) on one local
    day: the rollup that keeps national statistics fast."""

    __tablename__ = "daily_counts"

    area_code: Mapped[str] = mapped_column(AREA_CODE, primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    metric: Mapped[str] = mapped_column(String(48), primary_key=True)
    parent_code: Mapped[str | None] = mapped_column(AREA_CODE)
    count: Mapped[int] = mapped_column(BigInteger)

    __table_args__ = (Index("ix_daily_counts_parent_day", "parent_code", "day", "metric"),)


class CurrentCount(Base):
    """Patients of one area (every level) in one (status, severity, tier) bucket now, as
    metric `now:STATUS:SEVERITY:TIER`: current figures without scanning `patients`."""

    __tablename__ = "current_counts"

    area_code: Mapped[str] = mapped_column(AREA_CODE, primary_key=True)
    metric: Mapped[str] = mapped_column(String(48), primary_key=True)
    parent_code: Mapped[str | None] = mapped_column(AREA_CODE)
    count: Mapped[int] = mapped_column(BigInteger)

    __table_args__ = (Index("ix_current_counts_parent", "parent_code", "metric"),)


class RollupState(Base):
    """The time zone whose calendar days `daily_counts` holds (one row)."""

    __tablename__ = "rollup_state"

    id: Mapped[bool] = mapped_column(Boolean, primary_key=True, server_default=text("true"))
    timezone: Mapped[str] = mapped_column(Text)

    __table_args__ = (CheckConstraint("id", name="one_row"),)
