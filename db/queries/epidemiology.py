"""Exposure places of cases and close contacts (F1)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import Exposure


async def add_exposure(session: AsyncSession, **values: Any) -> Exposure:
    exposure = Exposure(**values)
    session.add(exposure)
    await session.flush()
    return exposure


async def exposure_for_update(session: AsyncSession, exposure_id: int) -> Exposure | None:
    found: Exposure | None = await session.scalar(
        select(Exposure).where(Exposure.id == exposure_id).with_for_update()
    )
    return found


async def remove_exposure(session: AsyncSession, exposure_id: int) -> None:
    await session.execute(delete(Exposure).where(Exposure.id == exposure_id))
