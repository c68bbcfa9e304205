"""Authorization, declared on fields: each permission carries the schema directive that
prints its rule in schema.graphql, so the SDL and the enforcement come from one place.

Checks are synchronous and cheap: the principal is resolved before execution.
"""

from __future__ import annotations

from typing import Any

import strawberry
from strawberry.extensions import FieldExtension
from strawberry.permission import BasePermission, PermissionExtension
from strawberry.schema_directive import Location

from domain.enums import PERSONAL_DATA_ROLES, Role
from resolvers.context import Context
from resolvers.errors import Forbidden, Unauthenticated

ALL_ROLES = tuple(Role)


@strawberry.schema_directive(
    locations=[Location.FIELD_DEFINITION],
    description="Only principals with one of these roles may use this field.",
)
class Allow:
    roles: list[Role]


@strawberry.schema_directive(
    locations=[Location.FIELD_DEFINITION],
    description="Anyone may use this field, with or without a token.",
)
class Public:
    pass


@strawberry.schema_directive(
    locations=[Location.FIELD_DEFINITION],
    description="Any principal with a valid token may use this field, whatever its role.",
)
class Authenticated:
    pass


@strawberry.schema_directive(
    locations=[Location.FIELD_DEFINITION],
    description=(
        "Personal data: returned only to the data subject and to these roles for objects "
        "in their scope; others get null and a FORBIDDEN error. Every read is audited."
    ),
)
class PersonalData:
    roles: list[Role]


@strawberry.schema_directive(
    locations=[Location.FIELD_DEFINITION],
    description=(
        "Clinical data: returned only to the data subject and to these roles for objects "
        "in their scope; others get null and a FORBIDDEN error."
    ),
)
class ClinicalData:
    roles: list[Role]


FIRST_SIGN_IN_FIELD = "Mutation.changePassword"  # all a one-time password's token may do


def _field_name(info: strawberry.Info[Context]) -> str:
    return f"{info._raw_info.parent_type.name}.{info.field_name}"


class RolePermission(BasePermission):
    """The principal is authenticated and has one of the roles."""

    def __init__(self, roles: tuple[Role, ...], directive: object) -> None:
        self.roles = frozenset(roles)
        self._directive = directive

    @property
    def schema_directive(self) -> object:
        return self._directive

    def has_permission(self, source: Any, info: strawberry.Info[Context], **kwargs: Any) -> bool:
        principal = info.context.principal
        if principal.role is None:
            raise Unauthenticated(f"{_field_name(info)} needs a valid bearer token")
        if principal.must_change_password and _field_name(info) != FIRST_SIGN_IN_FIELD:
            raise Forbidden(
                "you signed in with a one-time password: choose your own with changePassword first"
            )
        if principal.role not in self.roles:
            raise Forbidden(f"role {principal.role.value} may not use {_field_name(info)}")
        return True


class PublicPermission(BasePermission):
    """Always granted; declared so that every root field states its rule."""

    _schema_directive = Public()

    def has_permission(self, source: Any, info: strawberry.Info[Context], **kwargs: Any) -> bool:
        return True


class PersonalDataPermission(RolePermission):
    """Role check for personal fields, recording each granted read for the audit log."""

    def __init__(self, entity: str) -> None:
        super().__init__(PERSONAL_DATA_ROLES, PersonalData(roles=list(PERSONAL_DATA_ROLES)))
        self.entity = entity

    def has_permission(self, source: Any, info: strawberry.Info[Context], **kwargs: Any) -> bool:
        role = info.context.principal.role
        if role is None or role not in self.roles:
            who = "anonymous callers" if role is None else f"role {role.value}"
            raise Forbidden(f"{_field_name(info)} is personal data; {who} may not read it")
        info.context.personal_reads.add(self.entity, str(source.id), info.field_name)
        return True


def clinical(*roles: Role) -> list[FieldExtension]:
    """Field extensions: clinical detail, for these roles (objects are already in scope)."""
    ordered = tuple(r for r in Role if r in roles)
    return [PermissionExtension([RolePermission(ordered, ClinicalData(roles=list(ordered)))])]


def allow(*roles: Role) -> list[FieldExtension]:
    """Field extensions: only these roles."""
    ordered = tuple(r for r in Role if r in roles)
    return [PermissionExtension([RolePermission(ordered, Allow(roles=list(ordered)))])]


def authenticated() -> list[FieldExtension]:
    """Field extensions: any authenticated principal."""
    return [PermissionExtension([RolePermission(ALL_ROLES, Authenticated())])]


def public() -> list[FieldExtension]:
    """Field extensions: anyone."""
    return [PermissionExtension([PublicPermission()])]


def personal(entity: str) -> list[FieldExtension]:
    """Field extensions: personal data of `entity`."""
    return [PermissionExtension([PersonalDataPermission(entity)])]


def allowed_roles(field: Any) -> frozenset[Role] | None:
    """The roles a field allows (all for public fields), or None if it declares nothing."""
    for extension in getattr(field, "extensions", ()):
        if isinstance(extension, PermissionExtension):
            for permission in extension.permissions:
                if isinstance(permission, PublicPermission):
                    return frozenset(Role)
                if isinstance(permission, RolePermission):
                    return permission.roles
    return None
