"""The rows resolvers hand to the schema, which converts them to GraphQL objects
(`schema/types/*.from_model`, with `values_of`). The schema layer names them through this
module and never imports `db/` itself (DESIGN.md §2).

`values_of` reads a row as `db.readplan.ENTITIES` declares its type (each field's column
and kind, each related row's key): the generic executor and the compiled reads share that
one declaration of the mapping."""

from __future__ import annotations

import keyword
import re
from functools import cache
from typing import Any

from db.models import (
    AdverseEvent,
    Alert,
    Area,
    AreaUnit,
    AuditEntry,
    BedReport,
    ClinicalNote,
    Comorbidity,
    Contact,
    ContactFollowUp,
    ContactFollowUpDay,
    Declaration,
    Drug,
    Exposure,
    Facility,
    HealthReport,
    MedicationOrder,
    Patient,
    PersonEvent,
    RecoveryCertificate,
    RehomingItem,
    TestResult,
    Transfer,
    User,
    Vaccination,
    Webhook,
    WebhookDelivery,
)
from db.queries.alerts import EventRow
from db.readplan import ENTITIES, Column, Entity, One
from domain.text import Texts

__all__ = [
    "AdverseEvent",
    "Alert",
    "Area",
    "AreaUnit",
    "AuditEntry",
    "BedReport",
    "ClinicalNote",
    "Comorbidity",
    "Contact",
    "ContactFollowUp",
    "ContactFollowUpDay",
    "Declaration",
    "Drug",
    "EventRow",
    "Exposure",
    "Facility",
    "HealthReport",
    "MedicationOrder",
    "Patient",
    "PersonEvent",
    "RecoveryCertificate",
    "RehomingItem",
    "TestResult",
    "Transfer",
    "User",
    "Vaccination",
    "Webhook",
    "WebhookDelivery",
    "values_of",
]


def values_of(type_name: str, row: Any) -> dict[str, Any]:
    """The keyword arguments of schema type `type_name` for `row`: every column field under
    its Python name (the GraphQL name in snake case), as the generic path serialises it, and
    the key of every related row under the key column's name. Fields read against today's
    date are left to the type (it knows the deployment's today); a text for people comes
    in both languages (`<name>_texts`), for the type to answer in the reader's."""
    values: dict[str, Any] = {}
    for name, column, kind, english in _reads(type_name):
        if kind in ("day_number", "due", "until", "organisation"):
            continue
        if english is not None:  # a text for people: `column` holds its Vietnamese
            text = getattr(row, column)
            values[f"{name}_texts"] = Texts(vi=text, en=getattr(row, english) or text)
            continue
        value = getattr(row, column)
        if value is not None:
            if kind == "id":
                value = str(value)
            elif kind == "float":
                value = float(value)
            elif kind == "list":
                value = list(value)
        values[name] = value
    return values


def _same_row(entity: Entity, relation: One) -> bool:
    """Whether a relation is another view of the row itself (joined to itself by its key)."""
    return ENTITIES[relation.target].table == entity.table and relation.key == relation.target_key


@cache
def _reads(type_name: str) -> tuple[tuple[str, str, str, str | None], ...]:
    """(Python name, column, kind, English column of a text for people) of what a type's
    object holds."""
    reads: dict[str, tuple[str, str, str, str | None]] = {}
    entity = ENTITIES[type_name]
    for field, source in entity.fields.items():
        if isinstance(source, Column):
            name = re.sub(r"(?<!^)(?=[A-Z])", "_", field).lower()
            name = f"{name}_" if keyword.iskeyword(name) else name  # `from` is `from_`
            reads[name] = (name, source.name, source.kind, source.english)
        elif isinstance(source, One) and not _same_row(entity, source):
            # the related row's key, unless a field reads that column already (a view of
            # the same row, such as Patient.isolation, is built from the row itself)
            reads.setdefault(source.key, (source.key, source.key, "key", None))
    return tuple(reads.values())
