"""The SQL behind the benchmarks (bench/): reading and preparing a generated national
dataset on a bare asyncpg connection. Never used by the service."""

from __future__ import annotations

import asyncpg

# the daily report series the plain way: GROUP BY over the raw rows (what the rollup avoids)
_PLAIN_REPORTS = """
SELECT (r.reported_at AT TIME ZONE $2)::date AS d, count(*)
FROM health_reports r JOIN patients p ON p.id = r.patient_id
WHERE ($1 = 'VN' OR p.home_province_code = $1)
  AND (r.reported_at AT TIME ZONE $2)::date >= (now() AT TIME ZONE $2)::date - 29
GROUP BY d
"""


async def communes(conn: asyncpg.Connection) -> list[tuple[str, str, str]]:
    """Every commune as (code, district code, province code), by code."""
    rows = await conn.fetch(
        "SELECT code, district_code, province_code FROM areas WHERE level = 'COMMUNE' ORDER BY code"
    )
    return [(r["code"], r["district_code"], r["province_code"]) for r in rows]


async def hospitals(conn: asyncpg.Connection) -> dict[tuple[str, int], int]:
    """A tier-2 and a tier-3 hospital in every province (made once): id by (province, tier)."""
    await conn.execute(
        "INSERT INTO facilities (name, kind, tier, area_code, province_code, district_code, "
        "bed_capacity) "
        "SELECT h.name || ' ' || p.name, h.kind, h.tier, c.code, p.code, c.district_code, "
        "h.beds FROM areas p CROSS JOIN (VALUES "
        "('Bệnh viện dã chiến', 'FIELD_HOSPITAL', 2, 3000), "
        "('Bệnh viện hồi sức COVID-19', 'PROVINCIAL_HOSPITAL', 3, 500)"
        ") AS h(name, kind, tier, beds) "
        "CROSS JOIN LATERAL (SELECT code, district_code FROM areas "
        "WHERE province_code = p.code AND level = 'COMMUNE' ORDER BY code LIMIT 1) AS c "
        "WHERE p.level = 'PROVINCE' ON CONFLICT DO NOTHING"
    )
    rows = await conn.fetch(
        "SELECT province_code, tier, min(id) AS id FROM facilities "
        "WHERE kind IN ('FIELD_HOSPITAL', 'PROVINCIAL_HOSPITAL') GROUP BY 1, 2"
    )
    return {(r["province_code"], r["tier"]): r["id"] for r in rows}


async def next_patient_id(conn: asyncpg.Connection) -> int:
    """The first patient id above every existing one."""
    found: int = await conn.fetchval("SELECT coalesce(max(id), 0) + 1 FROM patients")
    return found


async def busiest_district(conn: asyncpg.Connection) -> tuple[str, str]:
    """(district, province) of the district with the most patients."""
    row = await conn.fetchrow(
        "SELECT home_district_code, home_province_code FROM patients "
        "GROUP BY 1, 2 ORDER BY count(*) DESC LIMIT 1"
    )
    return row[0], row[1]


async def detail_patient(conn: asyncpg.Connection, district: str) -> int:
    """The patient of `district` with the most transfers, then reports: the detail page's
    subject. Given five clinical notes if it has none (the generated data has no notes)."""
    patient_id: int = await conn.fetchval(
        "SELECT p.id FROM patients p WHERE p.home_district_code = $1 ORDER BY "
        "(SELECT count(*) FROM transfers t WHERE t.patient_id = p.id) DESC, "
        "(SELECT count(*) FROM health_reports r WHERE r.patient_id = p.id) DESC, p.id LIMIT 1",
        district,
    )
    await conn.execute(
        "INSERT INTO clinical_notes (patient_id, text, author, author_role, created_at) "
        "SELECT $1, 'Theo dõi SpO2 mỗi 4 giờ; uống đủ nước (ngày ' || n || ').', "
        "'bench-staff', 'HEALTH_STAFF', now() - n * interval '1 day' "
        "FROM generate_series(1, 5) AS n "
        "WHERE NOT EXISTS (SELECT 1 FROM clinical_notes WHERE patient_id = $1)",
        patient_id,
    )
    return patient_id


async def largest_province(conn: asyncpg.Connection) -> tuple[str, str, int]:
    """(code, name, patients) of the province with the most patients."""
    row = await conn.fetchrow(
        "SELECT a.code, a.name, count(*) AS n FROM patients p "
        "JOIN areas a ON a.code = p.home_province_code GROUP BY 1, 2 ORDER BY 3 DESC LIMIT 1"
    )
    return row["code"], row["name"], row["n"]


async def citizens_at_home(conn: asyncpg.Connection, count: int) -> list[str]:
    """Citizen subjects of `count` patients at home (given one if they have none)."""
    rows = await conn.fetch(
        "UPDATE patients SET citizen_subject = coalesce(citizen_subject, 'citizen-' || id) "
        "WHERE id IN (SELECT id FROM patients WHERE status = 'HOME_TREATMENT' "
        "ORDER BY id LIMIT $1) RETURNING citizen_subject",
        count,
    )
    return [r["citizen_subject"] for r in rows]


async def plain_report_series(conn: asyncpg.Connection, area: str, timezone: str) -> None:
    """Compute the last 30 days' report counts of `area` (or `VN`) from the raw rows."""
    await conn.fetch(_PLAIN_REPORTS, area, timezone)
