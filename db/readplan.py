"""Read plans: what one read needs (tables, columns and relations, by name), as neutral
data. `resolvers.planner` builds a plan from a GraphQL selection; `db.compiled` turns it
into one statement. The mapping of each object type to its table is declared once, here,
in `ENTITIES`."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

Kind = Literal[
    "id", "text", "int", "float", "bool", "enum", "date", "datetime", "list",
    "day_number",  # a day 1's date, read as the day number today has (day 1: that date)
    "due",  # a date, read as whether today is on or after it (false when null)
    "until",  # a date, read as whether today is on or before it (false when null)
    "organisation",  # "area:<code>" / "facility:<id>", read as that area's or facility's name
]  # fmt: skip


# --- the mapping: each type's table, columns and relations, declared once -------------


@dataclass(frozen=True)
class Column:
    """A field read from a column."""

    name: str
    kind: Kind = "text"
    english: str | None = None  # a text for people: `name` holds it in Vietnamese, this in English


@dataclass(frozen=True)
class One:
    """A related row: `target` row whose `target_key` equals our `key` (null if none).
    `scoped`: the row enters the answer only inside the reader's scope (a patient, a contact)."""

    target: str
    key: str
    target_key: str
    scoped: bool = False


@dataclass(frozen=True)
class Newest:
    """The newest related row by `order` (columns, newest first)."""

    target: str
    key: str
    target_key: str
    order: tuple[str, ...]


@dataclass(frozen=True)
class Many:
    """Related rows in `order` (oldest first, or newest first when `newest_first`), kept
    where `column` is one of `values`."""

    target: str
    key: str
    target_key: str
    order: tuple[str, ...]
    where: tuple[tuple[str, tuple[str, ...]], ...] = ()
    newest_first: bool = False


@dataclass(frozen=True)
class Count:
    """How many related rows there are where `column` is one of `values`."""

    target: str
    key: str
    target_key: str
    where: tuple[tuple[str, tuple[str, ...]], ...] = ()


@dataclass(frozen=True)
class Paged:
    """Related rows newest first by id, a page at a time (a nested connection)."""

    target: str
    key: str
    target_key: str


@dataclass(frozen=True)
class Chain:
    """The transmission chain around the case whose id is in `key`, `depth` case-to-case
    links each way (the database's chain functions; the field's argument)."""

    key: str
    depth: int = 3


@dataclass(frozen=True)
class ChainPart:
    """A part of a transmission chain: its `nodes`, its `edges`, or how many nodes are
    `hidden` from the reader."""

    part: Literal["nodes", "edges", "hidden"]


Relation = One | Newest | Many | Count | Paged | Chain | ChainPart


@dataclass(frozen=True)
class Entity:
    """An object type read from a table: `kind` names its rows in cursors and audit rows,
    `key` is the column a single row is found by (and a list is paged by)."""

    table: str
    kind: str
    fields: Mapping[str, Column | Relation]
    key: str = "id"
    # every read of these rows is itself an audit entry of this action, listing them
    reviewed: str | None = None


