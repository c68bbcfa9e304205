"""The statistics rollup equals the raw computation, whatever writes happened."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from db import rollup
from db.demo import SeedResult
from domain.enums import DeclarationStatus, DischargeOutcome, PatientStatus, Severity
from tests.factories import communes_of, make_declaration, make_patient

TZ = "Asia/Ho_Chi_Minh"
DAY = "(({}) AT TIME ZONE :tz)::date"
# every counted event once, with the patient's (or declaration's) home, straight from the tables
EVENTS = f"""
SELECT {DAY.format("confirmed_at")} AS day, 'new_cases' AS metric,
       home_commune_code AS c, home_district_code AS d, home_province_code AS p
  FROM patients WHERE confirmed_at IS NOT NULL
UNION ALL SELECT {DAY.format("discharged_at")}, 'recovered', home_commune_code,
       home_district_code, home_province_code
  FROM patients WHERE discharge_outcome = 'RECOVERED' AND discharged_at IS NOT NULL
UNION ALL SELECT {DAY.format("discharged_at")}, 'deaths', home_commune_code,
       home_district_code, home_province_code
  FROM patients WHERE discharge_outcome = 'DECEASED' AND discharged_at IS NOT NULL
UNION ALL SELECT {DAY.format("r.reported_at")}, 'reports', p.home_commune_code,
       p.home_district_code, p.home_province_code
  FROM health_reports r JOIN patients p ON p.id = r.patient_id
UNION ALL SELECT {DAY.format("t.requested_at")}, 'transfers', p.home_commune_code,
       p.home_district_code, p.home_province_code
  FROM transfers t JOIN patients p ON p.id = t.patient_id
UNION ALL SELECT {DAY.format("a.raised_at")}, 'alerts', p.home_commune_code,
       p.home_district_code, p.home_province_code
  FROM alerts a JOIN patients p ON p.id = a.patient_id
UNION ALL SELECT {DAY.format("c.issued_at")}, 'certificates_issued', p.home_commune_code,
       p.home_district_code, p.home_province_code
  FROM recovery_certificates c JOIN patients p ON p.id = c.patient_id
UNION ALL SELECT {DAY.format("m.created_at")}, 'medication_orders_' || lower(coalesce(m.package, 'none')),
       p.home_commune_code, p.home_district_code, p.home_province_code
  FROM medication_orders m JOIN patients p ON p.id = m.patient_id
UNION ALL SELECT {DAY.format("became_case_at")}, 'contacts_became_cases', commune_code,
       district_code, province_code
  FROM contacts WHERE became_case_at IS NOT NULL
UNION ALL SELECT {DAY.format("created_at")}, 'declarations:' || status, commune_code,
       district_code, province_code
  FROM declarations
UNION ALL SELECT NULL, 'now:' || status || ':' || coalesce(severity, '') || ':' || tier,
       home_commune_code, home_district_code, home_province_code
  FROM patients
"""


async def _raw(session: AsyncSession, tz: str = TZ) -> dict[tuple[Any, ...], int]:
    counts: dict[tuple[Any, ...], int] = {}
    for level in ("c", "d", "p", "'VN'"):
        rows = await session.execute(
            text(f"SELECT {level}, day, metric, count(*) FROM ({EVENTS}) e GROUP BY 1, 2, 3"),
            {"tz": tz},
        )
        counts.update({(r[0], r[1], r[2]): r[3] for r in rows})
    return counts


async def _rolled_up(session: AsyncSession) -> dict[tuple[Any, ...], int]:
    rows = await session.execute(
        text(
            "SELECT area_code, day, metric, count FROM daily_counts WHERE count <> 0 "
            "UNION ALL SELECT area_code, NULL, metric, count FROM current_counts WHERE count <> 0"
        )
    )
    return {(r[0], r[1], r[2]): r[3] for r in rows}


async def _churn(session: AsyncSession) -> None:
    """Writes of every kind the triggers see: inserts, updates that move an event to another
    day or metric, updates that retract one, deletes."""
    communes = await communes_of(session, "712")
    late = datetime(2021, 9, 1, 16, 59, tzinfo=UTC)  # 23:59 local on the 1st
    fresh = await make_patient(session, communes[0], confirmed_at=late)
    fresh.discharged_at = late + timedelta(minutes=2)  # 00:01 local on the 2nd
    fresh.discharge_outcome = DischargeOutcome.RECOVERED
    fresh.status = PatientStatus.RECOVERED
    await session.flush()
    fresh.discharge_outcome = DischargeOutcome.DECEASED  # a correction: recovered → deaths
    fresh.status = PatientStatus.DECEASED
    await session.flush()
    moved = await make_patient(
        session, communes[1], confirmed_at=late, discharged_at=late, status=PatientStatus.RECOVERED
    )
    moved.discharge_outcome = DischargeOutcome.RECOVERED
    await session.flush()
    moved.confirmed_at = late - timedelta(days=1)  # the confirmation date corrected
    moved.discharged_at = None  # the discharge undone
    moved.discharge_outcome = None
    moved.status = PatientStatus.HOME_TREATMENT
    await session.flush()
    moved.severity = Severity.SEVERE  # worse: moved to hospital
    moved.tier = 2
    moved.status = PatientStatus.IN_FACILITY
    await session.flush()
    declaration = await make_declaration(session, communes[2])
    declaration.status = DeclarationStatus.REJECTED
    await session.flush()
    await session.execute(
        text("DELETE FROM health_reports WHERE id = (SELECT min(id) FROM health_reports)")
    )


async def test_rollup_equals_the_raw_computation(
    sessions: async_sessionmaker[AsyncSession], demo: SeedResult
) -> None:
    # given the demo data, written with the triggers on, and more writes of every kind
    async with sessions.begin() as session:
        await _churn(session)
    # when the deltas are folded
    async with sessions.begin() as session:
        await rollup.fold(session, TZ)
    # then the rollup holds exactly the raw counts at every level, and no delta is left
    async with sessions() as session:
        raw = await _raw(session)
        assert await _rolled_up(session) == raw
        assert await session.scalar(text("SELECT count(*) FROM statistics_deltas")) == 0
    assert any(key[0] == "VN" for key in raw)
    assert raw[("712", date(2021, 9, 2), "deaths")] >= 1
    assert raw[("712", None, "now:DECEASED::1")] >= 1
    # and a rebuild from scratch gives the same rollup
    async with sessions.begin() as session:
        await rollup.rebuild(session, TZ)
    async with sessions() as session:
        assert await _rolled_up(session) == raw


async def test_another_time_zone_rebuilds(
    sessions: async_sessionmaker[AsyncSession], demo: SeedResult
) -> None:
    async with sessions() as session:
        # given a rollup of Vietnamese days; when it is asked for UTC days, it is rebuilt
        assert await rollup.ensure(session, "UTC")
        # then it holds the UTC days
        rolled = await _rolled_up(session)
        raw = await _raw(session, "UTC")
        assert rolled == raw
        assert raw != await _raw(session, TZ)
        await session.rollback()
    async with sessions() as session:
        assert not await rollup.ensure(session, TZ)  # rolled back: the old zone is in place
