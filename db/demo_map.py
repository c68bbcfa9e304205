"""Where the demo happens, on either edition of the map: Tây Ninh's communes, the regions
their tier-2 hospitals serve, and the communes the demo's accounts work in.

On the 2021 map Tây Ninh is province 72, and a region is a district. On the two-tier map
of 2025 it is province 80 (Tây Ninh and Long An joined); a region is the 2021 district
a commune mostly comes from (its first predecessor's), as the province's regional health
centres (trung tâm y tế khu vực) serve them. The demo's communes on the 2025 map are the
successors of its 2021 ones."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import Area, AreaSuccession, AreaUnit
from domain.enums import AreaEdition, AreaLevel

PROVINCE = {AreaEdition.VN_2021: "72", AreaEdition.VN_2025: "80"}
# the district of the district-level accounts (2021); their first commune is the commune of
# the commune-level accounts, and the demo citizen's home
DEMO_DISTRICT_NAME = "Thị xã Trảng Bàng"
DISTRICT_TYPES = ("Thành phố ", "Thị xã ", "Quận ", "Huyện ")  # how district names begin


@dataclass(frozen=True)
class Region:
    """Communes one tier-2 hospital serves: a district (2021) or a 2025 region."""

    code: str
    hospital: str  # the hospital's name
    district: Area | None  # the district itself, on the 2021 map


@dataclass(frozen=True)
class DemoMap:
    """The demo's province on the map in use."""

    edition: AreaEdition
    province: str
    communes: list[Area]  # by code
    region_of: dict[str, Region]  # commune code → its region
    regions: list[Region]  # in the order their first commune comes
    demo_commune: Area  # of the commune-level accounts and the demo citizen
    capital: Area  # where the provincial hospitals are

    def first_commune(self, region: Region) -> Area:
        """The commune a region's hospital stands in."""
        return next(c for c in self.communes if self.region_of[c.code] == region)

    @property
    def demo_region(self) -> Region:
        """The region of the demo commune."""
        return self.region_of[self.demo_commune.code]


async def demo_map(session: AsyncSession, edition: AreaEdition) -> DemoMap:
    """The demo's province, regions and communes on `edition`'s map (the one in use)."""
    province = PROVINCE[edition]
    rows = list(
        await session.scalars(
            select(Area).where(Area.province_code == province).order_by(Area.code)
        )
    )
    communes = [a for a in rows if a.level is AreaLevel.COMMUNE]
    if not communes:
        raise LookupError(f"areas of Tây Ninh ({province}) are missing: run `f0care load-areas`")
    if edition is AreaEdition.VN_2021:
        districts = {a.code: a for a in rows if a.level is AreaLevel.DISTRICT}
        region_of = {c.code: _district_region(districts[str(c.parent_code)]) for c in communes}
        demo = _first_in(
            communes, next(d for d in districts.values() if d.name == DEMO_DISTRICT_NAME)
        )
        capital = _first_in(communes, min(districts.values(), key=lambda d: d.code))
    else:
        region_of = await _regions_2025(session, communes, province)
        demo = await _successor(session, await _demo_commune_2021(session), communes)
        capital = await _successor(session, await _capital_2021(session), communes)
    regions = sorted(set(region_of.values()), key=lambda r: r.code)
    return DemoMap(edition, province, communes, region_of, regions, demo, capital)


def _district_region(district: Area) -> Region:
    return Region(district.code, f"Trung tâm Y tế {district.name}", district)


def _first_in(communes: list[Area], district: Area) -> Area:
    return next(c for c in communes if c.parent_code == district.code)


async def _regions_2025(
    session: AsyncSession, communes: list[Area], province: str
) -> dict[str, Region]:
    """Each 2025 commune's region: the 2021 district of its first predecessor."""
    old, link = AreaUnit, AreaSuccession
    district = (
        select(AreaUnit.code, AreaUnit.name, AreaUnit.division_type)
        .where(AreaUnit.edition == AreaEdition.VN_2021, AreaUnit.level == AreaLevel.DISTRICT)
        .subquery()
    )
    found = await session.execute(
        select(link.to_code, district.c.code, district.c.name)
        .join(old, (old.edition == link.from_edition) & (old.code == link.from_code))
        .join(district, district.c.code == old.district_code)
        .where(
            link.to_edition == AreaEdition.VN_2025,
            link.to_code.in_([c.code for c in communes]),
            old.level == AreaLevel.COMMUNE,
        )
        .order_by(link.to_code, link.from_code)
    )
    regions: dict[str, Region] = {}
    for commune, code, name in found:
        if commune not in regions:
            short = next((name[len(t) :] for t in DISTRICT_TYPES if name.startswith(t)), name)
            regions[commune] = Region(code, f"Trung tâm Y tế khu vực {short}", None)
    fallback = Region(province, "Trung tâm Y tế khu vực Tây Ninh", None)  # a new commune
    return {c.code: regions.get(c.code, fallback) for c in communes}


async def _demo_commune_2021(session: AsyncSession) -> str:
    district = await session.scalar(
        select(AreaUnit.code).where(
            AreaUnit.edition == AreaEdition.VN_2021, AreaUnit.name == DEMO_DISTRICT_NAME
        )
    )
    return await _first_unit_under(session, str(district))


async def _capital_2021(session: AsyncSession) -> str:
    district = await session.scalar(
        select(AreaUnit.code)
        .where(
            AreaUnit.edition == AreaEdition.VN_2021,
            AreaUnit.parent_code == PROVINCE[AreaEdition.VN_2021],
        )
        .order_by(AreaUnit.code)
        .limit(1)
    )
    return await _first_unit_under(session, str(district))


async def _first_unit_under(session: AsyncSession, parent: str) -> str:
    found = await session.scalar(
        select(AreaUnit.code)
        .where(AreaUnit.edition == AreaEdition.VN_2021, AreaUnit.parent_code == parent)
        .order_by(AreaUnit.code)
        .limit(1)
    )
    return str(found)


async def _successor(session: AsyncSession, old: str, communes: list[Area]) -> Area:
    """The 2025 commune continuing the 2021 commune `old` (its first, when it was split)."""
    new = await session.scalar(
        select(AreaSuccession.to_code)
        .where(
            AreaSuccession.from_edition == AreaEdition.VN_2021,
            AreaSuccession.from_code == old,
            AreaSuccession.to_edition == AreaEdition.VN_2025,
        )
        .order_by(AreaSuccession.to_code)
        .limit(1)
    )
    return next(c for c in communes if c.code == new)
