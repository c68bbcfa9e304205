"""Property: for random contacts (living in one commune, listed by cases of others, or
listed as contacts of another contact) and random area principals, `contacts` and
`contact(id)` return exactly what an independent oracle allows: the contacts living in the
caller's area, those of its cases, and the contacts of either; nobody else's. The oracle
reads raw rows with plain SQL and walks the hierarchy itself."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from db.demo import SeedResult
from db.models import Area, Contact, ContactSource, Patient
from domain.enums import ContactRelation, ContactStatus, Role
from tests.conftest import gql
from tests.factories import local_today, make_patient
from tests.schema.test_scope_property import _hierarchy, _levels, _lineage
from tests.tokens import token_of


@dataclass(frozen=True)
class Listing:
    """One extra contact: where they live, and the communes of the cases that list them,
    or (`of_contact`) the earlier listing whose contact listed them."""

    lives_in: str
    cases_in: tuple[str, ...]
    of_contact: int | None = None


async def _oracle(
    sessions: async_sessionmaker[AsyncSession], area: str, parents: dict[str, str | None]
) -> set[int]:
    async with sessions() as session:
        rows = (
            await session.execute(text("SELECT id, commune_code, source_contact_id FROM contacts"))
        ).all()
        lives: dict[int, str] = {cid: commune for cid, commune, _ in rows}
        listed_by = {cid: source for cid, _, source in rows if source is not None}
        sources = (
            await session.execute(
                text(
                    "SELECT s.contact_id, p.home_commune_code FROM contact_sources s "
                    "JOIN patients p ON p.id = s.patient_id"
                )
            )
        ).all()
    visible = {cid for cid, commune in lives.items() if area in _lineage(commune, parents)}
    visible |= {cid for cid, commune in sources if area in _lineage(commune, parents)}
    return visible | {cid for cid, source in listed_by.items() if source in visible}


async def _listed(client: httpx.AsyncClient, token: str) -> set[int]:
    query = (
        "query($after: String) { contacts(first: 100, after: $after)"
        " { totalCount edges { node { id } } pageInfo { hasNextPage endCursor } } }"
    )
    variables: dict[str, Any] = {}
    ids: set[int] = set()
    while True:
        body = await gql(client, query, variables, token)
        assert "errors" not in body, body
        page = body["data"]["contacts"]
        ids |= {int(e["node"]["id"]) for e in page["edges"]}
        if not page["pageInfo"]["hasNextPage"]:
            assert page["totalCount"] == len(ids)
            return ids
        variables["after"] = page["pageInfo"]["endCursor"]


@pytest.mark.parametrize("level", ["PROVINCE", "DISTRICT", "COMMUNE"])
@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
async def test_contacts_never_leave_scope(
    level: str,
    data: st.DataObject,
    client: httpx.AsyncClient,
    sessions: async_sessionmaker[AsyncSession],
    demo: SeedResult,
) -> None:
    parents = await _hierarchy(sessions, "72")
    levels = await _levels(sessions, "72")
    tay_ninh = sorted(c for c in levels if levels[c] == "COMMUNE")
    communes = [*tay_ninh[:12], "00001"]  # a few of Tây Ninh's, and one in Hà Nội
    listings = data.draw(
        st.lists(
            st.builds(
                Listing,
                lives_in=st.sampled_from(communes),
                cases_in=st.lists(st.sampled_from(communes), min_size=1, max_size=2).map(tuple),
            ),
            min_size=1,
            max_size=4,
        )
    )
    for n in range(1, len(listings)):  # some are contacts of an earlier contact instead
        earlier = data.draw(st.none() | st.integers(0, n - 1))
        if earlier is not None:
            listings[n] = Listing(listings[n].lives_in, (), earlier)
    areas = ["72"] if level == "PROVINCE" else [c for c in levels if levels[c] == level]
    near = sorted({a for listing in listings for a in _lineage(listing.lives_in, parents)})
    candidates = [a for a in near if a in areas] or areas
    area = data.draw(st.sampled_from(candidates) | st.sampled_from(areas))
    role = data.draw(st.sampled_from([Role.LOCAL_OFFICIAL, Role.HEALTH_STAFF, Role.MANAGER]))
    patients: list[int] = []
    contacts: list[int] = []
    exposed = local_today() - timedelta(days=1)
    try:
        async with sessions.begin() as session:
            for listing in listings:
                home = await session.get(Area, listing.lives_in)
                assert home is not None
                contact = Contact(
                    full_name="Người Thử", commune_code=home.code,
                    district_code=home.district_code or "", province_code=home.province_code,
                    relation=ContactRelation.SOCIAL, last_exposure_on=exposed,
                    quarantine_started_on=exposed, quarantine_until=exposed + timedelta(days=6),
                    status=ContactStatus.UNDER_FOLLOW_UP, rule_set="vn-moh-2021-12-contacts",
                    created_by="hypothesis",
                    source_contact_id=(
                        None if listing.of_contact is None else contacts[listing.of_contact]
                    ),
                )  # fmt: skip
                session.add(contact)
                await session.flush()
                contacts.append(contact.id)
                for n, commune in enumerate(listing.cases_in):
                    case = await make_patient(session, commune)
                    patients.append(case.id)
                    session.add(
                        ContactSource(
                            contact_id=contact.id,
                            patient_id=case.id,
                            relation=ContactRelation.SOCIAL,
                            last_exposure_on=exposed,
                            created_by="hypothesis",
                            idempotency_key=f"{contact.id}-{n}",
                        )  # fmt: skip
                    )
        token = token_of("hypothesis-staff", role, area)
        expected = await _oracle(sessions, area, parents)
        assert await _listed(client, token) == expected
        for contact_id in contacts:
            body = await gql(
                client,
                "query($id: ID!) { contact(id: $id) { id } }",
                {"id": str(contact_id)},
                token,
            )
            assert (body["data"]["contact"] is not None) == (contact_id in expected)
    finally:
        async with sessions.begin() as session:
            await session.execute(
                delete(ContactSource).where(ContactSource.contact_id.in_(contacts))
            )
            for contact_id in reversed(contacts):  # contacts of contacts first
                await session.execute(delete(Contact).where(Contact.id == contact_id))
            await session.execute(delete(Patient).where(Patient.id.in_(patients)))
