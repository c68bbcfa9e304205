"""Background jobs inside the server processes: escalation of unanswered alerts,
missed-report alerts, folding the statistics rollup. With N processes exactly one (the
advisory-lock leader) does the work; losing the database connection only pauses it."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from db import rollup
from db.leader import Leadership
from db.queries.alerts import escalate_due, raise_missed_reports
from db.queries.epidemiology import complete_contacts
from domain.enums import AlertKind
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
            await rollup.fold(session, self.timezone)
        if escalated or missed or completed:
            log.info(
                "escalated %d alert(s), raised %d missed-report alert(s), completed %d contact(s)",
                len(escalated),
                len(missed),
                completed,
            )
