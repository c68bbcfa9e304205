"""Account administration rules: what an administrator may grant, and the password policy.

An ADMIN runs the accounts of its own area: it grants only areas and facilities inside that
area (so never an ADMIN above its level), never changes its own account, and never makes
citizens (they sign in through the identity provider). Passwords are at least
MIN_PASSWORD characters, not the username, and not in the list of common passwords shipped
with f0care (`domain/data/common_passwords.txt`)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib.resources import files

from domain.enums import AREA_BOUND_ROLES, FACILITY_BOUND_ROLES, AreaLevel, Role
from domain.text import Texts, rule

MIN_PASSWORD, MAX_PASSWORD = 10, 200
ONE_TIME_LENGTH = 14  # characters of a password an administrator hands over


@dataclass(frozen=True)
class Place:
    """An area as the rules see it: its code, level and the codes above it."""

    code: str
    level: AreaLevel
    ancestors: tuple[str, ...]

    def inside(self, other: Place) -> bool:
        """Whether this area lies in `other` (or is it)."""
        return self.code == other.code or other.code in self.ancestors


@dataclass(frozen=True)
class Grant:
    """What an account would hold: its role, and its area or facility (as places)."""

    role: Role
    area: Place | None
    facility_area: Place | None  # where the facility lies


def grant_problems(admin: Place, grant: Grant, prefix: str = "input") -> list[tuple[str, Texts]]:
    """Why `admin` may not grant `grant` (field, rule), empty when it may."""
    problems: list[tuple[str, Texts]] = []
    if grant.role is Role.CITIZEN:
        problems.append((f"{prefix}.role", rule("citizens sign in through the identity provider")))
    if grant.role in AREA_BOUND_ROLES and grant.area is None:
        problems.append((f"{prefix}.areaCode", rule("role {0} needs an area", grant.role.value)))
    if grant.role in FACILITY_BOUND_ROLES and grant.facility_area is None:
        problems.append(
            (f"{prefix}.facilityId", rule("role {0} needs a facility", grant.role.value))
        )
    if grant.role not in AREA_BOUND_ROLES and grant.area is not None:
        problems.append((f"{prefix}.areaCode", rule("role {0} has no area", grant.role.value)))
    if grant.role not in FACILITY_BOUND_ROLES and grant.facility_area is not None:
        problems.append(
            (f"{prefix}.facilityId", rule("role {0} has no facility", grant.role.value))
        )
    if grant.area is not None and not grant.area.inside(admin):
        problems.append((f"{prefix}.areaCode", rule("must lie inside your area {0}", admin.code)))
    if grant.facility_area is not None and not grant.facility_area.inside(admin):
        inside = rule("must be a facility inside your area {0}", admin.code)
        problems.append((f"{prefix}.facilityId", inside))
    return problems


@cache
def common_passwords() -> frozenset[str]:
    text = files("domain").joinpath("data/common_passwords.txt").read_text(encoding="utf-8")
    lines = (line.strip().lower() for line in text.splitlines())
    return frozenset(line for line in lines if line and not line.startswith("#"))


def password_problem(password: str, username: str) -> Texts | None:
    """Why a password may not be used, or None."""
    if not MIN_PASSWORD <= len(password) <= MAX_PASSWORD:
        return rule("must be {0} to {1} characters", MIN_PASSWORD, MAX_PASSWORD)
    if password.strip().lower() == username.strip().lower():
        return rule("must not be the username")
    if password.strip().lower() in common_passwords():
        return rule("is one of the most common passwords")
    return None
