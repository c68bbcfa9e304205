"""Staff and service accounts, as administrators see and run them."""

from __future__ import annotations

from datetime import datetime
from enum import Enum

import strawberry

from resolvers import accounts as resolve_accounts
from resolvers import rows
from resolvers.context import Context
from schema.types.area import Area, Facility, area_of, facility_of
from schema.types.enums import FacilityKind, Role


@strawberry.type(description="A staff or service account (administrators of its area).")
class User:
    id: strawberry.ID = strawberry.field(description="Account id.")
    username: str = strawberry.field(description="Sign-in name.")
    display_name: str = strawberry.field(description="The person's name as shown to others.")
    role: Role = strawberry.field(description="What the account may do.")
    phone: str | None = strawberry.field(description="Work mobile number, if given.")
    active: bool = strawberry.field(description="false: switched off (tokens refused).")
    must_change_password: bool = strawberry.field(
        description="Signs in with a one-time password and must choose a new one."
    )
    created_at: datetime = strawberry.field(description="When the account was made.")
    deactivated_at: datetime | None = strawberry.field(description="When it was switched off.")
    area_code: strawberry.Private[str | None]
    facility_id: strawberry.Private[int | None]

    @classmethod
    def from_model(cls, row: rows.User) -> User:
        return cls(**rows.values_of("User", row))

    @strawberry.field(description="The area it works for (area-bound roles).")
    def area(self, info: strawberry.Info[Context]) -> Area | None:
        return area_of(info, self.area_code)

    @strawberry.field(description="The facility it works for (facility-bound roles).")
    def facility(self, info: strawberry.Info[Context]) -> Facility | None:
        return facility_of(info, self.facility_id)


@strawberry.type(description="An account and its one-time password: shown once, never again.")
class UserPassword:
    user: User = strawberry.field(description="The account.")
    one_time_password: str = strawberry.field(
        description="To hand to the person; they choose their own at the next sign-in."
    )

    @classmethod
    def from_issued(cls, issued: resolve_accounts.Issued) -> UserPassword:
        return cls(user=User.from_model(issued.user), one_time_password=issued.one_time_password)


@strawberry.input(description="A new account.")
class UserInput:
    username: str = strawberry.field(description="3-64 of a-z 0-9 . _ -; unique.")
    display_name: str = strawberry.field(description="The person's name, 1-100 characters.")
    role: Role = strawberry.field(description="Never CITIZEN; inside your area only.")
    area_code: strawberry.ID | None = strawberry.field(
        default=None, description="For area-bound roles: an area inside yours."
    )
    facility_id: strawberry.ID | None = strawberry.field(
        default=None, description="For facility-bound roles: a facility inside your area."
    )
    phone: str | None = strawberry.field(default=None, description="Work mobile number.")


@strawberry.input(description="Changes to an account; omitted fields stay as they are.")
class UserUpdateInput:
    display_name: str | None = strawberry.field(default=None, description="Name shown.")
    role: Role | None = strawberry.field(default=None, description="A new role.")
    area_code: strawberry.ID | None = strawberry.field(
        default=None, description="A new area (replaces a facility)."
    )
    facility_id: strawberry.ID | None = strawberry.field(
        default=None, description="A new facility (replaces an area)."
    )
    phone: str | None = strawberry.field(default=None, description="Work mobile number.")


@strawberry.input(description="Filters of the account list; all given filters must hold.")
class UserFilter:
    role: Role | None = strawberry.field(default=None, description="Only this role.")
    area_code: strawberry.ID | None = strawberry.field(
        default=None, description="Only accounts working inside this area."
    )
    facility_id: strawberry.ID | None = strawberry.field(
        default=None, description="Only accounts of this facility."
    )
    active: bool | None = strawberry.field(default=None, description="Only (in)active ones.")
    search: str | None = strawberry.field(
        default=None, description="In the username or the name shown."
    )


