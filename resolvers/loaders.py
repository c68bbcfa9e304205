"""Per-request dataloaders. Each batch opens its own short session, because aiodataloader
runs batches of different loaders concurrently (an AsyncSession must not be shared).
Areas are reference data: once loaded they are kept for the life of the process."""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Awaitable, Callable, Hashable, Sequence
from functools import cached_property
from typing import Any, Generic, TypeVar, cast

from aiodataloader import DataLoader
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from db import related
from db.models import (
    AdverseEvent,
    Alert,
    Area,
    BedReport,
    ClinicalNote,
    Comorbidity,
    Contact,
    ContactFollowUpDay,
    Drug,
    Exposure,
    Facility,
    HealthReport,
    MedicationOrder,
    Patient,
    RecoveryCertificate,
    TestResult,
    Transfer,
    Vaccination,
)
from db.queries import areas as area_queries
from db.queries import epidemiology as epidemiology_queries
from db.queries import patients as patient_queries
from db.readplan import Count, Many, Newest, One
from domain.scope import Scope

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")
R = TypeVar("R")


def now_or_later(value: Awaitable[V], convert: Callable[[V], R]) -> R:
    """`convert` of a loader's value: at once when it is already loaded (prefetched by the
    list above), else an awaitable that graphql-core awaits. Plain values let the executor
    finish a page without a task per item."""
    if isinstance(value, asyncio.Future) and value.done():
        return convert(value.result())

    async def later() -> R:
        return convert(await value)

    return cast("R", later())


Sessions = async_sessionmaker[AsyncSession]


class ByKeyLoader(DataLoader[K, V | None], Generic[K, V]):
    """Loads one object per key; missing keys give None. Results come back in key order."""

    def __init__(
        self,
        sessions: Sessions,
        fetch: Callable[[AsyncSession, Sequence[K]], Awaitable[Sequence[Any]]],
        key_of: Callable[[Any], K],
    ) -> None:
        super().__init__()
        self._sessions, self._fetch, self._key_of = sessions, fetch, key_of

    async def batch_load_fn(self, keys: Sequence[K]) -> list[V | None]:
        async with self._sessions() as session:
            rows = await self._fetch(session, keys)
        found = {self._key_of(row): row for row in rows}
        return [found.get(key) for key in keys]


class AreaByCodeLoader(ByKeyLoader[str, Area]):
    """Areas by code, through the process-wide cache `known`."""

    def __init__(self, sessions: Sessions, known: dict[str, Area]) -> None:
        async def fetch(session: AsyncSession, codes: Sequence[str]) -> list[Area]:
            missing = [c for c in codes if c not in known]
            if missing:
                known.update(
                    (a.code, a) for a in await area_queries.areas_by_codes(session, missing)
                )
            return [known[c] for c in codes if c in known]

        super().__init__(sessions, fetch, lambda a: a.code)
        self.known = known

    def load(self, key: str) -> asyncio.Future[Area | None]:
        """A resolved future at once for a known area, else a batched load."""
        if key in self.known and key not in self._cache:
            future: asyncio.Future[Area | None] = self.loop.create_future()
            future.set_result(self.known[key])
            self._cache[key] = future
        return super().load(key)


class GroupLoader(DataLoader[K, list[V]], Generic[K, V]):
    """Loads every object belonging to each key, in the order the query returns them."""

    def __init__(
        self,
        sessions: Sessions,
        fetch: Callable[[AsyncSession, Sequence[K]], Awaitable[Sequence[Any]]],
        key_of: Callable[[Any], K],
    ) -> None:
        super().__init__()
        self._sessions, self._fetch, self._key_of = sessions, fetch, key_of

    async def batch_load_fn(self, keys: Sequence[K]) -> list[list[V]]:
        async with self._sessions() as session:
            rows = await self._fetch(session, keys)
        groups: dict[K, list[V]] = defaultdict(list)
        for row in rows:
            groups[self._key_of(row)].append(row)
        return [groups[key] for key in keys]


class CountLoader(DataLoader[K, int], Generic[K]):
    """How many related rows each key has, as the relation is declared (0 for none)."""

    def __init__(self, sessions: Sessions, declared: Count) -> None:
        super().__init__()
        self._sessions, self._declared = sessions, declared

    async def batch_load_fn(self, keys: Sequence[K]) -> list[int]:
        async with self._sessions() as session:
            counts = await related.counts_of(session, self._declared, keys)
        return [counts.get(key, 0) for key in keys]


class PatientByIdLoader(ByKeyLoader[int, Patient]):
    """Patients by id, within the caller's scope (out of scope loads as None)."""

    def __init__(self, sessions: Sessions, scope: Callable[[], Scope]) -> None:
        async def fetch(session: AsyncSession, ids: Sequence[int]) -> list[Patient]:
            return await patient_queries.patients_by_ids(session, scope=scope(), ids=ids)

        super().__init__(sessions, fetch, lambda p: p.id)


