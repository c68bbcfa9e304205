"""Who may see which rows (DESIGN.md §5), as plain data the query layer turns into SQL."""

from __future__ import annotations

from dataclasses import dataclass

from domain.enums import AREA_BOUND_ROLES, FACILITY_BOUND_ROLES, AreaLevel, Role


@dataclass(frozen=True)
class Scope:
    """The part of a principal that decides row visibility."""

    role: Role | None  # None: anonymous, sees no personal rows at all
    subject: str
    area_code: str | None = None
    area_level: AreaLevel | None = None
    facility_id: int | None = None

    @property
    def area_bound(self) -> bool:
        """Sees what lies in an area."""
        return self.role in AREA_BOUND_ROLES

    @property
    def facility_bound(self) -> bool:
        """Sees what is at (or coming to) a facility."""
        return self.role in FACILITY_BOUND_ROLES

    @property
    def citizen(self) -> bool:
        """Sees only their own records."""
        return self.role is Role.CITIZEN
