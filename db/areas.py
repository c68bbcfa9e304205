"""Loading Viet Nam's administrative hierarchy (2021) from `vietnam-provinces`."""

from __future__ import annotations

import json
from dataclasses import dataclass
from importlib import resources
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import Area
from domain.enums import AreaLevel

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


def read_bundled_areas() -> list[dict[str, Any]]:
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


async def load_areas(session: AsyncSession) -> LoadResult:
    """Insert or update every area; rows already identical are left untouched."""
    rows = read_bundled_areas()
    stmt = insert(Area)
    changed_cols = ["name", "level", "division_type", "codename", "parent_code"]
    upsert = stmt.on_conflict_do_update(
        index_elements=[Area.code],
        set_={c: stmt.excluded[c] for c in [*changed_cols, "province_code", "district_code"]},
        where=func.row(*[getattr(Area, c) for c in changed_cols]).is_distinct_from(
            func.row(*[stmt.excluded[c] for c in changed_cols])
        ),
    ).returning(Area.code)
    changed = 0
    for start in range(0, len(rows), 2000):
        result = await session.execute(upsert, rows[start : start + 2000])
        changed += len(result.all())
    return LoadResult(changed=changed, total=len(rows))


async def has_areas(session: AsyncSession) -> bool:
    """Whether any area has been loaded."""
    return await session.scalar(select(Area.code).limit(1)) is not None


async def count_areas(session: AsyncSession) -> dict[AreaLevel, int]:
    """Number of areas at each level."""
    result = await session.execute(select(Area.level, func.count()).group_by(Area.level))
    return {row[0]: row[1] for row in result}