class Loaders:
    """The loaders of one request, each made on first use (most requests need none)."""

    def __init__(
        self, sessions: Sessions, scope: Callable[[], Scope], areas: dict[str, Area]
    ) -> None:
        self._sessions, self._scope, self._areas = sessions, scope, areas

    @cached_property
    def area_by_code(self) -> AreaByCodeLoader:
        return AreaByCodeLoader(self._sessions, self._areas)

    @cached_property
    def area_children(self) -> GroupLoader[str, Area]:
        """The child areas of each area (`Area.children`)."""
        return self._group("Area", "children")

    @cached_property
    def facility_by_id(self) -> ByKeyLoader[int, Facility]:
        return ByKeyLoader(self._sessions, area_queries.facilities_by_ids, _id)

    @cached_property
    def patient_by_id(self) -> PatientByIdLoader:
        return PatientByIdLoader(self._sessions, self._scope)

    @cached_property
    def latest_report(self) -> ByKeyLoader[int, HealthReport]:
        """The newest health report of each patient (`Patient.latestReport`)."""
        declared = related.declared("Patient", "latestReport", Newest)
        return ByKeyLoader(self._sessions, _rows(declared), _key(declared.target_key))

    @cached_property
    def open_alerts(self) -> GroupLoader[int, Alert]:
        """Open and acknowledged alerts of each patient (`Patient.openAlerts`)."""
        return self._group("Patient", "openAlerts")

    @cached_property
    def transfers(self) -> GroupLoader[int, Transfer]:
        """Every transfer of each patient (`Patient.transfers`)."""
        return self._group("Patient", "transfers")

    @cached_property
    def notes(self) -> GroupLoader[int, ClinicalNote]:
        """Clinical notes of each patient (`Patient.clinicalNotes`)."""
        return self._group("Patient", "clinicalNotes")

    @cached_property
    def comorbidities(self) -> GroupLoader[int, Comorbidity]:
        """Comorbidities of each patient (`Patient.comorbidities`)."""
        return self._group("Patient", "comorbidities")

    @cached_property
    def vaccinations(self) -> GroupLoader[int, Vaccination]:
        """Vaccine doses of each patient (`Patient.vaccinations`)."""
        return self._group("Patient", "vaccinations")

    @cached_property
    def test_results(self) -> GroupLoader[int, TestResult]:
        """Test results of each patient, newest first (`Patient.testResults`)."""
        return self._group("Patient", "testResults")

    @cached_property
    def certificate(self) -> ByKeyLoader[int, RecoveryCertificate]:
        """The recovery certificate of each patient (`Patient.certificate`)."""
        declared = related.declared("Patient", "certificate", One)
        return ByKeyLoader(self._sessions, _rows(declared), _key(declared.target_key))

    @cached_property
    def medications(self) -> GroupLoader[int, MedicationOrder]:
        """Medication orders of each patient, newest first (`Patient.medications`)."""
        return self._group("Patient", "medications")

    @cached_property
    def adverse_events(self) -> GroupLoader[int, AdverseEvent]:
        """Adverse events of each order (`MedicationOrder.adverseEvents`)."""
        return self._group("MedicationOrder", "adverseEvents")

    @cached_property
    def drug_by_code(self) -> ByKeyLoader[str, Drug]:
        """Catalogue drugs by code (`MedicationOrder.drug`)."""
        declared = related.declared("MedicationOrder", "drug", One)
        return ByKeyLoader(self._sessions, _rows(declared), _key(declared.target_key))

    @cached_property
    def exposures(self) -> GroupLoader[int, Exposure]:
        """Exposure places of each patient (`Patient.exposures`)."""
        return self._group("Patient", "exposures")

    @cached_property
    def contact_by_id(self) -> ByKeyLoader[int, Contact]:
        """Contacts by id (`Declaration.contact`: a declaration's readers see its contact)."""
        declared = related.declared("Declaration", "contact", One)
        return ByKeyLoader(self._sessions, _rows(declared), _key(declared.target_key))

    @cached_property
    def visible_contact_by_id(self) -> ByKeyLoader[int, Contact]:
        """Contacts by id within the caller's scope (`Contact.sourceContact`)."""

        async def fetch(session: AsyncSession, ids: Sequence[int]) -> list[Contact]:
            return await epidemiology_queries.contacts_by_ids(session, scope=self._scope(), ids=ids)

        return ByKeyLoader(self._sessions, fetch, _id)

    @cached_property
    def contact_tests(self) -> GroupLoader[int, TestResult]:
        """Test results of each contact, newest first (`Contact.testResults`)."""
        return self._group("Contact", "testResults")

    @cached_property
    def contact_follow_up_days(self) -> GroupLoader[int, ContactFollowUpDay]:
        """The follow-up days of each contact (`Contact.followUps`)."""
        return self._group("Contact", "followUps")

    @cached_property
    def bed_reports(self) -> GroupLoader[int, BedReport]:
        """Bed reports of each facility, latest first (`Facility.bedReports`)."""
        return self._group("Facility", "bedReports")

    @cached_property
    def occupancy(self) -> CountLoader[int]:
        """Patients IN_FACILITY at each facility (`Facility.occupancy`)."""
        return CountLoader(self._sessions, related.declared("Facility", "occupancy", Count))

    def _group(self, type_name: str, field: str) -> GroupLoader[Any, Any]:
        """A loader of the rows a `Many` relation declares, grouped by its key."""
        declared = related.declared(type_name, field, Many)
        return GroupLoader(self._sessions, _rows(declared), _key(declared.target_key))


def _rows(
    declared: One | Newest | Many,
) -> Callable[[AsyncSession, Sequence[Any]], Awaitable[Sequence[Any]]]:
    async def fetch(session: AsyncSession, keys: Sequence[Any]) -> Sequence[Any]:
        return await related.rows_of(session, declared, keys)

    return fetch


def _key(column: str) -> Callable[[Any], Any]:
    def key_of(row: Any) -> Any:
        return getattr(row, column)

    return key_of


def _id(row: Any) -> Any:
    return row.id
