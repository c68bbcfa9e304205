"""Which root operations each role may call, read from the fields' permissions."""

from __future__ import annotations

from functools import cache
from typing import Any

from domain.enums import Role
from schema.permissions import allowed_roles


@cache
def _table(schema: Any) -> dict[Role, list[str]]:
    table: dict[Role, list[str]] = {role: [] for role in Role}
    for root in ("query", "mutation", "subscription"):
        root_type = getattr(schema, root, None)
        if root_type is None:
            continue
        definition = root_type.__strawberry_definition__
        for field in definition.fields:
            name = f"{definition.name}.{schema.config.name_converter.get_graphql_name(field)}"
            for role in allowed_roles(field) or ():
                table[role].append(name)
    return table


def operations_for(schema: Any, role: Role) -> list[str]:
    """Root fields `role` may call, as 'Type.field', in schema order."""
    return list(_table(schema)[role])
