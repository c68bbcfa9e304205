"""Who is told about an alert event: its home commune lies in the subscriber's area and
the alert has escalated at least to the subscriber's level; facility staff hear about
patients at their facility."""

from __future__ import annotations

from dataclasses import dataclass

from domain.enums import AreaLevel
from domain.scope import Scope

LEVEL_RANK = {AreaLevel.COMMUNE: 0, AreaLevel.DISTRICT: 1, AreaLevel.PROVINCE: 2}


@dataclass(frozen=True)
class EventPlace:
    """Where an alert event belongs."""

    province_code: str
    district_code: str | None  # None on a map without districts (2025)
    commune_code: str
    level: AreaLevel
    facility_id: int | None


def reaches(scope: Scope, place: EventPlace) -> bool:
    """Whether a subscriber with `scope` is told about an event at `place`."""
    if scope.facility_bound:
        return scope.facility_id is not None and place.facility_id == scope.facility_id
    if not scope.area_bound or scope.area_code is None or scope.area_level is None:
        return False
    inside = scope.area_code in (place.province_code, place.district_code, place.commune_code)
    return inside and LEVEL_RANK[place.level] >= LEVEL_RANK[scope.area_level]


def next_level(level: AreaLevel, *, has_district: bool = True) -> AreaLevel | None:
    """The level an unanswered alert escalates to next, or None at the top. Only levels
    its place has: on a map without districts (2025) a commune's alert goes to the province."""
    above = [
        each
        for each in sorted(LEVEL_RANK, key=LEVEL_RANK.__getitem__)
        if LEVEL_RANK[each] > LEVEL_RANK[level] and (has_district or each is not AreaLevel.DISTRICT)
    ]
    return above[0] if above else None
