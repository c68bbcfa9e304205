"""Loading the editions of Viet Nam's administrative map: 2021 (provinces, districts,
communes) from `vietnam-provinces` 0.6.0, and the two-tier map of 1 July 2025 with the
official conversion of the 2021 units to it from `db/data/vn2025.json` (made from
`vietnam-provinces` 2026.9.0, which itself needs Python ≥ 3.12: see `db/data/make_vn2025.py`).

Every edition goes to `area_units` and the conversion to `area_successions` (reference
data); `areas`, which every record refers to, holds the edition the deployment uses."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import Area, AreaSuccession, AreaUnit
from domain.enums import AreaEdition, AreaLevel

# Official code widths: province 2 digits, district 3, commune 5 (e.g. 72, 703, 25459).
CODE_WIDTH = {AreaLevel.PROVINCE: 2, AreaLevel.DISTRICT: 3, AreaLevel.COMMUNE: 5}
# The root above the provinces (ISO 3166 code): national staff and BI tools are bound to it.
COUNTRY = {
    "code": "VN",
    "name": "Việt Nam",
    "level": AreaLevel.COUNTRY,
    "division_type": "quốc gia",
    "codename": "viet_nam",
    "parent_code": None,
    "province_code": None,
    "district_code": None,
}


@dataclass(frozen=True)
class LoadResult:
    """How many area rows a load inserted or changed, and how many it read."""

    changed: int
    total: int


def area_code(level: AreaLevel, number: int) -> str:
    """The official zero-padded code of an area."""
    return str(number).zfill(CODE_WIDTH[level])


class EditionInUse(Exception):
    """The database uses another edition of the map (moving is `migrate-areas`)."""


def read_edition(edition: AreaEdition) -> list[dict[str, Any]]:
    """The country, then every area of an edition, parents before children."""
    return _read_2021() if edition is AreaEdition.VN_2021 else _read_2025()


@cache
def _vn2025() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(
        (resources.files("db.data") / "vn2025.json").read_text(encoding="utf-8")
    )
    return data


def _read_2025() -> list[dict[str, Any]]:
    data, country = _vn2025(), str(COUNTRY["code"])
    rows: list[dict[str, Any]] = [COUNTRY]
    for code, name, division_type, codename in data["provinces"]:
        rows.append(_unit(code, name, AreaLevel.PROVINCE, division_type, codename, country, code))
    for code, name, division_type, codename, province in data["communes"]:
        rows.append(
            _unit(code, name, AreaLevel.COMMUNE, division_type, codename, province, province)
        )
    return rows


def _unit(
    code: str,
    name: str,
    level: AreaLevel,
    division_type: str,
    codename: str,
    parent: str,
    province: str,
) -> dict[str, Any]:
    return {
        "code": code, "name": name, "level": level, "division_type": division_type,
        "codename": codename, "parent_code": parent, "province_code": province,
        "district_code": None,
    }  # fmt: skip


def successions() -> list[dict[str, Any]]:
    """The official conversion of the 2021 provinces and communes to the 2025 ones, by code
    (`part`: only part of the old area went to this one)."""
    data = _vn2025()
    rows = [
        _succession(old, new, part=len(news) > 1)  # a province in several: split
        for old, news in data["provinceSuccessors"].items()
        for new in news
    ]
    rows += [
        _succession(old, new, part=split)
        for old, (news, split) in data["communeSuccessors"].items()
        for new in news
    ]
    return rows


def _succession(old: str, new: str, *, part: bool) -> dict[str, Any]:
    return {
        "from_edition": AreaEdition.VN_2021, "from_code": old,
        "to_edition": AreaEdition.VN_2025, "to_code": new, "part": part,
    }  # fmt: skip


def _read_2021() -> list[dict[str, Any]]:
    """The country, then all areas from the package's nested JSON, parents before children."""
    path = resources.files("vietnam_provinces") / "data" / "nested-divisions.json"
    provinces = json.loads(path.read_text(encoding="utf-8"))
    rows: list[dict[str, Any]] = [COUNTRY]
    for p in provinces:
        pcode = area_code(AreaLevel.PROVINCE, p["code"])
        rows.append(_row(p, AreaLevel.PROVINCE, str(COUNTRY["code"]), pcode, None))
        for d in p["districts"]:
            dcode = area_code(AreaLevel.DISTRICT, d["code"])
            rows.append(_row(d, AreaLevel.DISTRICT, pcode, pcode, dcode))
            rows.extend(_row(w, AreaLevel.COMMUNE, dcode, pcode, dcode) for w in d["wards"])
    return rows


