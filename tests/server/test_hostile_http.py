"""Hostile requests over HTTP: each gets a coded error, never `Internal error.`, never a
5xx, never a traceback in the log (issue 13, points 1–8 and 19)."""

from __future__ import annotations

import json
import logging
from typing import Any

import httpx
import pytest

from db.demo import SeedResult
from domain.enums import Role
from tests.conftest import gql
from tests.tokens import token_for, token_of

GRAPHQL_RESPONSE = "application/graphql-response+json"


@pytest.fixture(scope="module")
def health(demo: SeedResult) -> str:
    return token_for(next(a for a in demo.accounts if a.username == "health.commune"))


@pytest.fixture(autouse=True)
def no_tracebacks(caplog: pytest.LogCaptureFixture) -> Any:
    """Nothing a client sends may log a traceback or anything above INFO."""
    caplog.set_level(logging.INFO)
    yield
    loud = [r for r in caplog.records if r.exc_info or r.levelno > logging.INFO]
    assert not loud, [r.getMessage() for r in loud]


async def _send(
    client: httpx.AsyncClient, query: str, variables: dict[str, Any], token: str | None = None
) -> dict[str, Any]:
    """POST with the body as escaped JSON, so lone surrogates travel as `\\ud800`."""
    headers = {"Content-Type": "application/json", "Accept-Language": "en"}  # rules' words
    if token:
        headers["Authorization"] = f"Bearer {token}"
    content = json.dumps({"query": query, "variables": variables})
    response = await client.post("/graphql", content=content, headers=headers)
    assert response.status_code == 200
    body: dict[str, Any] = response.json()
    return body


def _error(body: dict[str, Any]) -> dict[str, Any]:
    assert body.get("data") is None or body["errors"]
    error: dict[str, Any] = body["errors"][0]
    return error


FACILITIES = "query($t: Int) { facilities(tier: $t) { id } }"
STATS_FROM = "query($d: Date) { statistics(from: $d) { activePatients } }"
FILTERED = "query($f: PatientFilter) { patients(filter: $f) { totalCount } }"


@pytest.mark.parametrize(
    ("query", "variables", "named"),
    [
        (FACILITIES, {"t": "abc"}, "$t"),
        (FACILITIES, {"t": 2**31}, "$t"),
        (FACILITIES, {"t": 1.5}, "$t"),
        (FACILITIES, {"t": float("nan")}, "$t"),
        (STATS_FROM, {"d": "0000-00-00"}, "$d"),
        (STATS_FROM, {"d": "2026-02-30"}, "$d"),
        (STATS_FROM, {"d": "today"}, "$d"),
        (FILTERED, {"f": {"status": ["NOT_A_STATUS"]}}, "$f"),
        (FILTERED, {"f": {"noSuchField": 1}}, "$f"),
        ("query($id: ID!) { patient(id: $id) { id } }", {"id": None}, "$id"),
        ("query($id: ID!) { patient(id: $id) { id } }", {}, "$id"),
        ("query($a: ID!) { patient(id: $a) { id } }", {"a": 1.5}, "$a"),
        ("query($a: ID!) { patient(id: $a) { id } }", {"a": True}, "$a"),
        ("query($a: ID!) { patient(id: $a) { id } }", {"a": ["1"]}, "$a"),
    ],
)
async def test_variable_coercion_errors_are_bad_user_input(
    client: httpx.AsyncClient, health: str, query: str, variables: dict[str, Any], named: str
) -> None:
    # json.dumps writes NaN, which Python's JSON reader (and JavaScript's) accepts
    content = json.dumps({"query": query, "variables": variables})
    headers = {"Authorization": f"Bearer {health}", "Content-Type": "application/json"}
    classic = await client.post("/graphql", content=content, headers=headers)
    strict = await client.post(
        "/graphql", content=content, headers=headers | {"Accept": GRAPHQL_RESPONSE}
    )
    assert classic.status_code == 200
    assert strict.status_code == 422
    for response in (classic, strict):
        error = _error(response.json())
        assert error["extensions"]["code"] == "BAD_USER_INPUT"
        assert named in error["message"]


