"""Property: for random principals, random data and random filters, `patients` and
`patient(id)` return exactly what an independent oracle of DESIGN.md §5 allows.

The oracle reads raw rows with plain SQL and walks the area hierarchy itself; it never
calls the scope predicates under test.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from db.models import Patient, Transfer
from domain.enums import AreaEdition, PatientStatus, Role, TransferStatus
from tests.conftest import OnMap, gql
from tests.factories import make_patient, make_transfer
from tests.tokens import token_of

CITIZENS = ["demo-citizen-0001", "demo-citizen-0002", "hypothesis-citizen"]


@dataclass(frozen=True)
class Placement:
    """One extra patient: where it lives, where it is treated, what transfer it has."""

    commune: str
    facility: int | None
    transfer_to: int | None
    transfer_status: TransferStatus
    citizen: str
    status: PatientStatus


@dataclass(frozen=True)
class Caller:
    """A principal drawn at random."""

    role: Role
    subject: str
    area: str | None = None
    facility: int | None = None


async def _hierarchy(
    sessions: async_sessionmaker[AsyncSession], province: str
) -> dict[str, str | None]:
    """Each area's parent, in the demo's province and in Hà Nội (01 on both maps)."""
    async with sessions() as session:
        rows = await session.execute(
            text("SELECT code, parent_code FROM areas WHERE province_code IN (:p, '01')"),
            {"p": province},
        )
        return {code: parent for code, parent in rows}


async def _levels(sessions: async_sessionmaker[AsyncSession], province: str) -> dict[str, str]:
    async with sessions() as session:
        rows = await session.execute(
            text("SELECT code, level FROM areas WHERE province_code = :p"), {"p": province}
        )
        return {code: level for code, level in rows}


async def _facilities(sessions: async_sessionmaker[AsyncSession]) -> list[int]:
    async with sessions() as session:
        return list((await session.scalars(text("SELECT id FROM facilities ORDER BY id"))).all())


async def _receiving_facilities(sessions: async_sessionmaker[AsyncSession]) -> list[int]:
    async with sessions() as session:
        rows = await session.scalars(
            text("SELECT DISTINCT to_facility_id FROM transfers WHERE status IN "
                 "('REQUESTED', 'ACCEPTED') AND to_facility_id IS NOT NULL")
        )  # fmt: skip
        return sorted(rows.all())


def _lineage(code: str, parents: dict[str, str | None]) -> set[str]:
    seen = {code}
    parent = parents.get(code)
    while parent is not None:
        seen.add(parent)
        parent = parents.get(parent)
    return seen


async def _oracle(
    sessions: async_sessionmaker[AsyncSession],
    caller: Caller,
    parents: dict[str, str | None],
    area_filter: str | None,
    statuses: list[PatientStatus],
) -> set[int]:
    async with sessions() as session:
        patients = (
            await session.execute(
                text(
                    "SELECT id, home_commune_code, facility_id, citizen_subject, status "
                    "FROM patients"
                )
            )
        ).all()
        incoming = {
            (pid, fid)
            for pid, fid in await session.execute(
                text(
                    "SELECT patient_id, to_facility_id FROM transfers "
                    "WHERE status IN ('REQUESTED', 'ACCEPTED')"
                )
            )  # fmt: skip
        }
    visible = set()
    for pid, commune, facility, citizen, status in patients:
        lineage = _lineage(commune, parents)
        if caller.role is Role.CITIZEN:
            seen = citizen == caller.subject
        elif caller.role is Role.HOSPITAL_STAFF:
            seen = facility == caller.facility or (pid, caller.facility) in incoming
        else:
            seen = caller.area in lineage
        if not seen:
            continue
        if area_filter is not None and area_filter not in lineage:
            continue
        if statuses and status not in {s.value for s in statuses}:
            continue
        visible.add(pid)
    return visible


async def _listed(
    client: httpx.AsyncClient, token: str, area: str | None, statuses: list[PatientStatus]
) -> tuple[set[int], int]:
    query = (
        "query($f: PatientFilter, $after: String) { patients(filter: $f, first: 100, after: $after)"
        " { totalCount edges { node { id } } pageInfo { hasNextPage endCursor } } }"
    )
    variables: dict[str, Any] = {"f": {"areaCode": area, "status": [s.value for s in statuses]}}
    ids: set[int] = set()
    total = -1
    while True:
        body = await gql(client, query, variables, token)
        assert "errors" not in body, body
        page = body["data"]["patients"]
        total = page["totalCount"]
        ids |= {int(e["node"]["id"]) for e in page["edges"]}
        if not page["pageInfo"]["hasNextPage"]:
            return ids, total
        variables["after"] = page["pageInfo"]["endCursor"]


@dataclass(frozen=True)
class OnOneMap:
    """A deployment on one edition: its client, sessions and the demo's province."""

    client: httpx.AsyncClient
    sessions: async_sessionmaker[AsyncSession]
    province: str
    far_away: str  # a commune of Hà Nội


