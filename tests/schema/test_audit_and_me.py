"""Personal reads are audited once per request; `me` tells what the caller may do."""

from __future__ import annotations

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from db.demo import SeedResult
from db.models import AuditEntry
from domain.enums import Role
from tests.conftest import gql
from tests.tokens import token_of

PAGE = "{ patients(first: 5) { edges { node { id caseCode fullName phone } } } }"


async def _personal_reads(
    sessions: async_sessionmaker[AsyncSession], subject: str
) -> list[AuditEntry]:
    async with sessions() as session:
        rows = await session.scalars(
            select(AuditEntry)
            .where(AuditEntry.subject == subject, AuditEntry.action == "READ_PERSONAL")
            .order_by(AuditEntry.id)
        )
        return list(rows)


async def test_one_audit_row_per_request_with_ids_and_fields(
    client: httpx.AsyncClient, sessions: async_sessionmaker[AsyncSession], demo: SeedResult
) -> None:
    token = token_of("audit.health", Role.HEALTH_STAFF, "72")
    body = await gql(client, PAGE, token=token)
    ids = sorted(e["node"]["id"] for e in body["data"]["patients"]["edges"])
    rows = await _personal_reads(sessions, "audit.health")
    assert len(rows) == 1
    assert rows[0].role is Role.HEALTH_STAFF
    assert rows[0].entity == "patient"
    assert sorted(rows[0].entity_ids) == ids
    assert rows[0].fields == ["fullName", "phone"]


async def test_no_personal_read_no_audit_row(
    client: httpx.AsyncClient, sessions: async_sessionmaker[AsyncSession], demo: SeedResult
) -> None:
    health = token_of("audit.quiet", Role.HEALTH_STAFF, "72")
    await gql(client, "{ patients(first: 5) { edges { node { caseCode status } } } }", token=health)
    manager = token_of("audit.manager", Role.MANAGER, "72")
    refused = await gql(client, PAGE, token=manager)
    assert {e["extensions"]["code"] for e in refused["errors"]} == {"FORBIDDEN"}
    assert await _personal_reads(sessions, "audit.quiet") == []
    assert await _personal_reads(sessions, "audit.manager") == []


async def test_me_lists_allowed_operations(client: httpx.AsyncClient, demo: SeedResult) -> None:
    query = "{ me { subject role allowedOperations area { name } facility { name } } }"
    health = await gql(client, query, token=token_of("h", Role.HEALTH_STAFF, "712"))
    me = health["data"]["me"]
    assert me["area"] == {"name": "Thị xã Trảng Bàng"}
    assert me["facility"] is None
    assert {"Query.me", "Query.patients", "Query.patient", "Mutation.login"} <= set(
        me["allowedOperations"]
    )
    analyst = await gql(client, query, token=token_of("a", Role.ANALYST, "72"))
    assert "Query.patients" not in analyst["data"]["me"]["allowedOperations"]
    hospital_id = next(a.facility_id for a in demo.accounts if a.username == "hospital.tier3")
    hospital = await gql(
        client, query, token=token_of("x", Role.HOSPITAL_STAFF, facility=hospital_id)
    )
    assert hospital["data"]["me"]["facility"] == {"name": "Bệnh viện Đa khoa tỉnh Tây Ninh"}
