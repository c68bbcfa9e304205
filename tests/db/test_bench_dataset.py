"""The benchmark dataset still loads (a small shape): its bulk load bypasses the insert
triggers, so it must write every column the model requires itself."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import func, select

from bench.dataset import Shape, generate
from db.models import HealthReport, Patient
from tests.conftest import fresh_database


async def test_a_small_dataset_loads_with_the_release_columns(server_url: str) -> None:
    async with fresh_database(server_url, "f0care_benchdata") as (url, sessions):
        shape = Shape(patients=300, reports=900, days=20, now=datetime.now(UTC))
        await generate(url, shape, timezone="Asia/Ho_Chi_Minh")
        async with sessions() as session:
            patients = await session.scalar(select(func.count()).select_from(Patient))
            reports = await session.scalar(select(func.count()).select_from(HealthReport))
            judged = await session.scalar(
                select(func.count()).where(
                    Patient.release_rule_set == "vn-moh-2022-release",
                    Patient.earliest_release_on > Patient.isolation_started_on,
                )
            )
    assert patients == 300
    assert reports == 900
    assert judged == 300
