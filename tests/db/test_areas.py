"""The administrative hierarchy of Viet Nam (2021)."""

from __future__ import annotations

import unicodedata

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import aliased

from db.areas import count_areas, load_areas
from db.models import Area
from domain.enums import AreaEdition, AreaLevel


async def test_whole_country_is_loaded(sessions: async_sessionmaker[AsyncSession]) -> None:
    async with sessions() as session:
        counts = await count_areas(session)
    assert counts == {
        AreaLevel.COUNTRY: 1,
        AreaLevel.PROVINCE: 63,
        AreaLevel.DISTRICT: 696,
        AreaLevel.COMMUNE: 10051,
    }


async def test_tay_ninh_has_9_districts_and_94_communes(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    async with sessions() as session:
        rows = await session.execute(
            select(Area.level, func.count()).where(Area.province_code == "72").group_by(Area.level)
        )
        counts = {row[0]: row[1] for row in rows}
    assert counts == {AreaLevel.PROVINCE: 1, AreaLevel.DISTRICT: 9, AreaLevel.COMMUNE: 94}


async def test_second_load_changes_nothing(sessions: async_sessionmaker[AsyncSession]) -> None:
    # given the areas already loaded; when they are loaded again
    async with sessions.begin() as session:
        result = await load_areas(session, AreaEdition.VN_2021)
        # then nothing is inserted or updated
        assert result.changed == 0
        assert result.total == 1 + 63 + 696 + 10051
        assert await session.scalar(select(func.count()).select_from(Area)) == result.total


async def test_vietnamese_names_round_trip(sessions: async_sessionmaker[AsyncSession]) -> None:
    async with sessions() as session:
        area = await session.scalar(select(Area).where(Area.name == "Thị xã Trảng Bàng"))
    assert area is not None
    assert area.level is AreaLevel.DISTRICT
    assert area.parent_code == "72"
    assert unicodedata.is_normalized("NFC", area.name)


async def test_every_area_has_its_parents(sessions: async_sessionmaker[AsyncSession]) -> None:
    async with sessions() as session:
        orphans = await session.scalar(
            select(func.count())
            .select_from(Area)
            .where(Area.level != AreaLevel.COUNTRY, Area.parent_code.is_(None))
        )
        parent = aliased(Area)
        inconsistent = await session.scalar(
            select(func.count())
            .select_from(Area)
            .join(parent, parent.code == Area.parent_code)
            .where(Area.province_code != parent.province_code, parent.level != AreaLevel.COUNTRY)
        )
        under_country = await session.scalar(
            select(func.count()).select_from(Area).where(Area.parent_code == "VN")
        )
    assert orphans == 0
    assert inconsistent == 0
    assert under_country == 63
