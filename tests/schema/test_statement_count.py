"""Nested fields go through dataloaders: the SQL statement count does not grow with page size."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
from sqlalchemy import event
from sqlalchemy.engine import Engine

from db.demo import SeedResult
from domain.enums import Role
from tests.conftest import gql
from tests.tokens import token_of

# patients in a facility, so that every nested loader (facility, occupancy…) runs on both pages
PAGE = """query($n: Int) { patients(first: $n, filter: {status: [IN_FACILITY]}) { totalCount edges { node {
  caseCode fullName status severity tier lastReportAt
  homeCommune { name parent { name parent { name } } }
  facility { name occupancy }
  latestReport { spo2 respiratoryRate severity }
  openAlerts { kind severity }
  transfers { status toFacility { name } }
  clinicalNotes { text }
} } } }"""


@contextmanager
def counting() -> Iterator[list[str]]:
    statements: list[str] = []

    def count(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        # the alert and person-event buses and the account follower read in the background
        # (plain rows: a compiled read, which builds JSON, is never one of them)
        background = ("alert_events", "person_events", "users.changed_at")
        if "json_build_object" in statement or not any(t in statement for t in background):
            statements.append(statement)

    event.listen(Engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(Engine, "before_cursor_execute", count)


async def _statements(client: httpx.AsyncClient, token: str, n: int) -> list[str]:
    await gql(client, PAGE, {"n": n}, token)  # the process now knows the caller and the areas
    with counting() as statements:
        body = await gql(client, PAGE, {"n": n}, token)
    assert "errors" not in body, body["errors"][:2]
    assert len(body["data"]["patients"]["edges"]) == n
    shapes = [re.sub(r"\$\d+(::\w+)?", "?", s) for s in statements]
    assert len(shapes) == len(set(shapes)), "a statement ran more than once: N+1"
    return statements


async def test_page_of_50_runs_as_many_statements_as_page_of_5(
    client: httpx.AsyncClient, demo: SeedResult
) -> None:
    token = token_of("count.statements", Role.HEALTH_STAFF, "72")
    small = await _statements(client, token, 5)
    large = await _statements(client, token, 50)
    assert len(large) == len(small), "\n".join(large)
    assert len(small) <= 12


# the benchmark's patient page (bench/perf.py)
BENCH_PAGE = """query($n: Int) { patients(first: $n) { edges { node {
  caseCode fullName status severity tier lastReportAt homeCommune { name parent { name } }
  facility { name } latestReport { spo2 respiratoryRate severity } openAlerts { kind }
} } } }"""


async def test_the_bench_page_is_one_statement_with_its_audit_whatever_its_size(
    client: httpx.AsyncClient, demo: SeedResult
) -> None:
    token = token_of("count.bench", Role.HEALTH_STAFF, "72")
    await gql(client, BENCH_PAGE, {"n": 5}, token)  # the process now knows the caller
    for n in (5, 100):
        with counting() as statements:
            body = await gql(client, BENCH_PAGE, {"n": n}, token)
        assert len(body["data"]["patients"]["edges"]) == n, body.get("errors")
        # one round trip: the page, its nested objects and the audit row of the names read
        assert len(statements) == 1, "\n".join(statements)
        assert "INSERT INTO audit_log" in statements[0]


async def test_a_manager_page_is_one_statement_without_an_audit(
    client: httpx.AsyncClient, demo: SeedResult
) -> None:
    token = token_of("count.manager", Role.MANAGER, "72")
    await gql(client, BENCH_PAGE, {"n": 5}, token)
    with counting() as statements:
        body = await gql(client, BENCH_PAGE, {"n": 50}, token)
    assert len(body["data"]["patients"]["edges"]) == 50
    assert {e["extensions"]["code"] for e in body["errors"]} == {"FORBIDDEN"}
    assert len(statements) == 1, "\n".join(statements)
    assert "audit_log" not in statements[0]  # no personal field was returned


def _shape(statement: str) -> str:
    """A statement with its parameters, and the length of its IN lists, left out."""
    return re.sub(r"IN \((\?, )*\?\)", "IN (...)", re.sub(r"\$\d+(::\w+)?", "?", statement))