_OPEN_ALERTS = (("status", ("OPEN", "ACKNOWLEDGED")),)
ENTITIES: dict[str, Entity] = {
    "Patient": Entity(
        "patients",
        "patient",
        {
            "id": Column("id", "id"),
            "caseCode": Column("case_code"),
            "status": Column("status", "enum"),
            "tier": Column("tier", "int"),
            "severity": Column("severity", "enum"),
            "fullName": Column("full_name"),
            "dateOfBirth": Column("date_of_birth", "date"),
            "sex": Column("sex", "enum"),
            "nationalId": Column("national_id"),
            "phone": Column("phone"),
            "address": Column("address"),
            "confirmedAt": Column("confirmed_at", "datetime"),
            "lastReportAt": Column("last_report_at", "datetime"),
            "needsFacilityAssessment": Column("needs_facility_assessment", "bool"),
            "assessmentReason": Column("assessment_reason"),
            "homeCommune": One("Area", "home_commune_code", "code"),
            "facility": One("Facility", "facility_id", "id"),
            "latestReport": Newest("HealthReport", "id", "patient_id", ("reported_at", "id")),
            "healthReports": Paged("HealthReport", "id", "patient_id"),
            "clinicalNotes": Many("ClinicalNote", "id", "patient_id", ("id",)),
            "transfers": Many("Transfer", "id", "patient_id", ("id",)),
            "openAlerts": Many("Alert", "id", "patient_id", ("id",), _OPEN_ALERTS),
            "comorbidities": Many("Comorbidity", "id", "patient_id", ("id",)),
            "vaccinations": Many("Vaccination", "id", "patient_id", ("dose_number", "id")),
            "pregnant": Column("pregnant", "bool"),
            "breastfeeding": Column("breastfeeding", "bool"),
            "testResults": Many(
                "TestResult", "id", "patient_id", ("taken_at", "id"), newest_first=True
            ),
            "isolation": One("Isolation", "id", "id"),
            "dischargeOverrideReason": Column("discharge_override_reason"),
            "certificate": One("RecoveryCertificate", "id", "patient_id"),
            "medications": Many("MedicationOrder", "id", "patient_id", ("id",), newest_first=True),
            "adverseEventFollowUp": Column("adverse_follow_up_until", "until"),
            "exposures": Many("Exposure", "id", "patient_id", ("from_at", "id")),
            "transmissionChain": Chain("id"),
        },
    ),
    # the chain's nodes and edges are rows of the chain functions (db.queries.epidemiology)
    "TransmissionChain": Entity(
        "",
        "chain",
        {"nodes": ChainPart("nodes"), "edges": ChainPart("edges"), "hidden": ChainPart("hidden")},
    ),
    "ChainNode": Entity(
        "",
        "chain_node",
        {
            "key": Column("key"),
            "kind": Column("kind"),
            "id": Column("id", "id"),
            "label": Column("label"),
            "status": Column("status"),
            "generation": Column("generation", "int"),
            "area": One("Area", "area_code", "code"),
        },
    ),
    "ChainEdge": Entity("", "chain_edge", {"from": Column("from_key"), "to": Column("to_key")}),
    "Contact": Entity(
        "contacts",
        "contact",
        {
            "id": Column("id", "id"),
            "fullName": Column("full_name"),
            "dateOfBirth": Column("date_of_birth", "date"),
            "sex": Column("sex", "enum"),
            "phone": Column("phone"),
            "nationalId": Column("national_id"),
            "address": Column("address"),
            "commune": One("Area", "commune_code", "code"),
            "relation": Column("relation", "enum"),
            "lastExposureOn": Column("last_exposure_on", "date"),
            "sourcePatient": One("Patient", "source_patient_id", "id", scoped=True),
            "sourceContact": One("Contact", "source_contact_id", "id", scoped=True),
            "quarantine": One("Quarantine", "id", "id"),
            "status": Column("status", "enum"),
            "becamePatient": One("Patient", "became_patient_id", "id", scoped=True),
            "createdAt": Column("created_at", "datetime"),
            "lastCheckedAt": Column("last_checked_at", "datetime"),
            "confirmedAt": Column("confirmed_at", "datetime"),
            "testResults": Many(
                "TestResult", "id", "contact_id", ("taken_at", "id"), newest_first=True
            ),
            "followUps": Many("FollowUpDay", "id", "contact_id", ("day_number",)),
        },
    ),
    "FollowUpDay": Entity(
        "contact_follow_up_days",
        "follow_up_day",
        {
            "dayNumber": Column("day_number", "int"),
            "on": Column("on_day", "date"),
            "testDue": Column("test_due", "bool"),
            "checked": Column("checked", "bool"),
            "tested": Column("tested", "bool"),
            "symptoms": Column("symptoms", "list"),
        },
        key="day_number",
    ),
    "Quarantine": Entity(
        "contacts",
        "contact",
        {
            "startedOn": Column("quarantine_started_on", "date"),
            "until": Column("quarantine_until", "date"),
            "place": Column("quarantine_place"),
        },
    ),
    "Exposure": Entity(
        "exposures",
        "exposure",
        {
            "id": Column("id", "id"),
            "place": Column("place"),
            "address": Column("address"),
            "area": One("Area", "area_code", "code"),
            "from": Column("from_at", "datetime"),
            "to": Column("to_at", "datetime"),
            "setting": Column("setting", "enum"),
            "note": Column("note"),
        },
    ),
    "MedicationOrder": Entity(
        "medication_orders",
        "medication",
        {
            "id": Column("id", "id"),
            "drug": One("Drug", "drug_code", "code"),
            "package": Column("package", "enum"),
            "dose": Column("dose"),
            "frequency": Column("frequency"),
            "days": Column("days", "int"),
            "startOn": Column("start_on", "date"),
            "endOn": Column("end_on", "date"),
            "prescribedBy": Column("prescribed_by"),
            "facility": One("Facility", "facility_id", "id"),
            "selfStarted": Column("self_started", "bool"),
            "consentRecordedAt": Column("consent_recorded_at", "datetime"),
            "status": Column("status", "enum"),
            "stopReason": Column("stop_reason"),
            "adverseEvents": Many("AdverseEvent", "id", "medication_id", ("id",)),
        },
    ),
    "Drug": Entity(
        "drugs",
        "drug",
        {
            "code": Column("code"),
            "name": Column("name"),
            "strength": Column("strength"),
            "form": Column("form"),
        },
        key="code",
    ),
    "AdverseEvent": Entity(
        "adverse_events",
        "adverse_event",
        {
            "id": Column("id", "id"),
            "description": Column("description"),
            "occurredOn": Column("occurred_on", "date"),
            "reportedBy": Column("reported_by"),
            "reportedAt": Column("reported_at", "datetime"),
        },
    ),
    "RecoveryCertificate": Entity(
        "recovery_certificates",
        "certificate",
        {
            "number": Column("number"),
            "issuedAt": Column("issued_at", "datetime"),
            "issuedBy": One("CertificateIssuer", "id", "id"),
            "periodFrom": Column("period_from", "date"),
            "periodTo": Column("period_to", "date"),
            "verificationCode": Column("verification_code"),
        },
    ),
    "CertificateIssuer": Entity(
        "recovery_certificates",
        "certificate",
        {
            "name": Column("issuer_name"),
            "area": One("Area", "issuer_area_code", "code"),
        },
    ),
    "Isolation": Entity(
        "patients",
        "isolation",
        {
            "dayNumber": Column("isolation_started_on", "day_number"),
            "startedOn": Column("isolation_started_on", "date"),
            "earliestReleaseOn": Column("earliest_release_on", "date"),
            "releaseDue": Column("release_due_on", "due"),
            "requiredTest": Column("required_test", "enum"),
            "ruleSet": Column("release_rule_set"),
        },
    ),
    "Comorbidity": Entity("comorbidities", "comorbidity", {"name": Column("name")}),
    "Vaccination": Entity(
        "vaccinations",
        "vaccination",
        {
            "vaccine": Column("vaccine"),
            "doseNumber": Column("dose_number", "int"),
            "givenOn": Column("given_on", "date"),
        },
    ),
    "TestResult": Entity(
        "test_results",
        "test",
        {
            "id": Column("id", "id"),
            "kind": Column("kind", "enum"),
            "result": Column("result", "enum"),
            "takenAt": Column("taken_at", "datetime"),
            "ctValue": Column("ct_value", "float"),
            "supervision": Column("supervision", "enum"),
            "facility": One("Facility", "facility_id", "id"),
            "recordedBy": Column("recorded_by"),
            "confirmedBy": Column("confirmed_by"),
            "confirmedAt": Column("confirmed_at", "datetime"),
        },
    ),
    "Declaration": Entity(
        "declarations",
        "declaration",
        {
            "id": Column("id", "id"),
            "kind": Column("kind", "enum"),
            "status": Column("status", "enum"),
            "testKind": Column("test_kind", "enum"),
            "testedOn": Column("tested_on", "date"),
            "fullName": Column("full_name"),
            "dateOfBirth": Column("date_of_birth", "date"),
            "sex": Column("sex", "enum"),
            "phone": Column("phone"),
            "nationalId": Column("national_id"),
            "address": Column("address"),
            "symptoms": Column("symptoms", "list"),
            "createdAt": Column("created_at", "datetime"),
            "reviewedAt": Column("reviewed_at", "datetime"),
            "rejectionReason": Column("rejection_reason"),
            "homeCommune": One("Area", "commune_code", "code"),
            "patient": One("Patient", "patient_id", "id", scoped=True),
            # a CONTACT_TEST declaration lives where the contact does: its readers see them
            "contact": One("Contact", "contact_id", "id"),
        },
    ),
    "User": Entity(
        "users",
        "user",
        {
            "id": Column("id", "id"),
            "username": Column("username"),
            "displayName": Column("full_name"),
            "role": Column("role", "enum"),
            "phone": Column("phone"),
            "active": Column("is_active", "bool"),
            "mustChangePassword": Column("must_change_password", "bool"),
            "createdAt": Column("created_at", "datetime"),
            "deactivatedAt": Column("deactivated_at", "datetime"),
            "area": One("Area", "area_code", "code"),
            "facility": One("Facility", "facility_id", "id"),
        },
    ),
    "AuditEntry": Entity(
        "audit_log",
        "audit",
        {
            "id": Column("id", "id"),
            "at": Column("at", "datetime"),
            "actor": Column("subject"),
            "role": Column("role", "enum"),
            "action": Column("action"),
            "entity": Column("entity"),
            "entityIds": Column("entity_ids", "list"),
            "fields": Column("fields", "list"),
            "detail": Column("detail"),
            "organisation": Column("organisation", "organisation"),
        },
        reviewed="READ_AUDIT_LOG",
    ),
    "Area": Entity(
        "areas",
        "area",
        {
            "code": Column("code", "id"),
            "name": Column("name"),
            "level": Column("level", "enum"),
            "edition": Column("edition", "enum"),
            "parent": One("Area", "parent_code", "code"),
            "children": Many("Area", "code", "parent_code", ("code",)),
        },
        key="code",
    ),
    "Facility": Entity(
        "facilities",
        "facility",
        {
            "id": Column("id", "id"),
            "name": Column("name"),
            "tier": Column("tier", "int"),
            "bedCapacity": Column("bed_capacity", "int"),
            "kind": Column("kind", "enum"),
            "active": Column("active", "bool"),
            "bedsOccupiedOutsideF0care": Column("beds_occupied_outside", "int"),
            "area": One("Area", "area_code", "code"),
            "occupancy": Count("Patient", "id", "facility_id", (("status", ("IN_FACILITY",)),)),
            "bedReports": Many("BedReport", "id", "facility_id", ("id",), newest_first=True),
        },
    ),
    "PersonEvent": Entity(
        "person_events",
        "notification",
        {
            "id": Column("id", "id"),
            "kind": Column("kind", "enum"),
            "caseCode": Column("case_code"),
            "createdAt": Column("created_at", "datetime"),
            "message": Column("message_vi", english="message_en"),
        },
    ),
    "BedReport": Entity(
        "bed_reports",
        "bed_report",
        {
            "id": Column("id", "id"),
            "capacity": Column("capacity", "int"),
            "occupiedOutsideF0care": Column("occupied_outside", "int"),
            "occupiedF0care": Column("occupied_f0care", "int"),
            "reportedRole": Column("reported_role", "enum"),
            "reportedAt": Column("reported_at", "datetime"),
        },
    ),
    "HealthReport": Entity(
        "health_reports",
        "report",
        {
            "id": Column("id", "id"),
            "reportedAt": Column("reported_at", "datetime"),
            "spo2": Column("spo2", "int"),
            "temperature": Column("temperature", "float"),
            "pulse": Column("pulse", "int"),
            "respiratoryRate": Column("respiratory_rate", "int"),
            "systolic": Column("systolic", "int"),
            "diastolic": Column("diastolic", "int"),
            "symptoms": Column("symptoms", "list"),
            "note": Column("note"),
            "severity": Column("severity", "enum"),
            "warningSigns": Column("warning_signs", "list"),
            "recommendedTier": Column("recommended_tier", "int"),
            "ruleSet": Column("rule_set"),
        },
    ),
    "ClinicalNote": Entity(
        "clinical_notes",
        "note",
        {
            "id": Column("id", "id"),
            "text": Column("text"),
            "createdAt": Column("created_at", "datetime"),
            "author": Column("author"),
        },
    ),
    "Transfer": Entity(
        "transfers",
        "transfer",
        {
            "id": Column("id", "id"),
            "status": Column("status", "enum"),
            "fromTier": Column("from_tier", "int"),
            "toTier": Column("to_tier", "int"),
            "reason": Column("reason"),
            "rejectionReason": Column("rejection_reason"),
            "requestedAt": Column("requested_at", "datetime"),
            "acceptedAt": Column("accepted_at", "datetime"),
            "completedAt": Column("completed_at", "datetime"),
            "fromFacility": One("Facility", "from_facility_id", "id"),
            "toFacility": One("Facility", "to_facility_id", "id"),
            "patient": One("Patient", "patient_id", "id", scoped=True),
        },
    ),
    "Alert": Entity(
        "alerts",
        "alert",
        {
            "id": Column("id", "id"),
            "kind": Column("kind", "enum"),
            "status": Column("status", "enum"),
            "severity": Column("severity", "enum"),
            "message": Column("message", english="message_en"),
            "raisedAt": Column("raised_at", "datetime"),
            "acknowledgedAt": Column("acknowledged_at", "datetime"),
            "resolvedAt": Column("resolved_at", "datetime"),
            "escalationLevel": Column("escalation_level", "enum"),
            "pressCount": Column("press_count", "int"),
            "lastPressedAt": Column("last_pressed_at", "datetime"),
            "patient": One("Patient", "patient_id", "id", scoped=True),
        },
    ),
}


