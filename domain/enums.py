"""Enumerations shared by every layer; values are stored as-is in PostgreSQL."""

from __future__ import annotations

from enum import Enum


class Role(Enum):
    """Who a principal is (DESIGN.md §1)."""

    CITIZEN = "CITIZEN"
    SCREENING_STAFF = "SCREENING_STAFF"
    LOCAL_OFFICIAL = "LOCAL_OFFICIAL"
    HEALTH_STAFF = "HEALTH_STAFF"
    HOSPITAL_STAFF = "HOSPITAL_STAFF"
    MANAGER = "MANAGER"
    ANALYST = "ANALYST"
    ADMIN = "ADMIN"


AREA_BOUND_ROLES = frozenset(
    {Role.LOCAL_OFFICIAL, Role.HEALTH_STAFF, Role.MANAGER, Role.ANALYST, Role.ADMIN}
)
FACILITY_BOUND_ROLES = frozenset({Role.SCREENING_STAFF, Role.HOSPITAL_STAFF})


class AreaLevel(Enum):
    """Level of an administrative area; the country is the root of the hierarchy."""

    COUNTRY = "COUNTRY"
    PROVINCE = "PROVINCE"
    DISTRICT = "DISTRICT"
    COMMUNE = "COMMUNE"


class AreaEdition(Enum):
    """An edition of Viet Nam's administrative map: the one of 2021 (63 provinces, districts,
    10,051 communes) or the two-tier one in force since 1 July 2025 (34 provinces, 3,321
    communes, no districts). A code names a place only together with its edition."""

    VN_2021 = "VN_2021"
    VN_2025 = "VN_2025"


class RehomingKind(Enum):
    """What kind of record waits on the rehoming queue for its commune on the new map."""

    PATIENT = "PATIENT"
    CONTACT = "CONTACT"
    DECLARATION = "DECLARATION"
    FACILITY = "FACILITY"
    USER = "USER"


class RehomingReason(Enum):
    """Why the conversion table could not say where a record now belongs."""

    SPLIT = "SPLIT"  # its old commune was split between several new ones
    UNMAPPED = "UNMAPPED"  # its old commune has no entry in the conversion table


class FacilityKind(Enum):
    """What a facility does."""

    COMMUNE_HEALTH_STATION = "COMMUNE_HEALTH_STATION"
    DISTRICT_HOSPITAL = "DISTRICT_HOSPITAL"
    FIELD_HOSPITAL = "FIELD_HOSPITAL"
    PROVINCIAL_HOSPITAL = "PROVINCIAL_HOSPITAL"
    SCREENING_HOSPITAL = "SCREENING_HOSPITAL"


class Sex(Enum):
    """Sex of a person."""

    MALE = "MALE"
    FEMALE = "FEMALE"
    OTHER = "OTHER"


class PatientStatus(Enum):
    """Where an F0 case stands."""

    HOME_TREATMENT = "HOME_TREATMENT"
    IN_FACILITY = "IN_FACILITY"
    RECOVERED = "RECOVERED"
    DECEASED = "DECEASED"
    MOVED_AWAY = "MOVED_AWAY"


ACTIVE_PATIENT_STATUSES = frozenset({PatientStatus.HOME_TREATMENT, PatientStatus.IN_FACILITY})


class Severity(Enum):
    """Clinical severity (CLINICAL.md)."""

    MILD = "MILD"
    MODERATE = "MODERATE"
    SEVERE = "SEVERE"
    CRITICAL = "CRITICAL"


class DeclarationKind(Enum):
    """Who reported a positive test."""

    SELF_TEST = "SELF_TEST"
    HOSPITAL_SCREENING = "HOSPITAL_SCREENING"
    CONTACT_TEST = "CONTACT_TEST"  # a close contact's positive test, recorded by health staff


class DeclarationStatus(Enum):
    """Review state of a declaration."""

    PENDING = "PENDING"
    VERIFIED = "VERIFIED"
    REJECTED = "REJECTED"
    DUPLICATE = "DUPLICATE"


class TestKind(Enum):
    """Kind of COVID-19 test."""

    __test__ = False  # not a pytest test class

    RAPID_ANTIGEN = "RAPID_ANTIGEN"
    PCR = "PCR"


class TestOutcome(Enum):
    """What a test showed (INVALID: the test failed and says nothing)."""

    __test__ = False  # not a pytest test class

    POSITIVE = "POSITIVE"
    NEGATIVE = "NEGATIVE"
    INVALID = "INVALID"