def _row(
    item: dict[str, Any], level: AreaLevel, parent: str | None, province: str, district: str | None
) -> dict[str, Any]:
    return {
        "code": area_code(level, item["code"]),
        "name": item["name"],
        "level": level,
        "division_type": item["division_type"],
        "codename": item["codename"],
        "parent_code": parent,
        "province_code": province,
        "district_code": district,
    }


async def load_areas(session: AsyncSession, edition: AreaEdition) -> LoadResult:
    """Every edition's areas and the conversion between them (reference data), and the
    areas records refer to: `edition`'s, inserted or updated (rows already identical are
    left untouched). A database that uses another edition is refused (`EditionInUse`)."""
    in_use = await current_edition(session)
    if in_use is not None and in_use is not edition:
        raise EditionInUse(
            f"this database uses the {in_use.value} map, not {edition.value}: a database "
            "keeps the map it was made with"
        )
    await load_reference(session)
    return await put_edition(session, edition)


async def put_edition(session: AsyncSession, edition: AreaEdition) -> LoadResult:
    """`edition`'s areas into `areas`: new codes added, codes there already changed to the
    edition's place (rows already identical are left untouched). A code of another edition
    that this one does not have stays (a move to a new map deletes those at its end)."""
    rows = [{**row, "edition": edition} for row in read_edition(edition)]
    stmt = insert(Area)
    compared = ["name", "level", "division_type", "codename", "parent_code", "edition"]
    upsert = stmt.on_conflict_do_update(
        index_elements=[Area.code],
        set_={c: stmt.excluded[c] for c in [*compared, "province_code", "district_code"]},
        where=func.row(*[getattr(Area, c) for c in compared]).is_distinct_from(
            func.row(*[stmt.excluded[c] for c in compared])
        ),
    ).returning(Area.code)
    changed = 0
    for start in range(0, len(rows), 2000):
        result = await session.execute(upsert, rows[start : start + 2000])
        changed += len(result.all())
    return LoadResult(changed=changed, total=len(rows))


async def load_reference(session: AsyncSession) -> None:
    """Every edition's units and the conversion tables (each loaded once)."""
    for edition in AreaEdition:
        rows = [{**row, "edition": edition} for row in read_edition(edition)]
        held = select(func.count()).select_from(AreaUnit).where(AreaUnit.edition == edition)
        if await session.scalar(held) == len(rows):
            continue  # loaded before
        for start in range(0, len(rows), 2000):
            await session.execute(
                insert(AreaUnit).on_conflict_do_nothing(), rows[start : start + 2000]
            )
    links = successions()
    if await session.scalar(select(func.count()).select_from(AreaSuccession)) == len(links):
        return
    for start in range(0, len(links), 2000):
        await session.execute(
            insert(AreaSuccession).on_conflict_do_nothing(), links[start : start + 2000]
        )


async def current_edition(session: AsyncSession) -> AreaEdition | None:
    """The edition of the map the records use (None before any area is loaded)."""
    found: AreaEdition | None = await session.scalar(
        select(Area.edition).where(Area.code == COUNTRY["code"])
    )
    return found


async def has_areas(session: AsyncSession) -> bool:
    """Whether any area has been loaded."""
    return await session.scalar(select(Area.code).limit(1)) is not None


async def count_areas(session: AsyncSession) -> dict[AreaLevel, int]:
    """Number of areas at each level."""
    result = await session.execute(select(Area.level, func.count()).group_by(Area.level))
    return {row[0]: row[1] for row in result}
