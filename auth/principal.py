"""The Principal: who is calling, resolved once per request at the edge."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from domain.enums import AreaLevel, Role
from domain.scope import Scope


@dataclass(frozen=True)
class AreaRef:
    """An area a principal works for, with the codes of every area above it."""

    code: str
    name: str
    level: AreaLevel
    ancestors: tuple[str, ...]  # from the top (province) down to the parent

    def covers(self, code: str, ancestors: tuple[str, ...]) -> bool:
        """Whether the area `code` (with its ancestors) lies inside this one."""
        return code == self.code or self.code in ancestors


@dataclass(frozen=True)
class FacilityRef:
    """A facility a principal works for."""

    id: int
    name: str
    tier: int
    area_code: str


@dataclass(frozen=True)
class Principal:
    """An authenticated caller, or the anonymous one."""

    subject: str
    role: Role | None
    area: AreaRef | None = None
    facility: FacilityRef | None = None
    expires_at: datetime | None = None
    version: int = 0  # of the account when the token was issued
    # signed in with a password an administrator set: only changePassword is allowed
    must_change_password: bool = False

    @classmethod
    def anonymous(cls) -> Principal:
        """The caller without a token."""
        return cls(subject="anonymous", role=None)

    @property
    def authenticated(self) -> bool:
        """Whether a valid token identified the caller."""
        return self.role is not None

    @property
    def organisation(self) -> str | None:
        """Where the caller works, as audit rows keep it: "facility:<id>" or "area:<code>"
        (None for citizens and anonymous callers)."""
        if self.facility is not None:
            return f"facility:{self.facility.id}"
        if self.area is not None:
            return f"area:{self.area.code}"
        return None

    @property
    def scope(self) -> Scope:
        """The row-visibility part of this principal."""
        return Scope(
            role=self.role,
            subject=self.subject,
            area_code=self.area.code if self.area else None,
            area_level=self.area.level if self.area else None,
            facility_id=self.facility.id if self.facility else None,
        )
