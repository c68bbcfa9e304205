"""Errors meant for people (the validation rules) are written in Vietnamese unless the
request asks for English (Accept-Language, or `acceptLanguage` on a WebSocket): over HTTP,
for one field or many, for a literal or a variable the text rule refuses, and over a
WebSocket. The field each error names, and its code, are the same in every language."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

from db.demo import SeedResult
from server.app import create_app
from server.settings import Settings
from tests.schema.test_compiled_events import Socket
from tests.schema.test_intake import DECLARE, citizen, commune_of, person
from tests.tokens import token_named

ENGLISH = "en-US,en;q=0.9"


async def _post(
    client: httpx.AsyncClient,
    document: str,
    variables: dict[str, Any],
    token: str,
    language: str | None,
) -> list[dict[str, Any]]:
    headers = {"Authorization": f"Bearer {token}"}
    if language is not None:
        headers["Accept-Language"] = language
    response = await client.post(
        "/graphql", json={"query": document, "variables": variables}, headers=headers
    )
    errors: list[dict[str, Any]] = response.json()["errors"]
    assert {e["extensions"]["code"] for e in errors} == {"BAD_USER_INPUT"}, errors
    return errors


SOS = "mutation($i: SosInput!) { raiseSos(input: $i) { id } }"


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        (None, "input.idempotencyKey: phải dài từ 1 đến 128 ký tự"),
        ("vi-VN,vi;q=0.9", "input.idempotencyKey: phải dài từ 1 đến 128 ký tự"),
        (ENGLISH, "input.idempotencyKey: must be 1 to 128 characters"),
    ],
)
async def test_one_broken_rule_in_the_requests_language(
    client: httpx.AsyncClient, language: str | None, expected: str
) -> None:
    [error] = await _post(client, SOS, {"i": {"idempotencyKey": "k" * 129}}, citizen(), language)
    assert error["message"] == expected
    assert error["extensions"]["field"] == "input.idempotencyKey"


async def test_every_broken_rule_of_a_declaration_in_the_requests_language(
    client: httpx.AsyncClient, demo: SeedResult
) -> None:
    given = person(commune_of(demo, "official.commune"), phone="12345", nationalId="1")
    answers = {}
    for language in (None, ENGLISH):
        [error] = await _post(client, DECLARE, {"input": given}, citizen(), language)
        answers[language] = error
    vietnamese, english = answers[None], answers[ENGLISH]
    assert vietnamese["message"].startswith("2 giá trị không hợp lệ: input.nationalId: phải gồm")
    assert english["message"].startswith("2 invalid value(s): input.nationalId: must be 12 digits")
    fields = [p["field"] for p in vietnamese["extensions"]["invalid"]]
    assert fields == [p["field"] for p in english["extensions"]["invalid"]]
    assert fields == ["input.nationalId", "input.phone"]
    rules = {p["field"]: p["rule"] for p in vietnamese["extensions"]["invalid"]}
    assert rules["input.nationalId"] == "phải gồm 12 chữ số (CCCD) hoặc 9 chữ số (CMND cũ)"


async def test_the_text_rule_speaks_the_requests_language_for_literals_and_variables(
    client: httpx.AsyncClient,
) -> None:
    literal = 'mutation { raiseSos(input: {idempotencyKey: "a\\u0000b"}) { id } }'
    for language, words in ((None, "không được chứa ký tự NUL"), (ENGLISH, "must not contain")):
        [error] = await _post(client, literal, {}, citizen(), language)
        assert words in error["message"], error
        assert error["extensions"]["field"] == "input.idempotencyKey"
        [error] = await _post(client, SOS, {"i": {"idempotencyKey": "a\x00b"}}, citizen(), language)
        assert words in error["message"], error
        assert error["extensions"]["field"] == "$i.idempotencyKey"


@pytest.fixture(scope="module")
async def app(settings: Settings, demo: SeedResult) -> AsyncIterator[Starlette]:
    application = create_app(settings)
    async with application.router.lifespan_context(application):
        yield application


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        (None, "afterId: phải là mã một sự kiện cảnh báo (chữ số), hoặc 0"),
        ("en", "afterId: must be the id of an alert event (digits), or 0"),
    ],
)
async def test_a_subscriptions_refusal_in_the_language_its_client_named(
    app: Starlette, demo: SeedResult, language: str | None, expected: str
) -> None:
    socket = Socket(app)
    assert await socket.open(token_named("health.commune", demo), language)
    try:
        document = 'subscription { alertEvents(afterId: "abc") { id } }'
        await socket.send({"id": "1", "type": "subscribe", "payload": {"query": document}})
        message = json.loads((await socket.receive())["text"])
    finally:
        await socket.close()
    payload = message["payload"]
    errors = payload if isinstance(payload, list) else payload["errors"]
    assert [e["message"] for e in errors] == [expected]
    assert errors[0]["extensions"]["code"] == "BAD_USER_INPUT"
