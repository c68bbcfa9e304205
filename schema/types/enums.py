"""The domain enums exposed to GraphQL, with descriptions.

`strawberry.enum` registers each domain enum in place, so annotations use the domain
classes themselves (re-exported here).
"""

from __future__ import annotations

import strawberry

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

strawberry.enum(Role, description="What a principal is allowed to be and do.")
strawberry.enum(AreaLevel, description="Level of an administrative area of Viet Nam.")
strawberry.enum(Sex, description="Sex of a person.")
strawberry.enum(
    PatientStatus,
    description="Where an F0 case stands: treated at home or in a facility, or discharged.",
)
strawberry.enum(
    Severity,
    description="Clinical severity by the Ministry of Health rules (mild to critical).",
)

strawberry.enum(
    DeclarationKind,
    description="Who declared a positive test: the person (home test) or a screening hospital.",
)
strawberry.enum(
    DeclarationStatus,
    description="Review state: PENDING until the commune verifies, rejects or finds a duplicate.",
)
strawberry.enum(TestKind, description="Kind of COVID-19 test.")
strawberry.enum(ExposureSetting, description="What kind of place an exposure place is.")
strawberry.enum(FacilityKind, description="What a facility does.")
strawberry.enum(RehomingKind, description="What kind of record waits on the rehoming queue.")
strawberry.enum(
    RehomingReason,
    description="SPLIT: its old commune was split between several; UNMAPPED: not in the table.",
)
strawberry.enum(
    AreaEdition,
    description="An edition of the map: VN_2021 (63 provinces, districts, 10,051 communes) or "
    "VN_2025 (34 provinces, 3,321 communes, no districts; in force since 1 July 2025).",
)
strawberry.enum(PersonEventKind, description="What happened to a citizen's case.")
strawberry.enum(ContactRelation, description="How a close contact met the case.")
strawberry.enum(
    ContactStatus,
    description="Where a contact's follow-up stands (BECAME_CASE: a positive test made a case).",
)
strawberry.enum(
    MedicationPackage,
    description="Home-treatment package: A symptoms, B steroid + anticoagulant, C antiviral.",
)
strawberry.enum(MedicationStatus, description="An order is ACTIVE until stopped.")
strawberry.enum(TestOutcome, description="What a test showed (INVALID: it says nothing).")
strawberry.enum(
    TestSupervision,
    description="Who took a test: staff, the patient under supervision, or the patient alone.",
)

strawberry.enum(TransferStatus, description="State of a tier transfer (chuyển tầng).")
strawberry.enum(DischargeOutcome, description="How treatment ended.")
strawberry.enum(AlertKind, description="Why an alert was raised.")
strawberry.enum(AlertStatus, description="Handling state of an alert.")
strawberry.enum(
    AlertEventType,
    description="What happened to an alert (REPEATED: another SOS press while it is open).",
)

__all__ = [
    "AlertEventType",
    "AlertKind",
    "AlertStatus",
    "AreaEdition",
    "AreaLevel",
    "ContactRelation",
    "ContactStatus",
    "DischargeOutcome",
    "ExposureSetting",
    "FacilityKind",
    "PersonEventKind",
    "MedicationPackage",
    "MedicationStatus",
    "TransferStatus",
    "DeclarationKind",
    "DeclarationStatus",
    "PatientStatus",
    "RehomingKind",
    "RehomingReason",
    "Role",
    "Severity",
    "Sex",
    "TestKind",
    "TestOutcome",
    "TestSupervision",
]
