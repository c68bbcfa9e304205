"""login: right and wrong passwords, identical failures, lockout."""

from __future__ import annotations

import httpx
import jwt
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from auth.passwords import hash_password
from db.demo import DEMO_PASSWORD, SeedResult
from db.models import AuditEntry
from db.queries.users import create_user
from domain.enums import Role
from tests.conftest import TEST_SECRET, gql

LOGIN = """mutation($u: String!, $p: String!) {
  login(username: $u, password: $p) { accessToken expiresAt me { subject role area { code } } }
}"""


async def test_right_password_gives_a_working_token(
    client: httpx.AsyncClient, demo: SeedResult
) -> None:
    body = await gql(client, LOGIN, {"u": "health.district", "p": DEMO_PASSWORD})
    payload = body["data"]["login"]
    assert payload["me"] == {
        "subject": "health.district",
        "role": "HEALTH_STAFF",
        "area": {"code": "712"},
    }
    claims = jwt.decode(payload["accessToken"], TEST_SECRET, algorithms=["HS256"])
    assert claims["role"] == "HEALTH_STAFF"
    assert claims["area"] == "712"
    me = await gql(client, "{ me { subject } }", token=payload["accessToken"])
    assert me["data"]["me"]["subject"] == "health.district"


async def test_wrong_username_and_wrong_password_answer_alike(
    client: httpx.AsyncClient, demo: SeedResult
) -> None:
    wrong_password = await gql(client, LOGIN, {"u": "health.commune", "p": "nope-nope"})
    wrong_user = await gql(client, LOGIN, {"u": "nobody.at.all", "p": "nope-nope"})
    assert wrong_password == wrong_user
    assert wrong_password["data"] is None
    assert wrong_password["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_lockout_after_five_failures(
    client: httpx.AsyncClient, sessions: async_sessionmaker[AsyncSession], demo: SeedResult
) -> None:
    # given an account
    async with sessions.begin() as session:
        await create_user(
            session,
            username="lockout.victim",
            full_name="Trần Văn Khóa",
            role=Role.HEALTH_STAFF,
            password_hash=hash_password("the-right-one"),
            area_code="72",
            facility_id=None,
        )
    # when five wrong passwords are tried
    for _ in range(5):
        body = await gql(client, LOGIN, {"u": "lockout.victim", "p": "guess"})
        assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    # then even the right password is refused, without being checked
    locked = await gql(client, LOGIN, {"u": "lockout.victim", "p": "the-right-one"})
    assert locked["errors"][0]["extensions"]["code"] == "RATE_LIMITED"
    # and other accounts are not affected
    other = await gql(client, LOGIN, {"u": "health.province", "p": DEMO_PASSWORD})
    assert other["data"]["login"]["me"]["role"] == "HEALTH_STAFF"
    async with sessions() as session:
        actions = list(
            await session.scalars(
                select(AuditEntry.action).where(AuditEntry.subject == "lockout.victim")
            )
        )
    assert actions.count("LOGIN_FAILED") == 5
