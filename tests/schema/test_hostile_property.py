"""Property: whatever document and whatever values anyone sends, as any role, the answer
is coded and no 5xx, nothing is logged as our fault, and a rejected mutation changes no
table (issue 13). Documents come from the schema (hypothesis-graphql, valid and invalid);
values from classes known to break servers: NUL, lone surrogates, decomposed Unicode,
int32/int64 bounds, huge and negative numbers, impossible dates, 1 MB strings, long
lists, bogus cursors."""

from __future__ import annotations

import base64
import json
import logging
from typing import Any

import graphql
import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis_graphql import Mode, nodes
from hypothesis_graphql import from_schema as documents_of
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from db.demo import SeedResult
from domain.enums import Role
from schema import export_sdl
from tests.tokens import token_for, token_of

SDL = export_sdl()
SCHEMA = graphql.build_schema(SDL)
USERS = [
    "health.commune",
    "official.commune",
    "hospital.tier2",
    "screening.hospital",
    "manager.province",
    "analyst.province",
    "admin.province",
]
ALLOWED_STATUS = {200, 400, 401, 413, 422, 503}

STRINGS = [
    "",
    " ",
    "\x00",
    "Nguyễn\x00",
    "\ud800",
    "a\udfffb",
    "Nguye\u0302\u0303n Thi\u0323",  # NFD: decomposed diacritics
    "Lê Thị Hồng Nhung",
    "x" * 1_000_000,
    "9" * 30,
    "9223372036854775808",
    "-1",
    "0",
    "²",
    "72",
    "25708",
    "COUGH",
    "0912345678",
    "not-a-cursor",
    base64.urlsafe_b64encode(b"patient:99999999999999999999").decode(),
    base64.urlsafe_b64encode(b"alert:1").decode(),
    "'; DROP TABLE patients; --",
]
INTS = [0, 1, 2, 3, -1, 32768, 2**31 - 1, 2**31, -(2**31) - 1, 2**63, -(2**63) - 1, 10**30]
DATES = ["2026-11-25", "0000-00-00", "2026-02-30", "today", "9999-12-31", "1900-01-01", ""]
DATETIMES = ["2026-11-30T08:00:00+07:00", "2026-13-01T00:00:00Z", "yesterday"]


def _values(type_: graphql.GraphQLInputType, depth: int = 0) -> st.SearchStrategy[Any]:
    """Values for an input type: mostly well-typed but hostile, sometimes of the wrong type."""
    junk: st.SearchStrategy[Any] = st.sampled_from(
        [None, "x", 1.5, True, [], {"a": 1}, float("nan")]
    )
    if isinstance(type_, graphql.GraphQLNonNull):
        return _values(type_.of_type, depth)
    if isinstance(type_, graphql.GraphQLList):
        item = _values(type_.of_type, depth + 1)
        return st.one_of(
            st.lists(item, max_size=3),
            item.map(lambda v: [v] * 600),  # past the list limit
            junk,
        )
    if isinstance(type_, graphql.GraphQLInputObjectType):
        if depth > 2:
            return st.just({})
        fields = {name: _values(field.type, depth + 1) for name, field in type_.fields.items()}
        return st.one_of(
            st.fixed_dictionaries({}, optional=fields),
            st.fixed_dictionaries({}, optional=fields).map(lambda d: {**d, "extra": 1}),
            junk,
        )
    if isinstance(type_, graphql.GraphQLEnumType):
        return st.one_of(st.sampled_from([*type_.values, "NOT_A_VALUE"]), junk)
    name = type_.name
    if name in ("String", "ID"):
        return st.one_of(st.sampled_from(STRINGS), st.text(max_size=20), junk)
    if name == "Int":
        return st.one_of(st.sampled_from(INTS), st.integers(), junk)
    if name == "Float":
        return st.one_of(st.floats(allow_nan=True), st.sampled_from(INTS), junk)
    if name == "Boolean":
        return st.one_of(st.booleans(), junk)
    if name == "Date":
        return st.one_of(st.sampled_from(DATES), junk)
    if name == "DateTime":
        return st.one_of(st.sampled_from(DATETIMES), junk)
    return junk


def _selection(type_: graphql.GraphQLOutputType) -> str:
    named = graphql.get_named_type(type_)
    return " { __typename }" if isinstance(named, graphql.GraphQLObjectType) else ""


