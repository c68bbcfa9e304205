"""The benchmark floor's SQL (issue 8): the bench patient page in one statement plus the
audit row, on a bare asyncpg connection. What the GraphQL API must come close to."""

from __future__ import annotations

from typing import Any

import asyncpg

from domain.scope import Scope

_PAGE = """
SELECT p.id, p.case_code, p.full_name, p.status, p.severity, p.tier, p.last_report_at,
       c.name AS commune, d.name AS district, f.name AS facility,
       r.spo2, r.respiratory_rate, r.severity AS report_severity, a.kinds
FROM patients p
JOIN areas c ON c.code = p.home_commune_code
LEFT JOIN areas d ON d.code = c.parent_code
LEFT JOIN facilities f ON f.id = p.facility_id
LEFT JOIN LATERAL (
  SELECT spo2, respiratory_rate, severity FROM health_reports h
  WHERE h.patient_id = p.id ORDER BY h.reported_at DESC, h.id DESC LIMIT 1
) r ON true
LEFT JOIN LATERAL (
  SELECT array_agg(kind ORDER BY id) AS kinds FROM alerts al
  WHERE al.patient_id = p.id AND al.status IN ('OPEN', 'ACKNOWLEDGED')
) a ON true
WHERE {column} = $1
ORDER BY p.id DESC
LIMIT $2
"""
_COLUMNS = {
    "PROVINCE": "p.home_province_code",
    "DISTRICT": "p.home_district_code",
    "COMMUNE": "p.home_commune_code",
}


async def patient_page(conn: asyncpg.Connection, scope: Scope, first: int) -> list[Any]:
    """The newest `first` patients of an area-bound scope, with everything the page shows,
    and the audit row of the personal field read, in one transaction."""
    if not scope.area_bound or scope.area_level is None or scope.area_code is None:
        return []
    column = _COLUMNS[scope.area_level.value]
    async with conn.transaction():
        rows: list[Any] = await conn.fetch(_PAGE.format(column=column), scope.area_code, first)  # noqa: S608
        await conn.execute(
            "INSERT INTO audit_log (subject, role, action, entity, entity_ids, fields) "
            "VALUES ($1, $2, 'READ_PERSONAL', 'patient', $3, ARRAY['fullName'])",
            scope.subject,
            None if scope.role is None else scope.role.value,
            [str(r["id"]) for r in rows],
        )
    return rows
