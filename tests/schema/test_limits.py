"""Abuse limits, error masking and GraphQL-over-HTTP status codes."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from pydantic import SecretStr

from db.demo import SeedResult
from domain.enums import Role
from server.app import create_app
from server.settings import Settings
from tests.conftest import TEST_SECRET, gql
from tests.tokens import token_of

GRAPHQL_RESPONSE = "application/graphql-response+json"


def _codes(body: dict[str, object]) -> set[str]:
    return {e["extensions"]["code"] for e in body.get("errors", [])}  # type: ignore[attr-defined]


async def test_depth_limit(client: httpx.AsyncClient) -> None:
    deep = '{ area(code: "72") { ' + "children { " * 10 + "code" + " }" * 10 + " } }"
    body = await gql(client, deep)
    assert body.get("data") is None
    assert "exceeds maximum operation depth" in body["errors"][0]["message"]
    shallow = '{ area(code: "72") { ' + "children { " * 2 + "code" + " }" * 2 + " } }"
    assert "errors" not in await gql(client, shallow)


async def test_alias_limit(client: httpx.AsyncClient) -> None:
    def aliased(count: int) -> str:
        return "{ " + " ".join(f'a{i}: area(code: "72") {{ code }}' for i in range(count)) + " }"

    # exactly 30 aliases are allowed, 31 are not
    assert "errors" not in await gql(client, aliased(30))
    body = await gql(client, aliased(31))
    assert "aliases" in body["errors"][0]["message"].lower()
    assert body["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"


async def test_token_limit(client: httpx.AsyncClient) -> None:
    huge = "{ " + " ".join("__typename" for _ in range(2500)) + " }"
    body = await gql(client, huge)
    assert "more than 2000 tokens" in body["errors"][0]["message"]


@pytest.mark.parametrize("first", [0, -1, 101, 1000])
async def test_page_size_is_bounded(
    client: httpx.AsyncClient, demo: SeedResult, first: int
) -> None:
    token = token_of("t", Role.HEALTH_STAFF, "72")
    body = await gql(
        client, "query($n: Int) { patients(first: $n) { totalCount } }", {"n": first}, token
    )
    assert _codes(body) == {"BAD_USER_INPUT"}
    assert "first" in body["errors"][0]["message"]


async def test_bad_cursor_is_bad_input(client: httpx.AsyncClient) -> None:
    token = token_of("t", Role.HEALTH_STAFF, "72")
    body = await gql(client, '{ patients(after: "garbage") { totalCount } }', token=token)
    assert _codes(body) == {"BAD_USER_INPUT"}


async def test_unknown_area_filter_is_bad_input(client: httpx.AsyncClient) -> None:
    token = token_of("t", Role.HEALTH_STAFF, "72")
    body = await gql(
        client, '{ patients(filter: {areaCode: "00000"}) { totalCount } }', token=token
    )
    assert _codes(body) == {"BAD_USER_INPUT"}
    assert "filter.areaCode" in body["errors"][0]["message"]


@pytest.fixture(scope="module")
async def production_client(database_url: str) -> AsyncIterator[httpx.AsyncClient]:
    settings = Settings(database_url=database_url, jwt_secret=SecretStr(TEST_SECRET), demo=False)
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as c:
            yield c


async def test_introspection_off_outside_demo(production_client: httpx.AsyncClient) -> None:
    body = await gql(production_client, "{ __schema { types { name } } }")
    assert "introspection" in body["errors"][0]["message"].lower()
    assert "errors" not in await gql(production_client, "{ __typename }")


async def test_introspection_on_when_enabled(database_url: str) -> None:
    settings = Settings(
        database_url=database_url, jwt_secret=SecretStr(TEST_SECRET), introspection=True
    )
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as c:
            body = await gql(c, "{ __schema { queryType { name } } }")
    assert body["data"]["__schema"]["queryType"]["name"] == "Query"


async def test_an_unreachable_database_is_503_service_unavailable(
    caplog: pytest.LogCaptureFixture,
) -> None:
    # given a server whose database does not answer
    settings = Settings(
        database_url="postgresql://postgres@127.0.0.1:9/none", jwt_secret=SecretStr(TEST_SECRET)
    )
    app = create_app(settings)
    token = token_of("demo-citizen-0001", Role.CITIZEN)  # no area lookup at the edge
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as c:
            # when two requests need it
            responses = [
                await c.post(
                    "/graphql",
                    json={"query": "{ patients { totalCount } }"},
                    headers={"Authorization": f"Bearer {token}"},
                )
                for _ in range(2)
            ]
    # then both are 503 with a retryable code, nothing about the server leaks,
    # and the outage is logged once, without a traceback
    for response in responses:
        assert response.status_code == 503
        assert response.headers["retry-after"] == "5"
        body = response.json()
        assert body["data"] is None
        [error] = body["errors"]
        assert error["extensions"]["code"] == "SERVICE_UNAVAILABLE"
        assert error["extensions"]["retryable"] is True
        assert "127.0.0.1" not in str(body)
    outage = [r for r in caplog.records if r.name == "f0care.db"]
    assert len(outage) == 1
    assert not [r for r in caplog.records if r.exc_info]


async def _post(
    client: httpx.AsyncClient, content: str, token: str | None = None
) -> httpx.Response:
    headers = {"Accept": GRAPHQL_RESPONSE, "Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    return await client.post("/graphql", content=content, headers=headers)


async def test_graphql_over_http_status_codes(client: httpx.AsyncClient) -> None:
    unparseable = await _post(client, '{"query": "{ area(code: "}')
    assert unparseable.status_code == 400
    assert unparseable.headers["content-type"] == GRAPHQL_RESPONSE
    invalid = await _post(client, '{"query": "{ noSuchField }"}')
    assert invalid.status_code == 422
    bad_variables = await _post(
        client,
        '{"query": "query($n: Int!) { facilities(tier: $n) { id } }", "variables": {"n": "x"}}',
    )
    assert bad_variables.status_code == 422
    missing_token = await _post(client, '{"query": "{ me { role } }"}')
    assert missing_token.status_code == 401
    bad_token = await _post(client, '{"query": "{ me { role } }"}', token="not.a.token")
    assert bad_token.status_code == 401
    fine = await _post(client, '{"query": "{ area(code: \\"72\\") { code } }"}')
    assert fine.status_code == 200
    assert fine.headers["content-type"] == GRAPHQL_RESPONSE
    # classic clients keep getting 200 with errors
    legacy = await client.post("/graphql", json={"query": "{ noSuchField }"})
    assert legacy.status_code == 200


async def test_each_document_is_parsed_and_validated_once(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    import graphql
    import strawberry.schema.schema as strawberry_schema

    import schema.caches

    calls = {"parse": 0, "validate": 0}
    parse, validate = graphql.parse, strawberry_schema.validate_document

    def counted_parse(*args: Any, **kwargs: Any) -> Any:
        calls["parse"] += 1
        return parse(*args, **kwargs)

    def counted_validate(*args: Any, **kwargs: Any) -> Any:
        calls["validate"] += 1
        return validate(*args, **kwargs)

    monkeypatch.setattr(schema.caches, "parse", counted_parse)
    monkeypatch.setattr(strawberry_schema, "validate_document", counted_validate)
    # two root fields: the generic executor answers (a compiled read validates on its own)
    query = '{ area(code: "703") { name parent { name } } me { role } } # once'
    for _ in range(3):
        await gql(client, query)
    assert calls == {"parse": 1, "validate": 1}


def test_document_caches_are_bounded_by_size() -> None:
    from schema.caches import MAX_CACHED_DOCUMENT, TextCache

    cache: TextCache[int] = TextCache(max_entries=100, max_chars=50_000)
    for n in range(100):
        cache.put(f"{n:05d}" + " " * 9_995, n)  # 10,000 characters each
    assert cache.chars <= 50_000
    assert len(cache) == 5
    assert cache.get("00099" + " " * 9_995) == 99  # the newest stay
    assert cache.get("00000" + " " * 9_995) is None
    cache.put("x" * (MAX_CACHED_DOCUMENT + 1), -1)
    assert cache.get("x" * (MAX_CACHED_DOCUMENT + 1)) is None