@pytest.fixture
def deployment(request: pytest.FixtureRequest) -> OnOneMap:
    if request.param is AreaEdition.VN_2021:
        request.getfixturevalue("demo")
        client = request.getfixturevalue("client")
        return OnOneMap(client, request.getfixturevalue("sessions"), "72", "00001")
    on: OnMap = request.getfixturevalue("on_2025")
    return OnOneMap(on.client, on.sessions, "80", "00004")


KINDS = [
    pytest.param(edition, kind, id=f"{edition.value}-{kind}")
    for edition in AreaEdition
    for kind in ("province", "district", "commune", "hospital", "citizen")
    if edition is AreaEdition.VN_2021 or kind != "district"  # no districts on the 2025 map
]


@pytest.mark.parametrize(("deployment", "kind"), KINDS, indirect=["deployment"])
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
async def test_patients_never_leave_scope(
    deployment: OnOneMap, kind: str, data: st.DataObject
) -> None:
    client, sessions, province = deployment.client, deployment.sessions, deployment.province
    parents = await _hierarchy(sessions, province)
    facilities = await _facilities(sessions)
    hospitals = await _receiving_facilities(sessions)
    tay_ninh = sorted(c for c in parents if province in _lineage(c, parents))
    levels = await _levels(sessions, province)
    by_level = {
        "province": [province],
        "district": [c for c in tay_ninh if levels[c] == "DISTRICT"],
        "commune": [c for c in tay_ninh if levels[c] == "COMMUNE"],
    }
    assert by_level["commune"]
    assert bool(by_level["district"]) == (province == "72")  # none on the 2025 map
    communes = [*by_level["commune"], deployment.far_away]
    # given some random extra patients
    placements = data.draw(
        st.lists(
            st.builds(
                Placement,
                commune=st.sampled_from(communes),
                facility=st.none() | st.sampled_from(facilities),
                transfer_to=st.none() | st.sampled_from(facilities),
                transfer_status=st.sampled_from(list(TransferStatus)),
                citizen=st.sampled_from(CITIZENS),
                status=st.sampled_from(list(PatientStatus)),
            ),
            max_size=4,
        )
    )
    # and a random principal of this kind (hospitals mostly where patients are or go)
    busy = sorted(
        {f for p in placements for f in (p.facility, p.transfer_to) if f} | set(hospitals)
    )
    if kind == "hospital":
        facility = data.draw(st.sampled_from(busy) | st.sampled_from(facilities))
        caller = Caller(Role.HOSPITAL_STAFF, "hypothesis-hospital", facility=facility)
    elif kind == "citizen":
        caller = Caller(Role.CITIZEN, data.draw(st.sampled_from(CITIZENS)))
    else:
        role = data.draw(st.sampled_from([Role.LOCAL_OFFICIAL, Role.HEALTH_STAFF, Role.MANAGER]))
        caller = Caller(role, "hypothesis-staff", area=data.draw(st.sampled_from(by_level[kind])))
    area_filter = data.draw(st.none() | st.sampled_from(tay_ninh))
    statuses = data.draw(st.lists(st.sampled_from(list(PatientStatus)), unique=True, max_size=2))
    created: list[int] = []
    try:
        async with sessions.begin() as session:
            for place in placements:
                patient = await make_patient(
                    session,
                    place.commune,
                    facility_id=place.facility,
                    citizen_subject=place.citizen,
                    status=place.status,
                )
                created.append(patient.id)
                if place.transfer_to is not None:
                    await make_transfer(
                        session, patient, place.transfer_to, status=place.transfer_status
                    )
        token = token_of(caller.subject, caller.role, caller.area, caller.facility)
        # when the caller lists and fetches patients
        listed, total = await _listed(client, token, area_filter, statuses)
        expected = await _oracle(sessions, caller, parents, area_filter, statuses)
        # then exactly the oracle's patients come back, and counts agree
        assert listed == expected
        assert total == len(expected)
        probe = data.draw(st.sampled_from(sorted({*created, *sorted(expected)[:3], 1})))
        unfiltered = await _oracle(sessions, caller, parents, None, [])
        body = await gql(
            client, "query($id: ID!) { patient(id: $id) { id } }", {"id": str(probe)}, token
        )
        found = body["data"]["patient"]
        assert (found is not None) == (probe in unfiltered)
    finally:
        async with sessions.begin() as session:
            await session.execute(delete(Transfer).where(Transfer.patient_id.in_(created)))
            await session.execute(delete(Patient).where(Patient.id.in_(created)))