class TestSupervision(Enum):
    """Who took a test: staff, the patient under a health worker's direct or remote
    supervision, or the patient alone (counts once staff confirm it)."""

    __test__ = False  # not a pytest test class

    STAFF = "STAFF"
    SELF_SUPERVISED = "SELF_SUPERVISED"
    SELF = "SELF"


class MedicationPackage(Enum):
    """Home-treatment packages (CLINICAL.md, "Medication at home")."""

    A = "A"  # symptoms: paracetamol, vitamins
    B = "B"  # corticosteroid + anticoagulant, only when no doctor can be reached
    C = "C"  # antiviral (molnupiravir) under the controlled programme


class MedicationStatus(Enum):
    """An order is ACTIVE until stopped (its course ends on `endOn` either way)."""

    ACTIVE = "ACTIVE"
    STOPPED = "STOPPED"


class ExposureSetting(Enum):
    """Where an exposure place ("mốc dịch tễ") is."""

    HOUSEHOLD = "HOUSEHOLD"
    WORKPLACE = "WORKPLACE"
    HEALTH_FACILITY = "HEALTH_FACILITY"
    MARKET = "MARKET"
    SCHOOL = "SCHOOL"
    GATHERING = "GATHERING"
    TRAVEL = "TRAVEL"
    OTHER = "OTHER"


class ContactRelation(Enum):
    """How a close contact (F1) met its source."""

    HOUSEHOLD = "HOUSEHOLD"
    WORKPLACE = "WORKPLACE"
    SCHOOL = "SCHOOL"
    HEALTH_FACILITY = "HEALTH_FACILITY"
    SOCIAL = "SOCIAL"
    TRAVEL = "TRAVEL"
    OTHER = "OTHER"


class ContactStatus(Enum):
    """Where a close contact's follow-up stands."""

    UNDER_FOLLOW_UP = "UNDER_FOLLOW_UP"
    COMPLETED = "COMPLETED"
    LOST_TO_FOLLOW_UP = "LOST_TO_FOLLOW_UP"
    BECAME_CASE = "BECAME_CASE"


# contacts still followed (a lost one is followed again as soon as they are reached)
FOLLOWED_CONTACT_STATUSES = (ContactStatus.UNDER_FOLLOW_UP, ContactStatus.LOST_TO_FOLLOW_UP)


class TransferStatus(Enum):
    """State of a tier transfer."""

    REQUESTED = "REQUESTED"
    ACCEPTED = "ACCEPTED"
    REJECTED = "REJECTED"
    COMPLETED = "COMPLETED"
    CANCELLED = "CANCELLED"


OPEN_TRANSFER_STATUSES = frozenset({TransferStatus.REQUESTED, TransferStatus.ACCEPTED})


class AlertKind(Enum):
    """Why an alert was raised."""

    SOS = "SOS"
    VITAL_SIGNS = "VITAL_SIGNS"
    MISSED_REPORT = "MISSED_REPORT"
    SYMPTOMATIC_CONTACT = "SYMPTOMATIC_CONTACT"  # a close contact of the patient has symptoms


class AlertStatus(Enum):
    """Handling state of an alert."""

    OPEN = "OPEN"
    ACKNOWLEDGED = "ACKNOWLEDGED"
    RESOLVED = "RESOLVED"


class AlertEventType(Enum):
    """What happened to an alert."""

    CREATED = "CREATED"
    ACKNOWLEDGED = "ACKNOWLEDGED"
    RESOLVED = "RESOLVED"
    ESCALATED = "ESCALATED"
    REPEATED = "REPEATED"  # another SOS press on an alert that is still open


class DischargeOutcome(Enum):
    """How home or facility treatment ended."""

    RECOVERED = "RECOVERED"
    DECEASED = "DECEASED"
    MOVED_AWAY = "MOVED_AWAY"


# Who may read personal data of objects in their scope (DESIGN.md §5). Citizens only ever
# see their own records, so for them scope already means "the data subject".
PERSONAL_DATA_ROLES = (
    Role.CITIZEN,
    Role.LOCAL_OFFICIAL,
    Role.HEALTH_STAFF,
    Role.HOSPITAL_STAFF,
)
# Who may read clinical detail: clinical staff, and citizens for their own reports.
CLINICAL_STAFF = (Role.HEALTH_STAFF, Role.HOSPITAL_STAFF)
CLINICAL_DATA_ROLES = (Role.CITIZEN, *CLINICAL_STAFF)

TIERS = (1, 2, 3)  # treatment tiers: 1 home/commune care, 2 COVID-19 hospital, 3 intensive care
