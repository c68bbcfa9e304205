"""Webhooks through the API: addresses checked (http/https, no credentials), event kinds
named, the secret shown once and stored encrypted, rotation, the province only; and the
delivery's own guard against server-side request forgery."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from auth.sealing import Sealer
from db.demo import SeedResult
from db.models import Webhook
from server.webhooks import Refused, check_address
from tests.conftest import TEST_SECRET, gql
from tests.schema.test_intake import account, code_of

REGISTER = """mutation($i: WebhookInput!) { registerWebhook(input: $i) {
  secret webhook { id url events description active } } }"""


def invalid(body: dict[str, object]) -> set[str]:
    errors = body["errors"]
    assert isinstance(errors, list)
    return {p["field"] for p in errors[0]["extensions"]["invalid"]}


async def test_a_province_registers_a_webhook_and_its_secret_is_kept_sealed(
    client: httpx.AsyncClient, demo: SeedResult, sessions: async_sessionmaker[AsyncSession]
) -> None:
    admin = account(demo, "admin.province")
    wrong = {"url": "ftp://zalo.example/x", "events": ["DECLARATION_VERIFIED", "NOPE"]}
    assert (
        code_of(await gql(client, REGISTER, {"i": wrong}, admin)) == "BAD_USER_INPUT"
    )  # no such kind
    bad = {"url": "https://user:pw@zalo.example/hook", "events": []}
    assert invalid(await gql(client, REGISTER, {"i": bad}, admin)) == {"input.url", "input.events"}
    given = {"url": "https://oa.zalo.example/f0care", "events": ["SOS_ACKNOWLEDGED", "DISCHARGED"],
             "description": "Zalo OA Tây Ninh"}  # fmt: skip
    made = (await gql(client, REGISTER, {"i": given}, admin))["data"]["registerWebhook"]
    assert made["secret"].startswith("whsec_")
    assert made["webhook"]["events"] == ["DISCHARGED", "SOS_ACKNOWLEDGED"]
    async with sessions() as session:
        stored = await session.scalar(
            select(Webhook).where(Webhook.id == int(made["webhook"]["id"]))
        )
    assert stored is not None
    assert made["secret"] not in stored.secret_encrypted  # a dump does not reveal it
    assert Sealer(TEST_SECRET).open(stored.secret_encrypted) == made["secret"]
    rotate = "mutation($id: ID!) { rotateWebhookSecret(id: $id) { secret } }"
    rotated = (await gql(client, rotate, {"id": made["webhook"]["id"]}, admin))["data"]
    assert rotated["rotateWebhookSecret"]["secret"] != made["secret"]
    listed = (await gql(client, "{ webhooks { id } }", {}, admin))["data"]["webhooks"]
    assert made["webhook"]["id"] in {w["id"] for w in listed}
    # a district's administrator runs no webhooks
    district = account(demo, "admin.district")
    assert code_of(await gql(client, "{ webhooks { id } }", {}, district)) == "FORBIDDEN"


@pytest.mark.parametrize(
    "url",
    ["http://127.0.0.1:9/hook", "http://10.1.2.3/hook", "http://169.254.169.254/latest",
     "http://[::1]/hook", "http://192.168.0.10/hook"],
)  # fmt: skip
async def test_deliveries_never_reach_private_addresses(url: str) -> None:
    with pytest.raises(Refused):
        await check_address(url, allow_private=False)
    await check_address(url, allow_private=True)  # on premises, when the deployment allows it


async def test_a_public_address_may_be_reached() -> None:
    await check_address("https://93.184.216.34/hook", allow_private=False)
