"""Moving the demo database (2021 map) to the 2025 map: nothing lost, every active
patient placed for certain or queued, split communes' patients on the queue, districts
gone, old tokens' accounts bumped, statistics equal for communes continued whole — and a
dry run changes nothing."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from db import rollup
from db.area_migration import MIGRATE_AREAS, CannotMove, move_areas
from db.areas import current_edition
from db.demo import seed_demo
from db.models import Alert, Area, AuditEntry, Declaration, Patient, RehomingItem, User
from domain.enums import AreaEdition, AreaLevel, PatientStatus, RehomingKind, RehomingReason
from tests.conftest import fresh_database
from tests.factories import make_patient

ZONE = "Asia/Ho_Chi_Minh"
ACTIVE = (PatientStatus.HOME_TREATMENT, PatientStatus.IN_FACILITY)


@dataclass(frozen=True)
class Moved:
    sessions: async_sessionmaker[AsyncSession]
    url: str
    before: dict[str, Any]


async def _rows(session: AsyncSession, sql: str, **values: Any) -> list[Any]:
    return list((await session.execute(text(sql), values)).all())


async def _split_commune(session: AsyncSession) -> str:
    """A Tây Ninh commune of 2021 split between several of 2025."""
    found = await session.scalar(
        text(
            "SELECT s.from_code FROM area_successions s JOIN areas a ON a.code = s.from_code "
            "WHERE a.province_code = '72' AND a.level = 'COMMUNE' AND s.part "
            "GROUP BY s.from_code HAVING count(*) > 1 ORDER BY s.from_code LIMIT 1"
        )
    )
    assert found is not None
    return str(found)


async def _whole_groups(session: AsyncSession) -> dict[str, list[str]]:
    """New Tây Ninh communes made only of whole old communes: new → its old ones."""
    rows = await _rows(
        session,
        "SELECT to_code, array_agg(from_code ORDER BY from_code) FROM area_successions "
        "WHERE from_edition = 'VN_2021' AND length(to_code) = 5 AND to_code IN "
        "(SELECT to_code FROM area_successions WHERE length(to_code) = 5 "
        " GROUP BY to_code HAVING NOT bool_or(part)) "
        "AND from_code IN (SELECT code FROM areas WHERE province_code = '72') "
        "GROUP BY to_code ORDER BY 1",
    )
    return {str(new): [str(old) for old in olds] for new, olds in rows}


def _summed(parts: list[dict[str, Any]]) -> dict[str, Any]:
    """The counts of several areas together, as one area's."""
    daily: dict[tuple[Any, Any], int] = {}
    current: dict[Any, int] = {}
    for part in parts:
        for day, metric, n in part["daily"]:
            daily[(day, metric)] = daily.get((day, metric), 0) + n
        for metric, n in part["current"]:
            current[metric] = current.get(metric, 0) + n
    return {
        "daily": [(day, metric, n) for (day, metric), n in sorted(daily.items()) if n],
        "current": [(metric, n) for metric, n in sorted(current.items()) if n],
    }


async def _counts(session: AsyncSession, code: str) -> dict[str, Any]:
    daily = await _rows(
        session,
        "SELECT day, metric, count FROM daily_counts WHERE area_code = :c ORDER BY 1, 2",
        c=code,
    )
    current = await _rows(
        session,
        "SELECT metric, count FROM current_counts WHERE area_code = :c AND count <> 0 ORDER BY 1",
        c=code,
    )
    return {"daily": [tuple(r) for r in daily], "current": [tuple(r) for r in current]}


@pytest.fixture(scope="module")
async def moved(server_url: str) -> AsyncIterator[Moved]:
    async with fresh_database(server_url, "f0care_move") as (url, sessions):
        async with sessions.begin() as session:
            await seed_demo(session, now=datetime.now(UTC), patients=300, password_hash=lambda: "x")
            split = await _split_commune(session)
            queued = await make_patient(session, split)  # at home, in a split commune
        async with sessions.begin() as session:
            await rollup.fold(session, ZONE)
        async with sessions() as session:
            groups = await _whole_groups(session)
            before = {
                "patients": await session.scalar(select(func.count()).select_from(Patient)),
                "alerts": await session.scalar(select(func.count()).select_from(Alert)),
                "declarations": await session.scalar(select(func.count()).select_from(Declaration)),
                "versions": dict(
                    (await session.execute(select(User.username, User.token_version))).all()
                ),
                "split": split,
                "queued_patient": queued.id,
                "groups": groups,
                "stats": {
                    new: _summed([await _counts(session, old) for old in olds])
                    for new, olds in groups.items()
                },
                "province": await _counts(session, "72"),
            }
        yield Moved(sessions, url, before)


