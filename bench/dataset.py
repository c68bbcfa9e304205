"""A synthetic national dataset, loaded with PostgreSQL COPY: patients in every commune of
the country, their declarations, health reports, transfers and alerts over the last
`days` days. Deterministic for a given seed.

    python -m bench dataset --patients 1000000 --reports 20000000 [--database NAME]
"""

from __future__ import annotations

import argparse
import asyncio
import random
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import asyncpg
from rich.progress import Progress

from db import benchdata, bulk, rollup
from db.engine import asyncpg_dsn, make_engine, make_session_factory

TABLES = ("patients", "declarations", "health_reports", "transfers", "alerts")
CHUNK = 50_000
SEVERITIES = (("MILD", 80), ("MODERATE", 15), ("SEVERE", 4), ("CRITICAL", 1))
PATIENT_COLUMNS = (
    "id", "case_code", "status", "tier", "facility_id", "severity", "full_name",
    "date_of_birth", "sex", "phone", "address", "home_province_code", "home_district_code",
    "home_commune_code", "confirmed_at", "last_report_at", "discharged_at",
    "discharge_outcome", "isolation_started_on", "earliest_release_on", "required_test",
    "release_rule_set",
)  # fmt: skip
ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
DECLARATION_COLUMNS = (
    "kind", "status", "idempotency_key", "submitted_by", "full_name", "date_of_birth", "sex",
    "phone", "address", "province_code", "district_code", "commune_code", "test_kind",
    "tested_on", "created_at", "reviewed_by", "reviewed_at", "patient_id",
)  # fmt: skip
REPORT_COLUMNS = (
    "patient_id", "province_code", "reported_at", "spo2", "severity", "recommended_tier",
    "rule_set", "submitted_by", "submitted_role", "idempotency_key",
)  # fmt: skip
TRANSFER_COLUMNS = (
    "patient_id", "province_code", "status", "from_tier", "to_tier", "to_facility_id",
    "reason", "requested_by", "requested_at", "accepted_at", "completed_at",
)  # fmt: skip
ALERT_COLUMNS = (
    "patient_id", "province_code", "district_code", "commune_code", "kind", "status",
    "severity", "message", "escalation_level", "raised_by", "raised_at", "last_pressed_at",
    "acknowledged_at", "acknowledged_by", "resolved_at", "resolved_by",
)  # fmt: skip


@dataclass(frozen=True)
class Shape:
    """How big the dataset is and when it happens."""

    patients: int
    reports: int
    days: int
    now: datetime
    seed: int = 2021


@dataclass
class Rows:
    """The rows of every table for one chunk of patients."""

    patients: list[tuple[Any, ...]]
    declarations: list[tuple[Any, ...]]
    reports: list[tuple[Any, ...]]
    transfers: list[tuple[Any, ...]]
    alerts: list[tuple[Any, ...]]


