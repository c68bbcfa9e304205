"""Authorization is declared on every root field, and on every personal-data field."""

from __future__ import annotations

from typing import Any

import pytest

from schema import build_schema, export_sdl
from schema.permissions import allowed_roles

PERSONAL = {
    "Patient": {"fullName", "dateOfBirth", "nationalId", "phone", "address"},
    "Declaration": {"fullName", "dateOfBirth", "nationalId", "phone", "address"},
    "Contact": {"fullName", "dateOfBirth", "nationalId", "phone", "address"},
}


def _fields(type_: Any) -> list[Any]:
    return list(type_.__strawberry_definition__.fields)


def _graphql_name(field: Any) -> str:
    return str(build_schema().config.name_converter.get_graphql_name(field))


@pytest.mark.parametrize("root", ["query", "mutation", "subscription"])
def test_every_root_field_declares_who_may_call_it(root: str) -> None:
    schema = build_schema()
    root_type = getattr(schema, root)
    undeclared = [_graphql_name(f) for f in _fields(root_type) if allowed_roles(f) is None]
    assert undeclared == []


def test_every_personal_field_carries_the_directive() -> None:
    sdl = export_sdl()
    for type_name, fields in PERSONAL.items():
        block = sdl.split(f"type {type_name} {{", 1)[1].split("\n}", 1)[0]
        for field in fields:
            line = next(x for x in block.splitlines() if x.strip().startswith(f"{field}:"))
            assert "@personalData(" in line, line


def test_no_other_field_is_marked_personal() -> None:
    sdl = export_sdl()
    marked = [
        line.strip().split(":")[0]
        for line in sdl.splitlines()
        if "@personalData(" in line and not line.startswith("directive")
    ]
    assert sorted(marked) == sorted(f for fields in PERSONAL.values() for f in fields)


CLINICAL = {
    "Patient": {"latestReport", "healthReports", "clinicalNotes"},
    "Transfer": {"reason"},
}


def test_every_clinical_field_carries_the_directive() -> None:
    sdl = export_sdl()
    for type_name, fields in CLINICAL.items():
        block = sdl.split(f"type {type_name} {{", 1)[1].split("\n}", 1)[0]
        for field in fields:
            line = next(x for x in block.splitlines() if x.strip().startswith(f"{field}"))
            assert "@clinicalData(" in line, line
