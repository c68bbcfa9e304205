"""Plain attribute fields resolved without the per-field machinery. A field with no
resolver, no extension (no permission) and a scalar or enum type only reads an attribute
and serialises it: this executor does exactly that, skipping the resolve-info object,
argument parsing and strawberry's resolver wrapper. Anything else (a resolver, a
permission, an argument, a null in a non-null field) takes graphql-core's full path."""

from __future__ import annotations

import contextlib
from typing import Any

from graphql import (
    GraphQLEnumType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLScalarType,
    Undefined,
)
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext
from strawberry.schema.schema_converter import GraphQLCoreConverter
from strawberry.types.field import StrawberryField

# (python attribute, leaf type, non-null) per graphql field object; None: not a plain field
Plan = tuple[str, GraphQLScalarType | GraphQLEnumType, bool]  # attribute, leaf type, non-null
_PLAN = "f0care-fast-plan"  # kept on the field itself: a schema built again gets its own


def _plan(field_def: Any) -> Plan | None:
    if _PLAN not in field_def.extensions:
        field = field_def.extensions.get(GraphQLCoreConverter.DEFINITION_BACKREF)
        of_type = field_def.type
        non_null = isinstance(of_type, GraphQLNonNull)
        leaf = of_type.of_type if non_null else of_type
        plain = (
            isinstance(field, StrawberryField)
            and field.is_basic_field
            and not field_def.args
            and isinstance(leaf, GraphQLScalarType | GraphQLEnumType)
        )
        field_def.extensions[_PLAN] = (field.python_name, leaf, non_null) if plain else None
    plan: Plan | None = field_def.extensions[_PLAN]
    return plan


class FastLeafExecutor(StrawberryGraphQLCoreExecutionContext):
    """Executes plain leaf fields by attribute access and serialisation."""

    def execute_field(
        self,
        parent_type: GraphQLObjectType,
        source: Any,
        field_details_list: Any,
        path: Any,
        position_context: Any,
    ) -> Any:
        node = field_details_list[0].node
        field_def = parent_type.fields.get(node.name.value)
        plan = None if field_def is None or node.arguments else _plan(field_def)
        if plan is not None:
            attribute, leaf, non_null = plan
            # any failure here is left to the full path below, which reports it as a field error
            with contextlib.suppress(Exception):
                value = getattr(source, attribute)
                if value is None:
                    if not non_null:
                        return None
                else:
                    serialized = leaf.serialize(value)
                    if serialized is not None and serialized is not Undefined:
                        return serialized
        return super().execute_field(
            parent_type, source, field_details_list, path, position_context
        )