# --- the plan ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Leaf:
    """`key`: a column's value."""

    key: str
    column: Column


@dataclass(frozen=True)
class Const:
    """`key`: a constant (`__typename`), or null for a field the role may not read."""

    key: str
    value: str | None


@dataclass(frozen=True)
class Nested:
    """`key`: a related row or rows, with their own selection (none for a count)."""

    key: str
    relation: Relation
    selection: ObjectPlan | None


@dataclass(frozen=True)
class NestedPage:
    """`key`: a page of related rows (a nested connection), `first` after `after_id`."""

    key: str
    relation: Paged
    connection: ConnectionPlan
    item: ObjectPlan
    first: int
    after_id: int | None


@dataclass(frozen=True)
class ObjectPlan:
    """The fields of one object type, in response order."""

    entity: str
    fields: tuple[Leaf | Const | Nested | NestedPage, ...]


@dataclass(frozen=True)
class ConnectionPlan:
    """`edges { node cursor }`, `pageInfo { hasNextPage endCursor }` and `totalCount`
    keys, in response order (each tuple: (key, part)), plus `__typename` constants."""

    fields: tuple[tuple[str, str | ConnectionPart], ...]


@dataclass(frozen=True)
class ConnectionPart:
    """`edges` or `pageInfo`, with their own (key, part) fields."""

    part: str
    fields: tuple[tuple[str, str], ...]


Form = Literal["object", "list", "connection"]


Path = tuple["One | Many", ...]


@dataclass(frozen=True)
class PersonalRead:
    """Personal fields of `entity` rows a read returns: for each path from the root's
    items (the empty path: the items themselves), the fields read on the rows it reaches."""

    entity: str
    paths: tuple[tuple[Path, tuple[str, ...]], ...]


@dataclass(frozen=True)
class RootPlan:
    """One root field read with one statement: one object, a list (in `order`) or a
    connection (newest first) of items, and the personal fields read (for the audit)."""

    field: str  # the root field: "patients", "patient", "areas"…
    form: Form
    item: ObjectPlan
    connection: ConnectionPlan | None
    personal: tuple[PersonalRead, ...]
    order: tuple[str, ...] = ()

    @property
    def kind(self) -> str:
        """The item's kind: its cursor prefix."""
        return ENTITIES[self.item.entity].kind
