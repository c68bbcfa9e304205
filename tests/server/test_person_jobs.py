"""Events that time causes, from the leader's job: a report reminder once per patient and
window (also when two processes try at once), release due, a contact's test day."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from db.models import Area, Contact, PersonEvent
from domain.enums import ContactRelation, ContactStatus
from domain.notifications import PersonEventKind
from server.jobs import Jobs
from server.settings import Settings
from tests.conftest import fresh_database
from tests.factories import communes_of, local_today, make_patient
from tests.server.live import servers

ZONE = ZoneInfo("Asia/Ho_Chi_Minh")


@pytest.fixture(scope="module")
async def place(server_url: str) -> AsyncIterator[tuple[str, async_sessionmaker[AsyncSession]]]:
    async with fresh_database(server_url, "f0care_person_jobs") as (url, sessions):
        yield url, sessions


async def _told(sessions: async_sessionmaker[AsyncSession], subject: str) -> list[PersonEvent]:
    async with sessions() as session:
        rows = await session.scalars(
            select(PersonEvent)
            .where(PersonEvent.citizen_subject == subject)
            .order_by(PersonEvent.id)
        )
        return list(rows)


async def test_reminders_once_per_window_releases_and_contact_tests(
    place: tuple[str, async_sessionmaker[AsyncSession]],
) -> None:
    url, sessions = place
    today = local_today()
    evening = datetime.combine(today, time(20, 30), ZONE)
    async with sessions.begin() as session:
        commune = (await communes_of(session, "712"))[0]
        await make_patient(session, commune, citizen_subject="silent")
        await make_patient(
            session, commune, citizen_subject="reported",
            last_report_at=datetime.combine(today, time(13), ZONE),
        )  # fmt: skip
        due = await make_patient(session, commune, citizen_subject="due")
        due.release_due_on = today
        due.last_report_at = evening
        area = await session.get(Area, commune)
        assert area is not None
        session.add(
            Contact(
                full_name="Người F1",
                commune_code=commune,
                district_code=area.district_code,
                province_code=area.province_code,
                relation=ContactRelation.HOUSEHOLD,
                last_exposure_on=today,
                quarantine_started_on=today,
                quarantine_until=today + timedelta(days=6),
                status=ContactStatus.UNDER_FOLLOW_UP,
                rule_set="vn-moh-2021-12-contacts",
                created_by="t",
                citizen_subject="contact",
            )  # fmt: skip
        )
    settings = Settings(database_url=url)
    first, second = (Jobs.from_settings(settings, sessions, "") for _ in range(2))

    async def tell(jobs: Jobs, at: datetime) -> None:
        async with sessions.begin() as session:
            await jobs.tell(session, at)

    # two processes at once, then again later in the evening: once per window
    await asyncio.gather(tell(first, evening), tell(second, evening))
    await tell(first, evening + timedelta(hours=1))
    reminders = [(e.kind, e.values["window"]) for e in await _told(sessions, "silent")]
    kind = PersonEventKind.REPORT_REMINDER
    assert sorted(reminders) == [(kind, "EVENING"), (kind, "MORNING")]
    assert await _told(sessions, "reported") == []  # reported this afternoon
    [release] = await _told(sessions, "due")
    assert release.kind is PersonEventKind.RELEASE_DUE
    assert today.strftime("%d/%m/%Y") in release.message_vi
    [test_day] = await _told(sessions, "contact")
    assert test_day.kind is PersonEventKind.CONTACT_TEST_DUE
    assert test_day.values["dayNumber"] == 1
    # before the morning reminder time, nothing is due for the day's first window
    tomorrow_early = datetime.combine(today + timedelta(days=1), time(8), ZONE)
    await tell(first, tomorrow_early)
    assert len(await _told(sessions, "silent")) == 2


async def test_reminders_once_per_window_with_two_server_processes(
    place: tuple[str, async_sessionmaker[AsyncSession]], tmp_path: Path
) -> None:
    url, sessions = place
    async with sessions.begin() as session:
        commune = (await communes_of(session, "712"))[1]
        await make_patient(session, commune, citizen_subject="two-processes")
    fast = {
        "F0CARE_JOBS": "true",
        "F0CARE_JOBS_INTERVAL_SECONDS": "0.3",
        # a window whose reminder time has come at any hour of the day
        "F0CARE_REPORT_WINDOWS": '{"MORNING": ["00:00", "00:00"]}',
    }
    with servers(url, tmp_path, fast):
        for _ in range(60):  # both processes tick (one leads) for a few seconds
            if await _told(sessions, "two-processes"):
                break
            await asyncio.sleep(0.1)
        await asyncio.sleep(2)
    reminders = await _told(sessions, "two-processes")
    assert [(e.kind, e.values["window"]) for e in reminders] == [
        (PersonEventKind.REPORT_REMINDER, "MORNING")
    ]
