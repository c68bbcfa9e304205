"""A switched-off account across two server processes: switched off through one, its token
is refused by the other within 5 seconds, and its open subscription there is closed 4403."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from websockets.exceptions import ConnectionClosed

from auth.passwords import hash_password
from db.queries.users import create_user
from domain.enums import Role
from tests.conftest import fresh_database
from tests.factories import communes_of
from tests.server.live import Subscriber, post, servers
from tests.tokens import token_of

PASSWORD = "Mật khẩu đủ dài 2021"
LOGIN = """mutation($u: String!, $p: String!) { login(username: $u, password: $p) {
  accessToken } }"""


@dataclass(frozen=True)
class Place:
    url: str
    sessions: async_sessionmaker[AsyncSession]
    commune: str


@pytest.fixture(scope="module")
async def place(server_url: str) -> AsyncIterator[Place]:
    async with fresh_database(server_url, "f0care_accounts") as (url, sessions):
        async with sessions() as session:
            commune = (await communes_of(session, "712"))[0]
        yield Place(url, sessions, commune)


@pytest.fixture(scope="module")
def pair(place: Place, tmp_path_factory: pytest.TempPathFactory) -> Iterator[list[str]]:
    with servers(
        place.url, Path(tmp_path_factory.mktemp("accounts")), {"F0CARE_JOBS": "false"}
    ) as bases:
        yield bases


async def _status(base: str, token: str) -> int:
    async with httpx.AsyncClient(timeout=10) as client:
        response = await client.post(
            f"{base}/graphql",
            json={"query": "{ me { subject } }"},
            headers={"Authorization": f"Bearer {token}"},
        )
    return response.status_code


async def test_a_switched_off_account_is_refused_on_the_other_server_within_seconds(
    place: Place, pair: list[str]
) -> None:
    a, b = pair
    async with place.sessions.begin() as session:
        user = await create_user(
            session, username="yta.tranguyen", full_name="Trần Thị Nguyên",
            role=Role.HEALTH_STAFF, password_hash=hash_password(PASSWORD),
            area_code=place.commune, facility_id=None,
        )  # fmt: skip
    async with httpx.AsyncClient(timeout=10) as client:
        signed = await client.post(
            f"{a}/graphql",
            json={"query": LOGIN, "variables": {"u": "yta.tranguyen", "p": PASSWORD}},
        )
    token = signed.json()["data"]["login"]["accessToken"]
    assert await _status(a, token) == 200
    watcher = await Subscriber.open(a, token)  # an open subscription on server A
    try:
        admin = token_of("admin-72", Role.ADMIN, "72")
        off = 'mutation($id: ID!) { deactivateUser(id: $id, reason: "Nghỉ việc") { active } }'
        switched = time.monotonic()
        assert (await post(b, admin, off, {"id": str(user.id)}))["deactivateUser"] == {
            "active": False
        }
        with pytest.raises(ConnectionClosed) as closed:
            await watcher.next(within=5)  # nothing but the close
        assert closed.value.rcvd is not None
        assert closed.value.rcvd.code == 4403
        assert "deactivated" in closed.value.rcvd.reason
        assert await _status(a, token) == 401
        assert time.monotonic() - switched < 5
    finally:
        await watcher.close()