@st.composite
def with_variables(draw: st.DrawFn) -> tuple[str, dict[str, Any], bool]:
    """A document calling one root field with every argument as a variable."""
    kind = draw(st.sampled_from(["query", "mutation"]))
    root = SCHEMA.query_type if kind == "query" else SCHEMA.mutation_type
    assert root is not None
    name = draw(st.sampled_from(sorted(root.fields)))
    field = root.fields[name]
    definitions = ", ".join(f"${arg}: {a.type}" for arg, a in field.args.items())
    arguments = ", ".join(f"{arg}: ${arg}" for arg in field.args)
    header = f"{kind}({definitions})" if definitions else kind
    call = f"{name}({arguments})" if arguments else name
    document = f"{header} {{ {call}{_selection(field.type)} }}"
    variables = {arg: draw(_values(a.type)) for arg, a in field.args.items()}
    return document, variables, kind == "mutation"


SCALARS = {
    "Date": st.sampled_from(DATES).map(nodes.String),
    "DateTime": st.sampled_from(DATETIMES).map(nodes.String),
}


@st.composite
def generated(draw: st.DrawFn) -> tuple[str, dict[str, Any], bool]:
    """A document generated from the schema: valid (positive) or not (negative)."""
    mode = draw(st.sampled_from([Mode.POSITIVE, Mode.NEGATIVE]))
    document = draw(documents_of(SDL, custom_scalars=SCALARS, mode=mode))
    assert isinstance(document, str)
    return document, {}, document.lstrip().startswith("mutation")


async def _row_counts(sessions: async_sessionmaker[AsyncSession]) -> dict[str, int]:
    """Rows of every table but the audit log (a refused login is rightly recorded there)."""
    async with sessions() as session:
        tables = await session.scalars(
            text("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1")
        )
        names = [t for t in tables if t != "audit_log"]
        union = " UNION ALL ".join(f"SELECT '{t}', count(*) FROM {t}" for t in names)  # noqa: S608 - names from pg_tables
        return {name: count for name, count in await session.execute(text(union))}


def _one_mutation(document: str) -> bool:
    """A document holding one mutation field (several run one after the other, each in its
    own transaction: the first may well succeed when a later one is refused)."""
    try:
        parsed = graphql.parse(document)
    except graphql.GraphQLError:
        return True  # nothing runs at all
    operations = [d for d in parsed.definitions if isinstance(d, graphql.OperationDefinitionNode)]
    return len(operations) == 1 and len(operations[0].selection_set.selections) == 1


def _rejected(body: dict[str, Any]) -> bool:
    data = body.get("data")
    return bool(body.get("errors")) and (data is None or all(v is None for v in data.values()))


@pytest.fixture(scope="module")
def tokens(demo: SeedResult) -> list[str | None]:
    accounts = {a.username: a for a in demo.accounts}
    return [
        None,
        token_of(demo.citizen_subject, Role.CITIZEN),
        *(token_for(accounts[name]) for name in USERS),
    ]


@settings(
    max_examples=300,
    deadline=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.large_base_example,
    ],
)
@given(request=st.one_of(with_variables(), generated()), who=st.integers(0, len(USERS) + 1))
async def test_any_request_gets_a_coded_answer_and_rejections_write_nothing(
    client: httpx.AsyncClient,
    sessions: async_sessionmaker[AsyncSession],
    tokens: list[str | None],
    caplog: pytest.LogCaptureFixture,
    request: tuple[str, dict[str, Any], bool],
    who: int,
) -> None:
    document, variables, mutation = request
    token = tokens[who]
    headers = {"Content-Type": "application/json"}
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    before = await _row_counts(sessions) if mutation else None
    caplog.clear()
    with caplog.at_level(logging.INFO):
        response = await client.post(
            "/graphql",
            content=json.dumps({"query": document, "variables": variables}),
            headers=headers,
        )
    assert response.status_code in ALLOWED_STATUS, (response.status_code, response.text)
    body = response.json()
    for error in body.get("errors", []):
        code = error.get("extensions", {}).get("code")
        assert code, (document, variables, error)
        assert code != "INTERNAL", (document, variables, error)
    ours = [r for r in caplog.records if r.exc_info or r.levelno >= logging.ERROR]
    assert not ours, [r.getMessage() for r in ours]
    if before is not None and _rejected(body) and _one_mutation(document):
        assert await _row_counts(sessions) == before, (document, variables, body)