@strawberry.type(description="One audit entry: who did or read what, when, from where.")
class AuditEntry:
    id: strawberry.ID = strawberry.field(description="Entry id (increasing).")
    at: datetime = strawberry.field(description="When.")
    actor: str = strawberry.field(description="The token subject: a username or citizen id.")
    role: Role | None = strawberry.field(description="The actor's role (none: anonymous).")
    action: str = strawberry.field(description="What, e.g. LOGIN, READ_PERSONAL, CREATE_USER.")
    entity: str = strawberry.field(description="The kind of record: patient, contact, user, …")
    entity_ids: list[str] = strawberry.field(description="The records concerned.")
    fields: list[str] = strawberry.field(description="The fields read or changed.")
    detail: str | None = strawberry.field(description="A reason, a filter, a summary.")
    where: strawberry.Private[str | None]

    @classmethod
    def from_model(cls, row: rows.AuditEntry) -> AuditEntry:
        return cls(
            id=strawberry.ID(str(row.id)), at=row.at, actor=row.subject, role=row.role,
            action=row.action, entity=row.entity, entity_ids=list(row.entity_ids),
            fields=list(row.fields), detail=row.detail, where=row.organisation,
        )  # fmt: skip

    @strawberry.field(description="Where the actor worked then: facility or area name.")
    async def organisation(self, info: strawberry.Info[Context]) -> str | None:
        return await organisation_name(info, self.where)


async def organisation_name(info: strawberry.Info[Context], where: str | None) -> str | None:
    """The name of the organisation an audit row names ("area:<code>", "facility:<id>")."""
    kind, _, key = (where or "").partition(":")
    if kind == "area":
        found = await info.context.loaders.area_by_code.load(key)
        return None if found is None else found.name
    if kind == "facility" and key.isdigit():
        facility = await info.context.loaders.facility_by_id.load(int(key))
        return None if facility is None else facility.name
    return None


@strawberry.input(description="Filters of the audit review; all given filters must hold.")
class AuditFilter:
    actor: str | None = strawberry.field(default=None, description="This subject only.")
    role: Role | None = strawberry.field(default=None, description="This role only.")
    entity: str | None = strawberry.field(default=None, description="This kind of record.")
    entity_id: str | None = strawberry.field(default=None, description="About this record.")
    action: str | None = strawberry.field(default=None, description="This action only.")
    from_: datetime | None = strawberry.field(name="from", default=None, description="At or after.")
    to: datetime | None = strawberry.field(default=None, description="Before.")


@strawberry.input(description="A facility an administrator makes or changes.")
class FacilityInput:
    name: str | None = strawberry.field(default=None, description="Its name, 1-200 characters.")
    kind: FacilityKind | None = strawberry.field(default=None, description="What it does.")
    tier: int | None = strawberry.field(default=None, description="Its tier: 1, 2 or 3.")
    area_code: strawberry.ID | None = strawberry.field(
        default=None, description="The commune it lies in, inside your area."
    )
    active: bool | None = strawberry.field(default=None, description="false: switched off.")


@strawberry.input(description="A facility's beds now.")
class BedReportInput:
    capacity: int = strawberry.field(description="Beds for COVID-19 patients (0-100000).")
    occupied_outside_f0care: int = strawberry.field(
        description="Of them, beds taken by patients f0care does not follow (0 to capacity)."
    )


@strawberry.enum(description="The file format of a line-list export.")
class ExportFormat(Enum):
    CSV = "CSV"
    XLSX = "XLSX"


@strawberry.type(description="A line-list export ready to download.")
class ExportLink:
    url: str = strawberry.field(
        description=(
            "Where to GET the file, with the same bearer token, within 10 minutes (a path on "
            "this server)."
        )
    )
    expires_at: datetime = strawberry.field(description="When the address stops working.")
    rows: int = strawberry.field(description="Patients the file holds (as counted now).")
    format: ExportFormat = strawberry.field(description="CSV (UTF-8 with BOM) or XLSX.")
