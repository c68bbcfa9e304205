"""The caller, and what login returns."""

from __future__ import annotations

from datetime import datetime

import strawberry

from auth.principal import Principal
from resolvers import auth as resolve_auth
from resolvers import rows
from resolvers.context import Context
from schema.operations import operations_for
from schema.permissions import allow
from schema.types.account import organisation_name
from schema.types.area import Area, Facility, area_of, facility_of
from schema.types.enums import Role
from schema.types.pagination import Connection, connection


@strawberry.type(description="The authenticated caller.")
class Me:
    subject: str = strawberry.field(description="Token subject: username or citizen id.")
    role: Role = strawberry.field(description="The caller's role.")
    area_code: strawberry.Private[str | None]
    facility_id: strawberry.Private[int | None]

    @classmethod
    def from_principal(cls, principal: Principal) -> Me:
        """The GraphQL view of a principal (which must be authenticated)."""
        if principal.role is None:
            raise ValueError("anonymous principals have no Me")
        return cls(
            subject=principal.subject,
            role=principal.role,
            area_code=principal.area.code if principal.area else None,
            facility_id=principal.facility.id if principal.facility else None,
        )

    @strawberry.field(description="The area the caller works for (area-bound roles).")
    def area(self, info: strawberry.Info[Context]) -> Area | None:
        return area_of(info, self.area_code)

    @strawberry.field(description="The facility the caller works for (facility-bound roles).")
    def facility(self, info: strawberry.Info[Context]) -> Facility | None:
        return facility_of(info, self.facility_id)

    @strawberry.field(
        description=(
            "Root queries, mutations and subscriptions this role may call (e.g. "
            "'Mutation.verifyDeclaration'), so a UI can hide what it cannot do."
        )
    )
    def allowed_operations(self, info: strawberry.Info[Context]) -> list[str]:
        return operations_for(info.schema, self.role)

    @strawberry.field(
        description=(
            "For a citizen: when staff read your personal data (your record, declarations, "
            "your contact record), by which role and organisation — never the person's name. "
            "Newest first."
        ),
        extensions=allow(Role.CITIZEN),
    )
    async def personal_data_accesses(
        self, info: strawberry.Info[Context], first: int | None = None, after: str | None = None
    ) -> Connection[PersonalDataAccess]:
        page = await resolve_auth.personal_data_accesses(info.context, first=first, after=after)
        return connection(page, "access", PersonalDataAccess.from_model)


@strawberry.type(
    description="A read of your personal data: when, by which role and organisation, what."
)
class PersonalDataAccess:
    at: datetime = strawberry.field(description="When.")
    role: Role | None = strawberry.field(description="The reader's role.")
    record: str = strawberry.field(description="PATIENT, DECLARATION or CONTACT.")
    fields: list[str] = strawberry.field(description="The personal fields returned.")
    where: strawberry.Private[str | None]

    @classmethod
    def from_model(cls, row: rows.AuditEntry) -> PersonalDataAccess:
        return cls(
            at=row.at,
            role=row.role,
            record=row.entity.upper(),
            fields=list(row.fields),
            where=row.organisation,
        )

    @strawberry.field(
        description="The reader's organisation: their facility, or the area they work for."
    )
    async def organisation(self, info: strawberry.Info[Context]) -> str | None:
        return await organisation_name(info, self.where)


@strawberry.type(description="A successful login.")
class AuthPayload:
    access_token: str = strawberry.field(description="Bearer token for the Authorization header.")
    expires_at: datetime = strawberry.field(description="When the token stops being accepted.")
    me: Me = strawberry.field(description="Who the token is for.")
    must_change_password: bool = strawberry.field(
        description=("Signed in with a one-time password: the token may only call changePassword.")
    )
