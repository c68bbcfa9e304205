"""Background jobs inside the server processes: escalation of unanswered alerts,
missed-report alerts, folding the statistics rollup. With N processes exactly one (the
advisory-lock leader) does the work; losing the database connection only pauses it."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from db import rollup
from db.leader import Leadership
from db.queries import person_events
from db.queries.alerts import escalate_due, raise_missed_reports
from db.queries.epidemiology import complete_contacts
from domain import contacts
from domain.enums import AlertKind
from domain.notifications import PersonEventKind, messages
from resolvers import notify
from server.settings import Settings

log = logging.getLogger("f0care.jobs")


@dataclass
class Jobs:
    """The periodic work of the leader process."""

    sessions: async_sessionmaker[AsyncSession]
    leadership: Leadership
    interval: float
    escalate_after: dict[AlertKind, timedelta]
    report_interval: timedelta
    timezone: str
    report_windows: dict[str, tuple[time, time]] = field(default_factory=dict)
    _task: asyncio.Task[None] | None = None

    @classmethod
    def from_settings(
        cls, settings: Settings, sessions: async_sessionmaker[AsyncSession], dsn: str
    ) -> Jobs:
        """Jobs with the configured intervals."""
        return cls(
            sessions=sessions,
            leadership=Leadership(dsn),
            interval=settings.jobs_interval_seconds,
            escalate_after={
                AlertKind.SOS: timedelta(seconds=settings.sos_escalation_seconds),
                AlertKind.VITAL_SIGNS: timedelta(seconds=settings.vital_escalation_seconds),
                # a contact with symptoms needs a test at once: as urgent as warning signs
                AlertKind.SYMPTOMATIC_CONTACT: timedelta(seconds=settings.vital_escalation_seconds),
                AlertKind.MISSED_REPORT: timedelta(
                    seconds=settings.missed_report_escalation_seconds
                ),
            },
            report_interval=timedelta(hours=settings.report_interval_hours),
            timezone=settings.timezone,
            report_windows=dict(settings.report_windows),
        )

    def start(self) -> None:
        """Run in the background until stopped."""
        self._task = asyncio.create_task(self._run(), name="f0care-jobs")

    async def stop(self) -> None:
        """Stop and give up leadership."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        await self.leadership.release()

    async def _run(self) -> None:
        while True:
            try:
                if await self.leadership.hold():
                    await self.tick(datetime.now(UTC))
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # the database went away: try again next round
                log.warning("background jobs paused: %s", exc)
                await self.leadership.release()
            await asyncio.sleep(self.interval)

    async def tick(self, now: datetime) -> None:
        """One round: escalate what is overdue, raise missed-report alerts, close the
        follow-up of contacts whose quarantine ended with a negative test, fold the
        statistics deltas into the rollup."""
        async with self.sessions.begin() as session:
            escalated = await escalate_due(session, now=now, after=self.escalate_after)
        async with self.sessions.begin() as session:
            missed = await raise_missed_reports(session, now=now, interval=self.report_interval)
        today = now.astimezone(ZoneInfo(self.timezone)).date()
        async with self.sessions.begin() as session:
            completed = await complete_contacts(session, today=today, timezone=self.timezone)
        async with self.sessions.begin() as session:
            told = await self.tell(session, now)
        async with self.sessions.begin() as session:
            await rollup.fold(session, self.timezone)
        if told:
            log.info("told %d citizen(s): reminders, releases due, contact tests", told)
        if escalated or missed or completed:
            log.info(
                "escalated %d alert(s), raised %d missed-report alert(s), completed %d contact(s)",
                len(escalated),
                len(missed),
                completed,
            )

    async def tell(self, session: AsyncSession, now: datetime) -> int:
        """Events for people that time causes: a reminder per reporting window without a
        report, release due, a contact's test day (each once, whoever is leader)."""
        zone = ZoneInfo(self.timezone)
        local = now.astimezone(zone)
        today = local.date()
        told = 0
        for window, (start, remind_at) in self.report_windows.items():
            if local.time() >= remind_at:
                told += await person_events.remind_missing_reports(
                    session,
                    window=window,
                    since=datetime.combine(today, start, zone),
                    cause=f"{today}:{window}",
                    rendered=messages(PersonEventKind.REPORT_REMINDER, {"window": window}),
                )
        for patient in await person_events.due_releases(session, today):
            cause = person_events.release_cause(patient)
            on = patient.release_due_on.isoformat() if patient.release_due_on else None
            await notify.patient_event(session, patient, PersonEventKind.RELEASE_DUE, cause, on=on)
            told += 1
        for contact in await person_events.contacts_with_app(session):
            rules = contacts.RULES[contact.rule_set]
            if today in contacts.days_to_test(contact.last_exposure_on, rules):
                number = (today - contact.last_exposure_on).days + 1
                await notify.contact_event(
                    session, contact, PersonEventKind.CONTACT_TEST_DUE, f"{contact.id}:{today}",
                    on=today.isoformat(), dayNumber=number,
                )  # fmt: skip
        return told
