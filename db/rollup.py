"""Keeping the statistics rollup. Triggers (migration 0004) append `statistics_deltas` rows
for counted events and current-count changes in the writing transaction; `fold` moves them
into `daily_counts` and `current_counts` (every area level; local days). Readers add the
deltas not folded yet, in the same statement, so figures are exact at any moment; folding
only keeps them fast."""

from __future__ import annotations

from sqlalchemy import select, text
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from db.areas import COUNTRY
from db.models import RollupState

COUNTRY_CODE = str(COUNTRY["code"])

# `days` (day or NULL for a current count, metric, commune, district, province, n) counted
# once for its commune, district, province and the country, into the two rollup tables.
# On a map without districts (2025) the district is NULL: the commune's parent is then
# its province, and there is no district row.
_EXPAND = """
, up AS (
  SELECT u.area_code, u.parent_code, d.day, d.metric, sum(d.n) AS n
  FROM days d CROSS JOIN LATERAL (VALUES
    (d.commune_code, COALESCE(d.district_code, d.province_code)),
    (d.district_code, d.province_code),
    (d.province_code, CAST(:country AS varchar)), (CAST(:country AS varchar), NULL)
  ) AS u(area_code, parent_code)
  WHERE u.area_code IS NOT NULL
  GROUP BY 1, 2, 3, 4
), daily AS (
  INSERT INTO daily_counts (area_code, parent_code, day, metric, count)
  SELECT area_code, parent_code, day, metric, n FROM up WHERE day IS NOT NULL
  ORDER BY area_code, day, metric
  ON CONFLICT (area_code, day, metric) DO UPDATE SET count = daily_counts.count + excluded.count
)
INSERT INTO current_counts (area_code, parent_code, metric, count)
SELECT area_code, parent_code, metric, n FROM up WHERE day IS NULL ORDER BY area_code, metric
ON CONFLICT (area_code, metric) DO UPDATE SET count = current_counts.count + excluded.count
"""

_FOLD = text(
    """
WITH moved AS (
  DELETE FROM statistics_deltas
  RETURNING at, metric, commune_code, district_code, province_code, delta
), days AS (
  SELECT CAST(at AT TIME ZONE :tz AS date) AS day, metric, commune_code, district_code,
         province_code, sum(delta) AS n
  FROM moved GROUP BY 1, 2, 3, 4, 5
)"""  # noqa: S608 - constant SQL text, no input
    + _EXPAND
)

# The same as the triggers count, straight from the tables.
_REBUILD = text(
    """
WITH days AS (
  SELECT CAST(confirmed_at AT TIME ZONE :tz AS date) AS day, 'new_cases' AS metric,
         home_commune_code AS commune_code, home_district_code AS district_code,
         home_province_code AS province_code, count(*) AS n
  FROM patients GROUP BY 1, 3, 4, 5
  UNION ALL
  SELECT CAST(discharged_at AT TIME ZONE :tz AS date),
         CASE discharge_outcome WHEN 'RECOVERED' THEN 'recovered' ELSE 'deaths' END,
         home_commune_code, home_district_code, home_province_code, count(*)
  FROM patients
  WHERE discharged_at IS NOT NULL AND discharge_outcome IN ('RECOVERED', 'DECEASED')
  GROUP BY 1, 2, 3, 4, 5
  UNION ALL
  SELECT NULL, 'now:' || status || ':' || coalesce(severity, '') || ':' || tier,
         home_commune_code, home_district_code, home_province_code, count(*)
  FROM patients GROUP BY 2, 3, 4, 5
  UNION ALL
  SELECT CAST(became_case_at AT TIME ZONE :tz AS date), 'contacts_became_cases',
         commune_code, district_code, province_code, count(*)
  FROM contacts WHERE became_case_at IS NOT NULL GROUP BY 1, 2, 3, 4, 5
  UNION ALL
  SELECT CAST(created_at AT TIME ZONE :tz AS date), 'declarations:' || status,
         commune_code, district_code, province_code, count(*)
  FROM declarations GROUP BY 1, 2, 3, 4, 5
  UNION ALL
  SELECT CAST(e.at AT TIME ZONE :tz AS date), e.metric,
         p.home_commune_code, p.home_district_code, p.home_province_code, count(*)
  FROM (
    SELECT patient_id, reported_at AS at, 'reports' AS metric FROM health_reports
    UNION ALL SELECT patient_id, requested_at, 'transfers' FROM transfers
    UNION ALL SELECT patient_id, raised_at, 'alerts' FROM alerts
    UNION ALL SELECT patient_id, issued_at, 'certificates_issued' FROM recovery_certificates
    UNION ALL SELECT patient_id, created_at,
      'medication_orders_' || lower(coalesce(package, 'none')) FROM medication_orders
  ) AS e JOIN patients p ON p.id = e.patient_id
  GROUP BY 1, 2, 3, 4, 5
)"""  # noqa: S608 - constant SQL text, no input
    + _EXPAND
)

COUNTED_TABLES = (
    "patients, declarations, health_reports, transfers, alerts, recovery_certificates, "
    "medication_orders, contacts"
)


async def fold(session: AsyncSession, timezone: str) -> None:
    """Move the pending deltas into `daily_counts`; rebuild first if the rollup was made for
    another time zone (or never)."""
    if await ensure(session, timezone):
        return
    await session.execute(_FOLD, {"tz": timezone, "country": COUNTRY_CODE})


async def ensure(session: AsyncSession, timezone: str) -> bool:
    """Rebuild the rollup unless it holds the days of `timezone`; whether it rebuilt."""
    held = await session.scalar(select(RollupState.timezone))
    if held == timezone:
        return False
    await rebuild(session, timezone)
    return True


async def rebuild(session: AsyncSession, timezone: str) -> None:
    """Recompute the rollup from the tables. Writers of counted tables wait meanwhile, so no
    event is lost or counted twice."""
    await session.execute(text(f"LOCK TABLE {COUNTED_TABLES} IN SHARE MODE"))
    await session.execute(text("TRUNCATE statistics_deltas, daily_counts, current_counts"))
    await session.execute(_REBUILD, {"tz": timezone, "country": COUNTRY_CODE})
    stmt = insert(RollupState).values(id=True, timezone=timezone)
    await session.execute(
        stmt.on_conflict_do_update(index_elements=[RollupState.id], set_={"timezone": timezone})
    )
