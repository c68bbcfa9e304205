"""Reads of personal data collected during one operation (or one delivered event), and
written to the audit log: at the end of an HTTP request, or in batches within a second for
events delivered over WebSocket (a console stays open for a shift)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from auth.principal import Principal
from db.compiled import Reader
from db.queries import audit

if TYPE_CHECKING:
    from resolvers.context import Context


@dataclass
class PersonalReads:
    """Which personal fields of which objects this request returned."""

    by_entity: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    fields: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))

    def add(self, entity: str, entity_id: str, field_name: str) -> None:
        """Note that `field_name` of `entity` `entity_id` was returned."""
        self.by_entity[entity].add(entity_id)
        self.fields[entity].add(field_name)

    def rows(self, principal: Principal) -> list[audit.Row]:
        """One READ_PERSONAL audit row per entity, for `principal`."""
        return [
            audit.Row(
                subject=principal.subject,
                role=principal.role,
                action=READ_PERSONAL,
                entity=entity,
                entity_ids=sorted(ids, key=lambda i: (len(i), i)),
                fields=sorted(self.fields[entity]),
                organisation=principal.organisation,
            )
            for entity, ids in self.by_entity.items()
        ]


READ_PERSONAL = audit.READ_PERSONAL
log = logging.getLogger("f0care.audit")


class AuditWriter:
    """Writes audit rows in the background, all pending ones in one statement, at most
    `every` seconds after they were added: one INSERT per second instead of one per
    subscriber per event. A failed write is retried on the next round."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession], every: float = 1.0) -> None:
        self._sessions = sessions
        self._every = every
        self._pending: list[audit.Row] = []
        self._task: asyncio.Task[None] | None = None

    def add(self, rows: Sequence[audit.Row]) -> None:
        """Queue rows; they are written within `every` seconds."""
        if not rows:
            return
        self._pending.extend(rows)
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._run(), name="audit-writer")

    async def flush(self) -> None:
        """Write every queued row now."""
        rows, self._pending = self._pending, []
        if not rows:
            return
        try:
            async with self._sessions.begin() as session:
                await audit.record_many(session, rows)
        except BaseException:
            self._pending[:0] = rows  # kept for the next round
            raise

    async def close(self) -> None:
        """Stop the background task and write what is left."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        await self.flush()

    async def _run(self) -> None:
        while self._pending:
            await asyncio.sleep(self._every)
            try:
                await self.flush()
            except Exception as exc:  # the database is away: keep the rows, try again
                log.warning("audit rows not written yet (%s); retrying", exc)


async def log_change(
    session: AsyncSession,
    ctx: Context,
    *,
    action: str,
    entity: str,
    entity_ids: Sequence[str] = (),
    fields: Sequence[str] = (),
    detail: str | None = None,
) -> None:
    """Audit a change made by the request's principal, in the change's transaction."""
    await audit.record(
        session,
        subject=ctx.principal.subject,
        role=ctx.principal.role,
        action=action,
        entity=entity,
        entity_ids=entity_ids,
        fields=fields,
        detail=detail,
        organisation=ctx.principal.organisation,
    )


def reader(ctx: Context) -> Reader:
    """Who reads, for the audit row a compiled read writes in its own statement."""
    role = ctx.principal.role
    return Reader(
        ctx.principal.subject,
        None if role is None else role.value,
        ctx.principal.organisation,
        language=ctx.language,
    )


async def record_reads(ctx: Context) -> None:
    """Audit the personal reads of `ctx`'s operation now, in one transaction."""
    rows = ctx.personal_reads.rows(ctx.principal)
    if rows:
        async with ctx.sessions.begin() as session:
            await audit.record_many(session, rows)


def record_delivery(ctx: Context, reads: PersonalReads) -> None:
    """Audit `reads` delivered to `ctx`'s principal in an event, within a second."""
    writer = ctx.services.audit_writer
    if writer is None:
        raise RuntimeError("this server has no audit writer for delivered events")
    writer.add(reads.rows(ctx.principal))