async def test_a_dry_run_changes_nothing(moved: Moved) -> None:
    async with moved.sessions() as session:
        report = await move_areas(session, AreaEdition.VN_2025, by="test", timezone=ZONE)
        await session.rollback()
    assert report.queued >= 1
    assert report.counts["patients"]["split"] >= 1
    async with moved.sessions() as session:
        assert await current_edition(session) is AreaEdition.VN_2021
        assert await session.scalar(select(func.count()).select_from(RehomingItem)) == 0
        assert (
            await session.scalar(
                select(func.count()).select_from(Area).where(Area.level == AreaLevel.DISTRICT)
            )
            == 696
        )


async def test_the_demo_database_moves_to_the_2025_map(moved: Moved) -> None:
    before = moved.before
    async with moved.sessions() as session:
        report = await move_areas(session, AreaEdition.VN_2025, by="test", timezone=ZONE)
        await session.commit()
    assert sum(report.counts["patients"].values()) == before["patients"]
    async with moved.sessions() as session:
        # nothing lost
        assert await session.scalar(select(func.count()).select_from(Patient)) == before["patients"]
        assert await session.scalar(select(func.count()).select_from(Alert)) == before["alerts"]
        assert (
            await session.scalar(select(func.count()).select_from(Declaration))
            == before["declarations"]
        )
        # the map is the new one, without districts, and records name its areas only
        assert await current_edition(session) is AreaEdition.VN_2025
        levels = dict(
            (await session.execute(select(Area.level, func.count()).group_by(Area.level))).all()
        )
        assert levels == {AreaLevel.COUNTRY: 1, AreaLevel.PROVINCE: 34, AreaLevel.COMMUNE: 3321}
        assert (
            await session.scalar(
                select(func.count())
                .select_from(Patient)
                .where(Patient.home_district_code.is_not(None))
            )
            == 0
        )
        # every active patient is placed for certain, or waits on the queue
        queued = set(
            await session.scalars(
                select(RehomingItem.entity_id).where(
                    RehomingItem.kind == RehomingKind.PATIENT, RehomingItem.resolved_at.is_(None)
                )
            )
        )
        active = list(await session.scalars(select(Patient).where(Patient.status.in_(ACTIVE))))
        assert active
        for patient in active:
            place = await session.get(Area, patient.home_commune_code)
            assert place is not None
            assert place.edition is AreaEdition.VN_2025
            assert place.level is AreaLevel.COMMUNE or patient.id in queued
        # the split commune's patient waits, with every candidate
        item = await session.scalar(
            select(RehomingItem).where(RehomingItem.entity_id == before["queued_patient"])
        )
        assert item is not None
        assert (item.reason, item.old_code) == (RehomingReason.SPLIT, before["split"])
        assert len(item.candidates) > 1
        assert item.placed_code == item.candidates[0]
        assert item.province_code == "80"
        # every account's tokens stop; district accounts are switched off
        versions = dict((await session.execute(select(User.username, User.token_version))).all())
        assert all(versions[u] == v + 1 for u, v in before["versions"].items())
        district = await session.scalar(select(User).where(User.username == "health.district"))
        assert district is not None
        assert not district.is_active
        assert report.deactivated == sorted(
            f"{r}.district" for r in ("admin", "analyst", "health", "manager", "official")
        )
        entry = await session.scalar(select(AuditEntry).where(AuditEntry.action == MIGRATE_AREAS))
        assert entry is not None
        assert "VN_2021 → VN_2025" in str(entry.detail)
        # statistics of communes continued whole are the same on their new code, and the
        # new Tây Ninh counts what the old one did (Long An has no demo data)
        assert sum(1 for counts in before["stats"].values() if counts["daily"]) > 5
        for new, counts in before["stats"].items():
            assert await _counts(session, new) == counts, new
        assert await _counts(session, "80") == before["province"]
        # moving again is refused
        with pytest.raises(CannotMove):
            await move_areas(session, AreaEdition.VN_2025, by="test", timezone=ZONE)
