"""The rows resolvers hand to the schema, which converts them to GraphQL objects
(`schema/types/*.from_model`). The schema layer names them through this module and never
imports `db/` itself (DESIGN.md §2)."""

from __future__ import annotations

from db.models import (
    Alert,
    Area,
    ClinicalNote,
    Declaration,
    Facility,
    HealthReport,
    Patient,
    Transfer,
)
from db.queries.alerts import EventRow

__all__ = [
    "Alert",
    "Area",
    "ClinicalNote",
    "Declaration",
    "EventRow",
    "Facility",
    "HealthReport",
    "Patient",
    "Transfer",
]
