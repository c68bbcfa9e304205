"""The rehoming queue: records a move to a new map could not place for certain."""

from __future__ import annotations

from typing import Any

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


# where each kind of record keeps its commune and its province
PLACES: dict[RehomingKind, tuple[type[Any], str, str]] = {
    RehomingKind.PATIENT: (Patient, "home_commune_code", "home_province_code"),
    RehomingKind.CONTACT: (Contact, "commune_code", "province_code"),
    RehomingKind.DECLARATION: (Declaration, "commune_code", "province_code"),
    RehomingKind.FACILITY: (Facility, "area_code", "province_code"),
}


async def rehome(session: AsyncSession, item: RehomingItem, commune: Area) -> None:
    """Move the item's record to `commune` (a patient's open alerts with it)."""
    if item.kind is RehomingKind.USER:  # an account: its tokens name the old place
        await session.execute(
            update(User)
            .where(User.id == item.entity_id)
            .values(area_code=commune.code, token_version=User.token_version + 1)
        )
        return
    model, commune_column, province_column = PLACES[item.kind]
    await session.execute(
        update(model)
        .where(model.id == item.entity_id)
        .values({commune_column: commune.code, province_column: commune.province_code})
    )
    if item.kind is RehomingKind.PATIENT:
        await session.execute(
            update(Alert)
            .where(Alert.patient_id == item.entity_id, Alert.status.in_(OPEN_STATUSES))
            .values(commune_code=commune.code, province_code=commune.province_code)
        )


async def provisional_places(session: AsyncSession) -> frozenset[str]:
    """Where records wait placed for now: the areas they are in and their provinces."""
    rows = await session.execute(
        select(RehomingItem.placed_code, RehomingItem.province_code)
        .where(RehomingItem.resolved_at.is_(None))
        .distinct()
    )
    return frozenset(code for row in rows for code in row)
