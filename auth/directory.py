"""Areas and facilities named in tokens, looked up once and kept (reference data)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from auth.principal import AreaRef, FacilityRef
from db.queries import areas as queries


class Directory:
    """Cached lookups of areas (with ancestors) and facilities by id."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions
        self._areas: dict[str, AreaRef] = {}
        self._facilities: dict[int, FacilityRef] = {}

    async def area(self, code: str) -> AreaRef | None:
        """The area with this code, or None; unknown codes are not cached."""
        if code in self._areas:
            return self._areas[code]
        async with self._sessions() as session:
            chain = await queries.area_with_ancestors(session, code)
        if not chain:
            return None
        area = chain[0]
        ref = AreaRef(
            code=area.code,
            name=area.name,
            level=area.level,
            ancestors=tuple(a.code for a in reversed(chain[1:])),
        )
        self._areas[code] = ref
        return ref

    async def facility(self, facility_id: int) -> FacilityRef | None:
        """The facility with this id, or None; unknown ids are not cached."""
        if facility_id in self._facilities:
            return self._facilities[facility_id]
        async with self._sessions() as session:
            rows = await queries.facilities_by_ids(session, [facility_id])
        if not rows:
            return None
        row = rows[0]
        ref = FacilityRef(id=row.id, name=row.name, tier=row.tier, area_code=row.area_code)
        self._facilities[facility_id] = ref
        return ref