def _patients(
    shape: Shape,
    first_id: int,
    communes: list[tuple[str, str, str]],
    hospitals: dict[tuple[str, int], int],
) -> Iterator[Rows]:
    """Chunks of rows; patient ids from `first_id`, reports spread to total `shape.reports`."""
    rng = random.Random(shape.seed)
    start = shape.now - timedelta(days=shape.days)
    per_patient, extra = divmod(shape.reports, shape.patients)
    severities = [s for s, _ in SEVERITIES]
    weights = [w for _, w in SEVERITIES]
    rows = Rows([], [], [], [], [])
    for n in range(shape.patients):
        pid = first_id + n
        commune, district, province = communes[rng.randrange(len(communes))]
        confirmed = start + timedelta(seconds=rng.uniform(0, shape.days * 86400))
        ends = confirmed + timedelta(days=rng.uniform(7, 21))
        severity = rng.choices(severities, weights)[0]
        tier, facility, outcome, discharged = 1, None, None, None
        if ends < shape.now:
            discharged = ends
            outcome = "DECEASED" if rng.random() < 0.01 else "RECOVERED"
            status = outcome
        elif rng.random() < 0.15:
            status, tier = "IN_FACILITY", rng.choice((2, 3))
            facility = hospitals[(province, tier)]
        else:
            status = "HOME_TREATMENT"
        count = per_patient + (1 if n < extra else 0)
        last = min(discharged or shape.now, shape.now)
        step = (last - confirmed) / max(count, 1)
        report_times = [confirmed + step * (k + 1) for k in range(count)]
        name = f"Bệnh nhân {pid}"
        born = date(1940 + rng.randrange(70), 1 + rng.randrange(12), 1 + rng.randrange(28))
        sex = rng.choice(("MALE", "FEMALE"))
        phone = f"09{rng.randrange(10**8):08d}"
        address = f"{rng.randrange(1, 500)} Đường Số {rng.randrange(1, 40)}"
        # the release columns as vn-moh-2022-release has them with no follow-up test (the
        # insert trigger that would fill them is off during the bulk load)
        day_1 = confirmed.astimezone(ZONE).date()
        rows.patients.append(
            (pid, f"B-{pid}", status, tier, facility, severity, name, born, sex, phone, address,
             province, district, commune, confirmed, report_times[-1] if report_times else None,
             discharged, outcome, day_1, day_1 + timedelta(days=6), "RAPID_ANTIGEN",
             "vn-moh-2022-release")
        )  # fmt: skip
        rows.declarations.append(
            ("SELF_TEST", "VERIFIED", f"d-{pid}", f"citizen-{pid}", name, born, sex, phone,
             address, province, district, commune, "RAPID_ANTIGEN", confirmed.date(),
             confirmed - timedelta(hours=rng.uniform(1, 30)), "bench", confirmed, pid)
        )  # fmt: skip
        if rng.random() < 0.05:  # a declaration that did not become this case
            other = rng.choice(("PENDING", "REJECTED", "DUPLICATE"))
            made = confirmed + timedelta(hours=rng.uniform(0, 48))
            reviewed = None if other == "PENDING" else made + timedelta(hours=rng.uniform(1, 24))
            rows.declarations.append(
                ("SELF_TEST", other, f"x-{pid}", f"citizen-{pid}", name, born, sex, phone,
                 address, province, district, commune, "RAPID_ANTIGEN", made.date(), made,
                 None if reviewed is None else "bench", reviewed, None)
            )  # fmt: skip
        for k, at in enumerate(report_times):
            spo2 = 97 if severity == "MILD" else 94
            rows.reports.append(
                (pid, province, at, spo2, severity, 1, "vn-moh-2022", f"citizen-{pid}",
                 "CITIZEN", f"r-{pid}-{k}")
            )  # fmt: skip
        if rng.random() < 0.10:
            asked = confirmed + timedelta(hours=rng.uniform(2, 48))
            rows.transfers.append(
                (pid, province, "COMPLETED", 1, 2, hospitals[(province, 2)], "SpO2 < 96 %",
                 "bench", asked, asked + timedelta(minutes=30), asked + timedelta(hours=3))
            )  # fmt: skip
        if rng.random() < 0.05:
            raised = confirmed + timedelta(hours=rng.uniform(1, 72))
            acked = raised + timedelta(minutes=rng.uniform(1, 120))
            state = "RESOLVED" if discharged else rng.choice(("OPEN", "ACKNOWLEDGED", "RESOLVED"))
            rows.alerts.append(
                (pid, province, district, commune, "SOS", state, severity, "SOS", "COMMUNE",
                 f"citizen-{pid}", raised, raised,
                 None if state == "OPEN" else acked, None if state == "OPEN" else "bench",
                 acked if state == "RESOLVED" else None, "bench" if state == "RESOLVED" else None)
            )  # fmt: skip
        if len(rows.patients) == CHUNK or n == shape.patients - 1:
            yield rows
            rows = Rows([], [], [], [], [])


async def generate(url: str, shape: Shape, *, timezone: str) -> float:
    """Append the dataset to the database at `url`; the seconds it took."""
    began = time.monotonic()
    conn = await asyncpg.connect(asyncpg_dsn(url))
    try:
        communes = await benchdata.communes(conn)
        hospitals = await benchdata.hospitals(conn)
        first_id = await benchdata.next_patient_id(conn)
        with Progress() as bar:
            task = bar.add_task("patients (COPY)", total=shape.patients)
            async with bulk.loading(conn, TABLES):
                for rows in _patients(shape, first_id, communes, hospitals):
                    await bulk.copy_rows(conn, "patients", PATIENT_COLUMNS, rows.patients)
                    await bulk.copy_rows(
                        conn, "declarations", DECLARATION_COLUMNS, rows.declarations
                    )
                    await bulk.copy_rows(conn, "health_reports", REPORT_COLUMNS, rows.reports)
                    await bulk.copy_rows(conn, "transfers", TRANSFER_COLUMNS, rows.transfers)
                    await bulk.copy_rows(conn, "alerts", ALERT_COLUMNS, rows.alerts)
                    bar.advance(task, len(rows.patients))
                bar.update(task, description="indexes and constraints")
            bar.update(task, description="identity, VACUUM ANALYZE")
            await bulk.advance_identity(conn, TABLES)
            await bulk.analyze(conn, TABLES)
    finally:
        await conn.close()
    engine = make_engine(url, pool_size=1)
    try:
        async with make_session_factory(engine).begin() as session:
            await rollup.rebuild(session, timezone)
    finally:
        await engine.dispose()
    return time.monotonic() - began


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench dataset")
    parser.add_argument("--patients", type=int, default=100_000)
    parser.add_argument("--reports", type=int, default=None, help="default: 20 per patient")
    parser.add_argument("--days", type=int, default=60)
    parser.add_argument("--database", default=None, help="database name (default: by size)")
    args = parser.parse_args(argv)
    from bench.common import kept_database

    reports = args.reports if args.reports is not None else args.patients * 20
    shape = Shape(args.patients, reports, args.days, datetime.now(UTC))
    with kept_database(args.database or f"f0care_bench_{args.patients}") as (url, fresh):
        if not fresh:
            print(f"{url.rsplit('/', 1)[-1]} already holds a dataset; drop it to regenerate")
            return 0
        seconds = asyncio.run(generate(url, shape, timezone="Asia/Ho_Chi_Minh"))
    print(f"{args.patients} patients, {reports} reports in {seconds:.0f} s")
    return 0
