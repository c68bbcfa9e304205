"""Who's who at the edge: areas and facilities named in tokens, looked up once and kept
(reference data), and the staff accounts that restrict their tokens (switched off, or
changed since a token was issued), kept current from the database by every process."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from auth.principal import AreaRef, FacilityRef
from db.areas import current_edition
from db.queries import areas as queries
from db.queries import users as user_queries
from domain.enums import AreaEdition, Role

log = logging.getLogger("f0care.accounts")
# accounts are re-read from a little before the last change seen: a change written by a
# transaction that committed late (or on a server whose clock is a little behind) is caught
OVERLAP = timedelta(seconds=60)


class Directory:
    """Cached lookups of areas (with ancestors) and facilities by id, and the accounts
    whose tokens are refused."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions
        self._areas: dict[str, AreaRef] = {}
        self._edition: AreaEdition | None = None
        self._facilities: dict[int, FacilityRef] = {}
        self._accounts: dict[str, user_queries.AccountState] = {}
        self._since: datetime | None = None
        self._watchers: dict[str, set[Callable[[], None]]] = {}
        self._changed = asyncio.Event()
        self._stopping = False

    async def area(self, code: str) -> AreaRef | None:
        """The area with this code, or None; unknown codes are not cached."""
        if code in self._areas:
            return self._areas[code]
        async with self._sessions() as session:
            chain = await queries.area_with_ancestors(session, code)
        if not chain:
            return None
        area = chain[0]
        ref = AreaRef(
            code=area.code,
            name=area.name,
            level=area.level,
            ancestors=tuple(a.code for a in reversed(chain[1:])),
        )
        self._areas[code] = ref
        return ref

    async def edition(self) -> AreaEdition:
        """The edition of the map the records use (read once: migrate-areas needs a restart)."""
        if self._edition is None:
            async with self._sessions() as session:
                self._edition = await current_edition(session) or AreaEdition.VN_2021
        return self._edition

    async def not_in_use(self, code: str, edition: AreaEdition | None) -> str:
        """Why a token naming area `code` (of `edition`, when it says) is refused: the
        edition it belongs to and the area(s) continuing it on the map in use."""
        in_use = await self.edition()
        editions = [edition] if edition is not None else [e for e in AreaEdition if e != in_use]
        async with self._sessions() as session:
            for old in editions:
                later = old.value < in_use.value  # editions are named by their year
                found = await queries.successions(session, old, code, later=later)
                named = [f"{unit.code} ({unit.name})" for unit, _ in found]
                if named:
                    return (
                        f"token area {code} is of the {old.value} map, not the {in_use.value} "
                        f"map in use: today it is {' or '.join(named)}"
                    )
        if edition is not None and edition is not in_use:
            return f"token area {code} is of the {edition.value} map, not the {in_use.value} map"
        return "token area does not exist"

    async def facility(self, facility_id: int) -> FacilityRef | None:
        """The facility with this id, or None; unknown ids are not cached."""
        if facility_id in self._facilities:
            return self._facilities[facility_id]
        async with self._sessions() as session:
            rows = await queries.facilities_by_ids(session, [facility_id])
        if not rows:
            return None
        row = rows[0]
        ref = FacilityRef(id=row.id, name=row.name, tier=row.tier, area_code=row.area_code)
        self._facilities[facility_id] = ref
        return ref

    def forget_facility(self, facility_id: int) -> None:
        """A facility changed: read it again when next named (this process)."""
        self._facilities.pop(facility_id, None)

    # --- accounts ----------------------------------------------------------------------

    def refusal(self, subject: str, role: Role | None, version: int) -> str | None:
        """Why a staff token (issued at account `version`) is no longer accepted: its
        account was switched off, or changed since; None when it is. Citizens have no
        account here."""
        state = self._accounts.get(subject)
        if state is None or role in (None, Role.CITIZEN):
            return None
        if not state.active:
            return "the account is deactivated"
        if version < state.token_version:
            return "the account changed after this token was issued"
        return None

    def watch(self, subject: str, refused: Callable[[], None]) -> Callable[[], None]:
        """Call `refused` when the account `subject` stops being accepted; returns the
        function that stops watching."""
        self._watchers.setdefault(subject, set()).add(refused)

        def stop() -> None:
            callbacks = self._watchers.get(subject)
            if callbacks is not None:
                callbacks.discard(refused)
                if not callbacks:
                    del self._watchers[subject]

        return stop

    def accounts_changed(self) -> None:
        """An account changed somewhere (a notification): read the changes now."""
        self._changed.set()

    async def refresh_accounts(self) -> None:
        """Read the accounts changed since the last read (at first, every restricted one)."""
        since = None if self._since is None else self._since - OVERLAP
        async with self._sessions() as session:
            changed = await user_queries.accounts_changed_since(session, since)
        if self._since is None:
            self._since = datetime.now(UTC)
        for state in changed:
            self._accounts[state.username] = state
            self._since = max(self._since, state.changed_at)
            if not state.active or state.token_version > 0:
                for refused in list(self._watchers.get(state.username, ())):
                    refused()  # a watcher checks the refusal against its own token

    def stop_following(self) -> None:
        """End `follow_accounts` after its current read (not cut off halfway)."""
        self._stopping = True
        self._changed.set()

    async def follow_accounts(self, every_seconds: float) -> None:
        """Keep the accounts current: on every notification, and every `every_seconds`
        anyway (a notification lost with a connection is then caught up)."""
        while not self._stopping:
            try:
                await self.refresh_accounts()
            except Exception as exc:  # an outage: the next round tries again
                log.warning("could not read changed accounts (%s)", exc)
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(every_seconds):
                    await self._changed.wait()
            self._changed.clear()