@pytest.mark.parametrize(
    ("query", "variables", "field"),
    [
        ('{ area(code: "7\\u00002") { name } }', {}, "code"),
        ("query($c: ID!) { area(code: $c) { name } }", {"c": "7\x002"}, "$c"),
        ("query($c: ID!) { area(code: $c) { name } }", {"c": "\ud800"}, "$c"),
        (
            "mutation($u: String!, $p: String!) { login(username: $u, password: $p) { accessToken } }",
            {"u": "health\x00", "p": "x"},
            "$u",
        ),
        (FILTERED, {"f": {"search": "Nguy\x00"}}, "$f.search"),
        (FILTERED, {"f": {"search": "\udfff"}}, "$f.search"),
        (FILTERED, {"f": {"areaCode": "\ud800"}}, "$f.areaCode"),
    ],
)
async def test_nul_and_lone_surrogates_are_refused_before_any_sql(
    client: httpx.AsyncClient, health: str, query: str, variables: dict[str, Any], field: str
) -> None:
    error = _error(await _send(client, query, variables, token=health))
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert error["extensions"]["field"] == field


async def test_a_surrogate_in_a_report_symptom_is_a_coded_error_not_a_500(
    client: httpx.AsyncClient, demo: SeedResult
) -> None:
    citizen = token_of(demo.citizen_subject, Role.CITIZEN)
    query = "mutation($i: HealthReportInput!) { submitHealthReport(input: $i) { id } }"
    variables = {"i": {"idempotencyKey": "surrogate", "symptoms": ["\ud800"]}}
    error = _error(await _send(client, query, variables, token=citizen))
    assert error["extensions"]["field"] == "$i.symptoms[0]"


@pytest.mark.parametrize(
    "query",
    [
        '{ patient(id: "9223372036854775808") { id } }',
        '{ patient(id: "99999999999999999999") { id } }',
        '{ patient(id: "²") { id } }',
        '{ patient(id: "-1") { id } }',
        '{ patient(id: "' + "9" * 100_000 + '") { id } }',
        '{ declaration(id: "9223372036854775808") { id } }',
    ],
)
async def test_ids_that_cannot_exist_are_not_found(
    client: httpx.AsyncClient, health: str, query: str
) -> None:
    body = await gql(client, query, token=health)
    assert "errors" not in body
    assert next(iter(body["data"].values())) is None


@pytest.mark.parametrize(
    "mutation",
    [
        'mutation { acknowledgeAlert(id: "9223372036854775808") { id } }',
        'mutation { resolveAlert(id: "99999999999999999999") { id } }',
        'mutation { addClinicalNote(patientId: "9223372036854775808", text: "x") { id } }',
    ],
)
async def test_mutations_on_ids_that_cannot_exist_are_not_found(
    client: httpx.AsyncClient, health: str, mutation: str
) -> None:
    body = await gql(client, mutation, token=health)
    assert _error(body)["extensions"]["code"] == "NOT_FOUND"


async def test_filter_by_an_impossible_facility_id_matches_nothing(
    client: httpx.AsyncClient, health: str
) -> None:
    body = await gql(
        client,
        FILTERED,
        {"f": {"facilityId": "9223372036854775808"}},
        token=health,
    )
    assert body == {"data": {"patients": {"totalCount": 0}}}


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("{ facilities(tier: 32768) { id } }", "tier"),
        ("{ facilities(tier: 0) { id } }", "tier"),
        ("{ patients(filter: {tier: 2147483647}) { totalCount } }", "filter.tier"),
        ("{ patients(filter: {tier: -1}) { totalCount } }", "filter.tier"),
    ],
)
async def test_out_of_range_tiers_name_the_allowed_range(
    client: httpx.AsyncClient, health: str, query: str, field: str
) -> None:
    error = _error(await gql(client, query, token=health, language="en"))
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": field}
    assert "1, 2 or 3" in error["message"]


