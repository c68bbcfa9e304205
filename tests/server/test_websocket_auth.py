"""graphql-transport-ws: the token travels in connection_init; a bad one closes the socket."""

from __future__ import annotations

import json

import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed
from websockets.typing import Subprotocol

from domain.enums import Role
from tests.server.conftest import ws_url
from tests.tokens import token_of

PROTOCOL = "graphql-transport-ws"


async def test_valid_token_is_acknowledged(live_server: str) -> None:
    token = token_of("ws.health", Role.HEALTH_STAFF, "72")
    async with connect(ws_url(live_server), subprotocols=[Subprotocol(PROTOCOL)]) as ws:
        await ws.send(
            json.dumps({"type": "connection_init", "payload": {"authorization": f"Bearer {token}"}})
        )
        assert json.loads(await ws.recv())["type"] == "connection_ack"


@pytest.mark.parametrize(
    "payload",
    [
        {},
        {"authorization": "Bearer not-a-token"},
        {"authorization": "Bearer " + token_of("x", Role.HEALTH_STAFF, "99999")},
        {"authorization": 42},
    ],
    ids=["missing", "garbage", "unknown-area", "not-a-string"],
)
async def test_bad_token_closes_the_socket(live_server: str, payload: dict[str, object]) -> None:
    async with connect(ws_url(live_server), subprotocols=[Subprotocol(PROTOCOL)]) as ws:
        await ws.send(json.dumps({"type": "connection_init", "payload": payload}))
        with pytest.raises(ConnectionClosed) as closed:
            await ws.recv()
    assert closed.value.rcvd is not None
    assert closed.value.rcvd.code == 4403
