"""Medication orders and adverse events."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, select
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import AdverseEvent, Drug, MedicationOrder
from db.queries.once import insert_once


@dataclass(frozen=True)
class DrugQuery:
    """The catalogue's drugs (no filter yet: the catalogue is small)."""


def drug_conditions(query: DrugQuery) -> list[ColumnElement[bool]]:
    """The WHERE conditions of the drug list."""
    return []


async def list_drugs(session: AsyncSession, query: DrugQuery) -> list[Drug]:
    """The catalogue by code."""
    rows = await session.scalars(select(Drug).where(*drug_conditions(query)).order_by(Drug.code))
    return list(rows)


async def add_order(session: AsyncSession, values: dict[str, Any]) -> tuple[MedicationOrder, bool]:
    """Insert an order; a key its recorder used before returns the first one instead. The
    flag says whether this call created it."""
    return await insert_once(session, MedicationOrder, values, ("recorded_by", "idempotency_key"))


async def order_for_update(session: AsyncSession, order_id: int) -> MedicationOrder | None:
    found: MedicationOrder | None = await session.scalar(
        select(MedicationOrder).where(MedicationOrder.id == order_id).with_for_update()
    )
    return found


async def add_adverse_event(session: AsyncSession, **values: Any) -> AdverseEvent:
    event = AdverseEvent(**values)
    session.add(event)
    await session.flush()
    return event
