"""The benchmark floor (F0CARE_BENCH_FLOOR=true only; issue 8): the bench's patient page as
a plain Starlette endpoint. Same token check, scope, SQL work and audit row as the API, on
a bare asyncpg pool with orjson: what no GraphQL layer can beat."""

from __future__ import annotations

from typing import Any

import asyncpg
import orjson
from starlette.requests import Request
from starlette.responses import Response

from auth.principal import Principal
from db.floor import patient_page


class PatientPageFloor:
    """GET /bench/floor/patients?first=N for the request's (already verified) principal."""

    def __init__(self, dsn: str) -> None:
        self._dsn = dsn
        self._pool: asyncpg.Pool | None = None

    async def close(self) -> None:
        """Close the pool, if one was opened."""
        if self._pool is not None:
            await self._pool.close()

    async def __call__(self, request: Request) -> Response:
        principal: Principal = request.scope["state"]["principal"]
        first = min(int(request.query_params.get("first", "50")), 100)
        if self._pool is None:
            self._pool = await asyncpg.create_pool(self._dsn, min_size=2, max_size=10)
        async with self._pool.acquire() as conn:
            rows = await patient_page(conn, principal.scope, first)
        edges = [{"node": _node(row)} for row in rows]
        body = orjson.dumps({"data": {"patients": {"edges": edges}}})
        return Response(body, media_type="application/json")


def _node(row: Any) -> dict[str, Any]:
    return {
        "caseCode": row["case_code"],
        "fullName": row["full_name"],
        "status": row["status"],
        "severity": row["severity"],
        "tier": row["tier"],
        "lastReportAt": row["last_report_at"],
        "homeCommune": {"name": row["commune"], "parent": {"name": row["district"]}},
        "facility": None if row["facility"] is None else {"name": row["facility"]},
        "latestReport": None
        if row["report_severity"] is None
        else {
            "spo2": row["spo2"],
            "respiratoryRate": row["respiratory_rate"],
            "severity": row["report_severity"],
        },
        "openAlerts": [{"kind": kind} for kind in row["kinds"] or ()],
    }
