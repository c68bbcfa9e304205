"""Both editions of the map load, with their counts, names and the official conversion
between them; a database uses one of them and refuses to be loaded with the other."""

from __future__ import annotations

import unicodedata

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from db.areas import EditionInUse, count_areas, load_areas
from db.models import Area, AreaSuccession, AreaUnit
from domain.enums import AreaEdition, AreaLevel
from tests.conftest import fresh_database

V21, V25 = AreaEdition.VN_2021, AreaEdition.VN_2025


async def test_every_edition_is_held_with_its_counts(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    async with sessions() as session:
        rows = await session.execute(
            select(AreaUnit.edition, AreaUnit.level, func.count()).group_by(
                AreaUnit.edition, AreaUnit.level
            )
        )
        counts = {(edition, level): n for edition, level, n in rows}
    assert counts == {
        (V21, AreaLevel.COUNTRY): 1,
        (V21, AreaLevel.PROVINCE): 63,
        (V21, AreaLevel.DISTRICT): 696,
        (V21, AreaLevel.COMMUNE): 10051,
        (V25, AreaLevel.COUNTRY): 1,
        (V25, AreaLevel.PROVINCE): 34,
        (V25, AreaLevel.COMMUNE): 3321,
    }


@pytest.mark.parametrize(
    ("edition", "code", "name", "parent"),
    [
        (V21, "25459", "Phường 3", "703"),
        (V25, "25459", "Phường Tân Ninh", "80"),
        (V21, "72", "Tỉnh Tây Ninh", "VN"),
        (V25, "80", "Tỉnh Tây Ninh", "VN"),
        (V21, "80", "Tỉnh Long An", "VN"),
        (V21, "26734", "Phường Tân Định", "760"),
        (V25, "26740", "Phường Sài Gòn", "79"),
    ],
)
async def test_a_code_names_a_place_only_with_its_edition(
    sessions: async_sessionmaker[AsyncSession],
    edition: AreaEdition,
    code: str,
    name: str,
    parent: str,
) -> None:
    async with sessions() as session:
        unit = await session.get(AreaUnit, (edition, code))
    assert unit is not None
    assert (unit.name, unit.parent_code) == (name, parent)
    assert unicodedata.is_normalized("NFC", unit.name)


async def test_the_conversion_table_by_code(sessions: async_sessionmaker[AsyncSession]) -> None:
    async with sessions() as session:
        link = AreaSuccession
        communes = (
            select(link.from_code)
            .join(
                AreaUnit,
                (AreaUnit.edition == link.from_edition) & (AreaUnit.code == link.from_code),
            )
            .where(AreaUnit.level == AreaLevel.COMMUNE)
        )
        mapped = await session.scalar(
            select(func.count(func.distinct(communes.subquery().c.from_code)))
        )
        split = await session.scalar(
            select(func.count(func.distinct(link.from_code))).where(
                link.part, func.length(link.from_code) == 5
            )
        )
        tay_ninh = await session.scalars(
            select(link.to_code).where(link.from_edition == V21, link.from_code == "72")
        )
        tay_ninh_codes = list(tay_ninh)
    assert mapped == 10051 - 28  # 28 communes of 2021 have no entry in the official table
    assert split == 573
    assert tay_ninh_codes == ["80"]  # Tây Ninh and Long An became Tây Ninh (80)


async def test_a_new_database_on_the_2025_map_has_no_districts(server_url: str) -> None:
    async with fresh_database(server_url, "f0care_vn2025", V25) as (_, sessions):
        async with sessions() as session:
            counts = await count_areas(session)
            editions = set(await session.scalars(select(Area.edition).distinct()))
            parent = await session.scalar(select(Area.parent_code).where(Area.code == "25459"))
            with_district = await session.scalar(
                select(func.count()).select_from(Area).where(Area.district_code.is_not(None))
            )
        assert counts == {AreaLevel.COUNTRY: 1, AreaLevel.PROVINCE: 34, AreaLevel.COMMUNE: 3321}
        assert editions == {V25}
        assert parent == "80"
        assert with_district == 0
        # loading it again is harmless; loading the other map is refused, naming the way
        async with sessions.begin() as session:
            assert (await load_areas(session, V25)).changed == 0
        async with sessions.begin() as session:
            with pytest.raises(EditionInUse, match="uses the VN_2025 map, not VN_2021"):
                await load_areas(session, V21)
