"""Moving records from one edition of the map to the next, by the official conversion
table: where each old area's records go, and which cannot be placed for certain.

A commune continued by exactly one new commune, wholly, is MAPPED there. A commune split
between several (or only partly continued) goes to its first successor for the time
being and waits on the rehoming queue (SPLIT), as does one with no entry in the table,
placed meanwhile in its new province (UNMAPPED). A district or province goes to the new
province most of its communes went to."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from domain.enums import AreaLevel, RehomingReason


@dataclass(frozen=True)
class OldArea:
    """An area of the map being left."""

    code: str
    level: AreaLevel
    province_code: str | None
    district_code: str | None


@dataclass(frozen=True)
class Link:
    """One row of the conversion table: `old` continued (in `part`) by `new`."""

    old: str
    new: str
    part: bool


@dataclass(frozen=True)
class Placement:
    """Where an old area's records go: `new`, for certain unless `reason` says why not
    (then `candidates` are where they may belong)."""

    new: str
    reason: RehomingReason | None = None
    candidates: tuple[str, ...] = ()


def plan_move(
    areas: Iterable[OldArea], links: Iterable[Link], province_of: Mapping[str, str]
) -> dict[str, Placement]:
    """Each old area's placement on the new map (`province_of`: each new commune's
    province). The country stays itself."""
    old = list(areas)
    successors: dict[str, list[Link]] = {}
    for link in links:
        successors.setdefault(link.old, []).append(link)
    placements: dict[str, Placement] = {}
    votes: dict[str, Counter[str]] = {}
    for area in old:
        if area.level is not AreaLevel.COMMUNE:
            continue
        found = sorted(successors.get(area.code, ()), key=lambda link: link.new)
        if not found:
            continue
        new = [link.new for link in found]
        split = len(found) > 1 or any(link.part for link in found)
        reason = RehomingReason.SPLIT if split else None
        placements[area.code] = Placement(new[0], reason, tuple(new) if split else ())
        for above in (area.province_code, area.district_code):
            if above is not None:
                votes.setdefault(above, Counter())[province_of[new[0]]] += 1
    majority = {
        code: min(count.items(), key=lambda item: (-item[1], item[0]))[0]
        for code, count in votes.items()
    }
    for area in old:
        if area.level is AreaLevel.COUNTRY:
            placements[area.code] = Placement(area.code)
        elif area.level is AreaLevel.COMMUNE and area.code not in placements:
            province = majority[str(area.province_code)]
            placements[area.code] = Placement(province, RehomingReason.UNMAPPED)
        elif area.level in (AreaLevel.DISTRICT, AreaLevel.PROVINCE):
            # a district none of whose communes is in the table goes with its province
            placements[area.code] = Placement(
                majority.get(area.code) or majority[str(area.province_code)]
            )
    return placements