async def test_login_with_an_overlong_username_answers_like_any_unknown_user(
    client: httpx.AsyncClient,
) -> None:
    query = "mutation($u: String!) { login(username: $u, password: $u) { accessToken } }"
    long_name = await gql(client, query, {"u": "u" * 300})
    unknown = await gql(client, query, {"u": "nobody-here"})
    assert _error(long_name)["message"] == _error(unknown)["message"]
    assert _error(long_name)["extensions"] == {"code": "UNAUTHENTICATED"}


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"null", "JSON object"),
        (b"123", "JSON object"),
        (b'"a string"', "JSON object"),
        (b'{"query": "\xff\xfe"}', "not UTF-8"),
        (b"[" * 100_000 + b"]" * 100_000, "nested too deeply"),
        (b"{not json", "not valid JSON"),
    ],
)
async def test_malformed_bodies_are_400_with_a_graphql_error(
    client: httpx.AsyncClient, content: bytes, reason: str
) -> None:
    response = await client.post(
        "/graphql", content=content, headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 400
    error = _error(response.json())
    assert error["extensions"]["code"] == "BAD_REQUEST"
    assert reason in error["message"]


async def test_an_unknown_operation_name_is_bad_user_input(client: httpx.AsyncClient) -> None:
    response = await client.post("/graphql", json={"query": "{ x }", "operationName": "Z"})
    assert response.status_code == 400
    error = _error(response.json())
    assert error == {
        "message": 'Unknown operation named "Z".',
        "extensions": {"code": "BAD_USER_INPUT"},
    }


async def test_a_body_over_the_limit_is_413_before_it_is_parsed(client: httpx.AsyncClient) -> None:
    big = b'{"query": "{ a }", "pad": "' + b"x" * 1_100_000 + b'"}'
    declared = await client.post(
        "/graphql", content=big, headers={"Content-Type": "application/json"}
    )

    async def chunks() -> Any:  # no content-length: counted while it streams in
        for start in range(0, len(big), 65536):
            yield big[start : start + 65536]

    streamed = await client.post(
        "/graphql", content=chunks(), headers={"Content-Type": "application/json"}
    )
    for response in (declared, streamed):
        assert response.status_code == 413
        error = _error(response.json())
        assert error["extensions"]["code"] == "REQUEST_TOO_LARGE"
        assert "1048576 bytes" in error["message"]


@pytest.mark.parametrize(
    ("variables", "field", "rule"),
    [
        ({"f": {"search": "a" * 101}}, "filter.search", "2 to 100 characters"),
        ({"f": {"search": "x" * 6000}}, "$f.search", "at most 5000 characters"),
        ({"f": {"status": ["HOME_TREATMENT"] * 501}}, "$f.status", "at most 500 items"),
    ],
)
async def test_unbounded_inputs_are_refused_with_their_limit(
    client: httpx.AsyncClient, health: str, variables: dict[str, Any], field: str, rule: str
) -> None:
    error = _error(await gql(client, FILTERED, variables, token=health, language="en"))
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert error["extensions"]["field"] == field
    assert rule in error["message"]


async def test_a_symptom_list_longer_than_the_checklist_is_refused(
    client: httpx.AsyncClient, demo: SeedResult
) -> None:
    citizen = token_of(demo.citizen_subject, Role.CITIZEN)
    query = "mutation($i: HealthReportInput!) { submitHealthReport(input: $i) { id } }"
    variables = {"i": {"idempotencyKey": "many-symptoms", "symptoms": ["COUGH"] * 400}}
    error = _error(await gql(client, query, variables, token=citizen, language="en"))
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert "symptoms" in error["message"]
    assert "the checklist" in error["message"]


def test_the_response_encoder_never_fails_on_a_message() -> None:
    from server.graphql_app import GraphQLApp

    encoded = GraphQLApp.encode_json(
        GraphQLApp.__new__(GraphQLApp), {"errors": [{"message": "bad \ud800 value"}]}
    )
    assert json.loads(encoded) == {"errors": [{"message": "bad \ufffd value"}]}
