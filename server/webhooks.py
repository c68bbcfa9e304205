"""Webhook delivery, in one process at a time (a leader of its own): new events of each
webhook's area are queued as deliveries, and each webhook's due deliveries are POSTed by a
task of its own — a slow or dead endpoint delays nobody else — signed as the Standard
Webhooks specification says, retried with backoff and jitter for 24 hours, each citizen's
events in order. Deliveries are rows: a restart (of f0care or PostgreSQL) loses nothing."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

import httpx
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from standardwebhooks import Webhook as Signer

from auth.sealing import Sealer
from db.leader import Leadership
from db.models import PersonEvent
from db.queries import webhooks as queries
from domain import webhooks as rules

log = logging.getLogger("f0care.webhooks")
WEBHOOKS_LOCK = 0x0F0CA1EB  # the delivering process (apart from the jobs leader)
BATCH = 100  # deliveries of one webhook per round


class Refused(Exception):
    """The endpoint may not be reached (its address is not allowed)."""


@dataclass
class Dispatcher:
    """Queues and delivers webhook events while this process leads."""

    sessions: async_sessionmaker[AsyncSession]
    leadership: Leadership
    sealer: Sealer
    allow_private: bool = False
    every_seconds: float = 1.0
    first_retry: timedelta = rules.FIRST_RETRY
    rng: random.Random = field(default_factory=random.Random)
    _wake: asyncio.Event = field(default_factory=asyncio.Event)
    _task: asyncio.Task[None] | None = None
    _running: dict[int, asyncio.Task[None]] = field(default_factory=dict)
    _client: httpx.AsyncClient | None = None
    _stopping: bool = False

    def start(self) -> None:
        self._client = httpx.AsyncClient(timeout=rules.TIMEOUT_SECONDS, follow_redirects=False)
        self._task = asyncio.create_task(self._run(), name="f0care-webhooks")

    async def stop(self) -> None:
        """Let the loop finish its round (a connection being opened is not cut off
        halfway), then stop the deliveries in flight; they are tried again later."""
        self._stopping = True
        self._wake.set()
        if self._task is not None:
            with contextlib.suppress(TimeoutError, asyncio.CancelledError):
                await asyncio.wait_for(self._task, 5)
        for task in self._running.values():
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        if self._client is not None:
            await self._client.aclose()
        await self.leadership.release()

    def wake(self) -> None:
        """An event was committed: queue and deliver it now."""
        self._wake.set()

    async def _run(self) -> None:
        while not self._stopping:
            try:
                if await self.leadership.hold():
                    await self.round(datetime.now(UTC))
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # the database went away: try again later
                log.warning("webhook deliveries paused: %s", exc)
                await self.leadership.release()
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(self.every_seconds):
                    await self._wake.wait()
            self._wake.clear()

    async def round(self, now: datetime) -> None:
        """Queue new events for every active webhook; start its deliveries unless they
        are still running."""
        async with self.sessions() as session:
            active = await queries.active_webhooks(session)
            newest = await queries.newest_event(session)  # read once a round
        for hook in active:
            hook_id, url, sealed = hook.id, hook.url, hook.secret_encrypted
            if newest > hook.queued_through:  # something new, perhaps for it
                async with self.sessions.begin() as session:
                    await queries.queue(session, hook_id, newest)
            running = self._running.get(hook_id)
            if running is None or running.done():
                secret = self.sealer.open(sealed)
                self._running[hook_id] = asyncio.create_task(
                    self.deliver(hook_id, url, secret, now), name=f"webhook-{hook_id}"
                )

    async def deliver(self, hook_id: int, url: str, secret: str, now: datetime) -> None:
        """Attempt the webhook's due deliveries, one after another."""
        async with self.sessions() as session:
            due = await queries.due(session, hook_id, now, BATCH)
        for item in due:
            attempted = datetime.now(UTC)
            status, error = None, None
            try:
                status = await self.post(url, secret, item.event, attempted)
            except (Refused, httpx.HTTPError, OSError) as exc:
                error = str(exc) or type(exc).__name__
            first = item.first_attempt_at or attempted
            ok = status is not None and 200 <= status < 300
            values: dict[str, object] = {
                "attempts": item.attempts + 1, "first_attempt_at": first,
                "last_attempt_at": attempted, "last_status_code": status,
                "last_error": None if ok else error or f"HTTP {status}",
            }  # fmt: skip
            if ok:
                values |= {"status": queries.DELIVERED, "delivered_at": attempted}
            elif attempted - first >= rules.RETRY_FOR:
                values |= {"status": queries.FAILED}
            else:
                wait = rules.next_wait(item.attempts + 1, self.rng, self.first_retry)
                values |= {"next_attempt_at": attempted + wait}
            async with self.sessions.begin() as session:
                await queries.record(session, item.delivery_id, **values)

    async def post(self, url: str, secret: str, event: PersonEvent, at: datetime) -> int:
        """POST one event, signed; the HTTP status of the answer."""
        await check_address(url, self.allow_private)
        body = json.dumps(
            rules.payload(
                event_id=event.id, kind=event.kind.value, created_at=event.created_at.isoformat(),
                subject=event.citizen_subject, case_code=event.case_code,
                commune_code=event.commune_code, message_vi=event.message_vi,
                message_en=event.message_en,
            ),
            ensure_ascii=False,
        )  # fmt: skip
        message_id = f"evt_{event.id}"  # the same on every attempt: receivers de-duplicate
        headers = {
            "content-type": "application/json; charset=utf-8",
            "webhook-id": message_id,
            "webhook-timestamp": str(int(at.timestamp())),
            "webhook-signature": Signer(secret).sign(message_id, at, body),
        }
        assert self._client is not None  # noqa: S101 - started before delivering
        response = await self._client.post(url, content=body.encode("utf-8"), headers=headers)
        return response.status_code


async def check_address(url: str, allow_private: bool) -> None:
    """Refuse an address that resolves to a loopback, private or link-local one
    (server-side request forgery): checked at every delivery, not only at registration."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    port = parts.port or (443 if parts.scheme == "https" else 80)
    found = await asyncio.get_running_loop().getaddrinfo(host, port)
    addresses = {str(info[4][0]) for info in found}
    if not addresses or not all(rules.address_allowed(a, allow_private) for a in addresses):
        raise Refused(f"{host} resolves to an address deliveries may not reach")
