"""The rehoming queue: records a move to a new map could not place for certain."""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import (
    Alert,
    Area,
    Contact,
    Declaration,
    Facility,
    Patient,
    RehomingItem,
    User,
)
from db.queries.alerts import OPEN_STATUSES
from domain.enums import AreaLevel, RehomingKind


async def open_items(session: AsyncSession, province_code: str) -> list[RehomingItem]:
    """The items waiting in a province, oldest first."""
    stmt = (
        select(RehomingItem)
        .where(RehomingItem.province_code == province_code, RehomingItem.resolved_at.is_(None))
        .order_by(RehomingItem.id)
    )
    return list(await session.scalars(stmt))


async def item_for_update(session: AsyncSession, item_id: int) -> RehomingItem | None:
    """An item, locked."""
    stmt = select(RehomingItem).where(RehomingItem.id == item_id).with_for_update()
    found: RehomingItem | None = await session.scalar(stmt)
    return found


async def commune_of(session: AsyncSession, code: str, province_code: str) -> Area | None:
    """The commune `code` if it lies in the province (on the map in use)."""
    found: Area | None = await session.scalar(
        select(Area).where(
            Area.code == code,
            Area.level == AreaLevel.COMMUNE,
            Area.province_code == province_code,
        )
    )
    return found


async def rehome(session: AsyncSession, item: RehomingItem, commune: Area) -> None:
    """Move the item's record to `commune` (a patient's open alerts with it)."""
    province = commune.province_code
    if item.kind is RehomingKind.PATIENT:
        await session.execute(
            update(Patient)
            .where(Patient.id == item.entity_id)
            .values(home_commune_code=commune.code, home_province_code=province)
        )
        await session.execute(
            update(Alert)
            .where(Alert.patient_id == item.entity_id, Alert.status.in_(OPEN_STATUSES))
            .values(commune_code=commune.code, province_code=province)
        )
    elif item.kind is RehomingKind.CONTACT:
        await session.execute(
            update(Contact)
            .where(Contact.id == item.entity_id)
            .values(commune_code=commune.code, province_code=province)
        )
    elif item.kind is RehomingKind.DECLARATION:
        await session.execute(
            update(Declaration)
            .where(Declaration.id == item.entity_id)
            .values(commune_code=commune.code, province_code=province)
        )
    elif item.kind is RehomingKind.FACILITY:
        await session.execute(
            update(Facility)
            .where(Facility.id == item.entity_id)
            .values(area_code=commune.code, province_code=province)
        )
    else:  # an account: its tokens name the old place
        await session.execute(
            update(User)
            .where(User.id == item.entity_id)
            .values(area_code=commune.code, token_version=User.token_version + 1)
        )


async def provisional_places(session: AsyncSession) -> frozenset[str]:
    """Where records wait placed for now: the areas they are in and their provinces."""
    rows = await session.execute(
        select(RehomingItem.placed_code, RehomingItem.province_code)
        .where(RehomingItem.resolved_at.is_(None))
        .distinct()
    )
    return frozenset(code for row in rows for code in row)
