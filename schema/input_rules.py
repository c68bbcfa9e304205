"""The rules every argument obeys whatever its field: storable text (no NUL, no lone
surrogate), a length bound on strings and on lists. They run before any resolver, on
literals (a validation rule) and on variables (after graphql-core has coerced them), and
name the argument path that broke them: `input.symptoms[3]: must be …`."""

from __future__ import annotations

from typing import Any

from graphql import (
    ArgumentNode,
    GraphQLError,
    GraphQLID,
    GraphQLInputObjectType,
    GraphQLInputType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLScalarType,
    GraphQLString,
    ObjectFieldNode,
    StringValueNode,
    ValidationRule,
)
from graphql.execution.values import VariableValues

from domain.text import MAX_ITEMS, MAX_TEXT, Texts, rule, text_problem
from resolvers.errors import BadUserInput

_TEXT_TYPES = (GraphQLString.name, GraphQLID.name)


def _limit(type_name: str) -> int | None:
    # an ID too long to exist is simply not found; other strings have a bound
    return None if type_name == GraphQLID.name else MAX_TEXT


class StorableTextRule(ValidationRule):
    """String literals in a document follow the text rule."""

    def enter_string_value(
        self, node: StringValueNode, _key: Any, parent: Any, _path: Any, ancestors: Any
    ) -> None:
        named = self.context.get_input_type()
        while isinstance(named, GraphQLNonNull | GraphQLList):
            named = named.of_type
        if not isinstance(named, GraphQLScalarType) or named.name not in _TEXT_TYPES:
            return
        problem = text_problem(node.value, max_length=_limit(named.name))
        if problem is not None:
            field = _literal_path([*ancestors, parent])
            broken = BadUserInput(field, problem)
            self.report_error(GraphQLError(broken.message, node, original_error=broken))


def _literal_path(ancestors: Any) -> str:
    names = [a.name.value for a in ancestors if isinstance(a, ArgumentNode | ObjectFieldNode)]
    return ".".join(names) or "value"


def variable_errors(variables: VariableValues) -> list[GraphQLError]:
    """Errors for coerced variable values that break the text or list rules."""
    errors: list[GraphQLError] = []
    for name, source in variables.sources.items():
        value = variables.coerced.get(name)
        for field, problem in _walk(source.signature.type, value, name):
            errors.append(BadUserInput(f"${field}", problem))
    return errors


def _walk(type_: GraphQLInputType, value: Any, path: str) -> list[tuple[str, Texts]]:
    if value is None:
        return []
    if isinstance(type_, GraphQLNonNull):
        return _walk(type_.of_type, value, path)
    if isinstance(type_, GraphQLList):
        if not isinstance(value, list):
            return _walk(type_.of_type, value, path)
        if len(value) > MAX_ITEMS:
            return [(path, rule("must hold at most {0} items", MAX_ITEMS))]
        found: list[tuple[str, Texts]] = []
        for index, item in enumerate(value):
            found += _walk(type_.of_type, item, f"{path}[{index}]")
        return found
    if isinstance(type_, GraphQLInputObjectType) and isinstance(value, dict):
        found = []
        for field_name, field in type_.fields.items():
            key = field.out_name or field_name
            if key in value:
                found += _walk(field.type, value[key], f"{path}.{field_name}")
        return found
    if isinstance(type_, GraphQLScalarType) and type_.name in _TEXT_TYPES:
        if isinstance(value, str):
            problem = text_problem(value, max_length=_limit(type_.name))
            if problem is not None:
                return [(path, problem)]
    return []
