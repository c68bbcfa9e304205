"""The compiled path is proven equal to the generic one: the same documents, as the same
principals, give the same responses (data and errors, in order) and the same audit rows."""

from __future__ import annotations

import json
import logging
import secrets
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis_graphql import from_schema as documents_of
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from db.demo import SeedResult
from db.models import AuditEntry
from domain.enums import Role
from schema import export_sdl
from tests.conftest import gql
from tests.schema.conftest import World
from tests.schema.test_statement_count import counting
from tests.tokens import token_named, token_of

ITEM = """id caseCode status tier severity fullName dateOfBirth sex nationalId phone address
  confirmedAt lastReportAt needsFacilityAssessment assessmentReason __typename
  homeCommune { code name level parent { code name parent { name level } } }
  facility { id name tier bedCapacity occupancy area { name } }
  latestReport { id reportedAt spo2 temperature pulse respiratoryRate systolic diastolic
    symptoms note severity warningSigns recommendedTier ruleSet }
  openAlerts { id kind status severity message raisedAt acknowledgedAt resolvedAt
    escalationLevel pressCount lastPressedAt }"""

DECLARATION = """id kind status testKind testedOn fullName dateOfBirth sex phone nationalId
  address symptoms createdAt reviewedAt rejectionReason homeCommune { code name parent { name } }
  contact { id fullName status }"""

DETAIL = """id caseCode fullName
  healthReports(first: 3) { totalCount pageInfo { hasNextPage endCursor }
    edges { cursor node { id reportedAt spo2 severity warningSigns } } }
  clinicalNotes { id text createdAt author }
  transfers { id status fromTier toTier rejectionReason requestedAt acceptedAt completedAt
    fromFacility { name } toFacility { name tier } patient { id caseCode } }
  openAlerts { id kind }"""

TRANSFER = """id status fromTier toTier reason rejectionReason requestedAt acceptedAt completedAt
  fromFacility { id name } toFacility { name occupancy area { name } }
  patient { id caseCode fullName phone homeCommune { name } }"""

ALERT = """id kind status severity message raisedAt acknowledgedAt resolvedAt escalationLevel
  pressCount lastPressedAt patient { id caseCode fullName latestReport { spo2 } }"""

TREATMENT = """pregnant breastfeeding dischargeOverrideReason comorbidities { name }
  vaccinations { vaccine doseNumber givenOn }
  testResults { id kind result takenAt ctValue supervision recordedBy confirmedBy confirmedAt
    facility { name } }
  isolation { dayNumber startedOn earliestReleaseOn releaseDue requiredTest ruleSet }
  certificate { number verificationCode periodFrom periodTo issuedAt
    issuedBy { name area { code name } } }
  adverseEventFollowUp
  medications { id drug { code name strength form } package dose frequency days startOn endOn
    prescribedBy facility { name } selfStarted consentRecordedAt status stopReason
    adverseEvents { id description occurredOn reportedBy reportedAt } }
  exposures { id place address area { name } from to setting note }"""

CONTACT = """id fullName dateOfBirth sex phone nationalId address relation lastExposureOn status
  createdAt commune { name parent { name } } quarantine { startedOn until place }
  sourcePatient { id caseCode fullName } becamePatient { id } lastCheckedAt
  sourceContact { id fullName status commune { name } sourceContact { id } }
  testResults { id kind result takenAt supervision }"""

# (document, variables, compiled): every root field the compiled path handles, nested,
# with fragments, aliases, variables, @include/@skip, filters, empty pages and nulls
CORPUS: list[tuple[str, dict[str, Any], bool]] = [
    (
        f"{{ patients(first: 7) {{ totalCount pageInfo {{ hasNextPage endCursor }} edges {{ cursor node {{ {ITEM} }} }} }} }}",
        {},
        True,
    ),
    (
        "query($n: Int, $a: String) { patients(first: $n, after: $a) { edges { cursor node { id caseCode } } pageInfo { endCursor hasNextPage } } }",
        {"n": 3},
        True,
    ),
    (
        "fragment P on Patient { id fullName phone ...More } fragment More on Patient { severity homeCommune { name } }\n{ list: patients(first: 4) { __typename items: edges { __typename item: node { ...P } } info: pageInfo { __typename more: hasNextPage } } }",
        {},
        True,
    ),
    (
        "query($full: Boolean!, $skipAlerts: Boolean!) { patients(first: 5) { edges { node { id fullName @include(if: $full) phone @skip(if: $full) openAlerts @skip(if: $skipAlerts) { kind } ... on Patient { tier } } } } }",
        {"full": True, "skipAlerts": False},
        True,
    ),
    (
        "query($full: Boolean!, $skipAlerts: Boolean!) { patients(first: 5) { edges { node { id fullName @include(if: $full) phone @skip(if: $full) openAlerts @skip(if: $skipAlerts) { kind } ... on Patient { tier } } } } }",
        {"full": False, "skipAlerts": True},
        True,
    ),
    (
        "query($f: PatientFilter) { patients(first: 10, filter: $f) { totalCount edges { node { id status tier facility { name } } } } }",
        {"f": {"status": ["IN_FACILITY"]}},
        True,
    ),
    (
        "query($f: PatientFilter) { patients(first: 10, filter: $f) { totalCount edges { node { id status } } } }",
        {"f": {"tier": 3, "status": ["RECOVERED"]}},
        True,
    ),
    (
        "query($f: PatientFilter) { patients(first: 10, filter: $f) { totalCount edges { node { id } } } }",
        {"f": {"severity": ["SEVERE", "CRITICAL"], "reportOverdue": False}},
        True,
    ),
    (
        "query($f: PatientFilter) { patients(filter: $f) { totalCount edges { node { id caseCode } } } }",
        {"f": {"areaCode": "712"}},
        True,
    ),
    (
        "query($f: PatientFilter) { patients(filter: $f) { edges { node { id fullName } } } }",
        {"f": {"search": "Nguyễn"}},
        True,
    ),
    (
        "query($f: PatientFilter) { patients(filter: $f) { totalCount } }",
        {"f": {"reportOverdue": True}},
        True,
    ),
    (
        "{ patients(first: 100) { edges { node { id latestReport { spo2 reportedAt } } } } }",
        {},
        True,
    ),
    ("query($id: ID!) { patient(id: $id) { " + ITEM + " } }", {"id": "__commune"}, True),
    ("query($id: ID!) { patient(id: $id) { id caseCode fullName } }", {"id": "__province"}, True),
    (
        "query($id: ID!) { patient(id: $id) { id " + TREATMENT + " } }",
        {"id": "__commune"},
        True,
    ),
    (
        "query($f: PatientFilter) { patients(first: 20, filter: $f) { totalCount edges { node { id "
        + TREATMENT
        + " } } } }",
        {"f": {"releaseDue": False}},
        True,
    ),
    (
        "query($f: PatientFilter) { patients(filter: $f) { totalCount edges { node { id isolation { releaseDue } } } } }",
        {"f": {"releaseDue": True}},
        True,
    ),
    (
        "query($id: ID!) { p: patient(id: $id) { id phone latestReport { spo2 } } }",
        {"id": "__at_tier3"},
        True,
    ),
    ("query($id: ID!) { patient(id: $id) { id } }", {"id": "999999999"}, True),
    ("query($id: ID!) { patient(id: $id) { id } }", {"id": "not-an-id"}, False),  # no SQL
    # declarations
    (
        f"{{ declarations(first: 6) {{ totalCount pageInfo {{ hasNextPage endCursor }} edges {{ cursor node {{ {DECLARATION} }} }} }} }}",
        {},
        True,
    ),
    (
        "query($f: DeclarationFilter) { declarations(filter: $f) { totalCount edges { node { id status kind testedOn } } } }",
        {"f": {"status": ["PENDING"]}},
        True,
    ),
    (
        "query($f: DeclarationFilter) { declarations(filter: $f) { edges { node { id fullName } } } }",
        {"f": {"testedFrom": "2020-01-01", "testedTo": "2099-12-31", "kind": "SELF_TEST"}},
        True,
    ),
    (
        "query($f: DeclarationFilter) { declarations(filter: $f) { totalCount } }",
        {"f": {"areaCode": "712"}},
        True,
    ),
    (
        "query($id: ID!) { declaration(id: $id) { " + DECLARATION + " } }",
        {"id": "_own_in_commune"},
        True,
    ),
    ("query($id: ID!) { declaration(id: $id) { id phone } }", {"id": "_screened_elsewhere"}, True),
    (
        "query($f: DeclarationFilter) { declarations(filter: $f) { totalCount } }",
        {"f": {"testedFrom": "2026-02-30"}},
        False,
    ),
    ("{ declarations(first: 4) { edges { node { id patient { id caseCode } } } } }", {}, True),
    (
        "{ declarations(first: 4) { edges { node { patient { id fullName phone } id fullName } } } }",
        {},
        True,
    ),
    # errors the generic path answers (the compiled one leaves them to it)
    ("{ patients(first: 500) { totalCount } }", {}, False),
    ('{ patients(after: "bogus") { totalCount } }', {}, False),
    ('{ patients(filter: {areaCode: "99999"}) { totalCount } }', {}, False),
    ('{ patients(filter: {search: "x"}) { totalCount } }', {}, False),
    # the patient detail: report history (a nested page), notes, transfers, alerts
    ("query($id: ID!) { patient(id: $id) { " + DETAIL + " } }", {"id": "__commune"}, True),
    ("query($id: ID!) { patient(id: $id) { " + DETAIL + " } }", {"id": "__at_tier3"}, True),
    (
        "query($id: ID!) { patient(id: $id) { id healthReports(first: 1, after: null) { edges { node { id } } pageInfo { hasNextPage } } } }",
        {"id": "__commune"},
        True,
    ),
    (
        "{ patients(first: 3) { edges { node { id transfers { status } clinicalNotes { text } healthReports(first: 2) { totalCount edges { node { spo2 } } } } } } }",
        {},
        True,
    ),
    # a refused field inside a nested list: left to the generic path for the roles refused
    (
        "query($id: ID!) { patient(id: $id) { id transfers { reason } } }",
        {"id": "__commune"},
        False,
    ),
    # a nested page's arguments as variables, or wrong: left to the generic path
    (
        "query($id: ID!, $n: Int) { patient(id: $id) { healthReports(first: $n) { totalCount edges { node { id } } } } }",
        {"id": "__commune", "n": 2},
        True,
    ),
    (
        "query($id: ID!, $n: Int) { patient(id: $id) { healthReports(first: $n) { totalCount edges { node { id } } } } }",
        {"id": "__commune", "n": 5},
        True,
    ),
    (
        "fragment R on Patient { healthReports(first: $n) { edges { node { id } } } }\nquery($n: Int) { patients(first: 3) { edges { node { id ...R } } } }",
        {"n": 1},
        True,
    ),
    (
        'query($id: ID!) { patient(id: $id) { healthReports(after: "bogus") { totalCount } } }',
        {"id": "__commune"},
        False,
    ),
    # personal data deeper down: audited as the generic path does (one row per kind of row)
    (
        "{ patients(first: 5) { edges { node { id fullName transfers { patient { id phone } } } } } }",
        {},
        True,
    ),
    (
        "query($id: ID!) { patient(id: $id) { transfers { patient { fullName address } } } }",
        {"id": "__commune"},
        True,
    ),
    # transfers and alerts
    (
        f"{{ transfers(first: 5) {{ totalCount pageInfo {{ hasNextPage endCursor }} edges {{ cursor node {{ {TRANSFER} }} }} }} }}",
        {},
        True,
    ),
    (
        "query($f: TransferFilter) { transfers(filter: $f) { totalCount edges { node { id status patient { id } } } } }",
        {"f": {"status": ["REQUESTED", "ACCEPTED"]}},
        True,
    ),
    (
        "query($f: TransferFilter) { transfers(filter: $f) { totalCount } }",
        {"f": {"areaCode": "712", "facilityId": "not-an-id"}},
        True,
    ),
    (
        f"{{ alerts(first: 6) {{ totalCount pageInfo {{ hasNextPage endCursor }} edges {{ cursor node {{ {ALERT} }} }} }} }}",
        {},
        True,
    ),
    (
        "query($f: AlertFilter) { alerts(first: 2, filter: $f) { totalCount edges { node { id kind } } } }",
        {"f": {"status": ["OPEN"], "kind": ["SOS"]}},
        True,
    ),
    # reference data: areas and facilities, with occupancy
    (
        '{ area(code: "72") { code name level parent { code } children { code name children { code } } } }',
        {},
        True,
    ),
    ('{ area(code: "nope") { code } }', {}, True),
    ('{ areas(level: DISTRICT, parentCode: "72") { code name level parent { name } } }', {}, True),
    ("{ areas(level: PROVINCE) { code name children { code } } }", {}, True),
    (
        "{ facilities { id name tier bedCapacity occupancy area { name parent { name } } } }",
        {},
        True,
    ),
    (
        "query($a: ID, $t: Int) { facilities(areaCode: $a, tier: $t) { id name occupancy } }",
        {"a": "72", "t": 2},
        True,
    ),
    ("{ facilities(tier: 7) { id } }", {}, False),
    (
        "{ facilities(tier: 2) { id kind active bedsOccupiedOutsideF0care bedReports { capacity occupiedOutsideF0care reportedRole reportedAt } } }",
        {},
        True,
    ),
    ("{ drugs { __typename code name strength form } }", {}, True),
    (
        f"{{ contacts(first: 5) {{ totalCount pageInfo {{ hasNextPage endCursor }} edges {{ cursor node {{ {CONTACT} }} }} }} }}",
        {},
        True,
    ),
    (
        "query($f: ContactFilter) { contacts(filter: $f) { edges { node { id status } } } }",
        {"f": {"status": ["UNDER_FOLLOW_UP"], "areaCode": "712"}},
        True,
    ),
    (
        "query($f: ContactFilter) { contacts(filter: $f) { totalCount edges { node { id } } } }",
        {"f": {"symptomatic": True, "unchecked": False, "dueForTest": True}},
        True,
    ),
    ('{ contact(id: "1") { ' + CONTACT + " } }", {}, True),
    (
        "{ contacts(first: 3) { edges { node { id followUps { dayNumber on testDue checked tested symptoms } } } } }",
        {},
        True,
    ),
    (
        "query($id: ID!, $d: Int!) { patient(id: $id) { id transmissionChain(depth: $d) { __typename hidden nodes { key kind id label status generation area { code name } } edges { from to } } } }",
        {"id": "__commune", "d": 3},
        True,
    ),
    (
        "query($id: ID!) { patient(id: $id) { chain: transmissionChain { links: edges { to } n: hidden } } }",
        {"id": "__province"},
        True,
    ),
    # a depth out of bounds: the generic executor answers with its error
    (
        "query($id: ID!) { patient(id: $id) { transmissionChain(depth: 9) { hidden } } }",
        {"id": "__commune"},
        False,
    ),
    (
        "query($f: AuditFilter) { auditLog(first: 7, filter: $f) { totalCount pageInfo { hasNextPage endCursor } edges { cursor node { __typename id at actor role action entity entityIds fields detail organisation } } } }",
        {"f": {"action": "READ_PERSONAL"}},
        True,
    ),
    # (each review is itself an entry: filtered so that the other path's review is not seen)
    (
        '{ auditLog(first: 3, filter: {entity: "patient"}) { edges { node { id organisation } } } }',
        {},
        True,
    ),
    # a window the wrong way round: the generic executor answers with its error
    (
        'query { auditLog(filter: {from: "2021-12-02T00:00:00Z", to: "2021-12-01T00:00:00Z"}) { totalCount } }',
        {},
        False,
    ),
    # several root fields: the generic executor
    ('{ patients(first: 2) { totalCount } area(code: "72") { name } }', {}, False),
]
PRINCIPALS = [
    "official.province", "official.district", "official.commune",
    "health.province", "health.district", "health.commune",
    "manager.province", "manager.district", "manager.commune",
    "analyst.province", "analyst.district", "analyst.commune",
    "admin.province", "admin.district", "admin.commune",
    "hospital.tier2", "hospital.tier3", "screening.hospital", "citizen", "anonymous",
]  # fmt: skip


def _labelled(value: Any, world: World) -> Any:
    """`__label`: the id of that labelled patient; `_label`: of that declaration."""
    if isinstance(value, str) and value.startswith("__"):
        return str(world.patients[value[2:]])
    if isinstance(value, str) and value.startswith("_"):
        return str(world.declarations[value[1:]])
    return value


def _ordered(text: str) -> Any:
    """The response with objects as lists of pairs: key order counts too."""
    return json.loads(text, object_pairs_hook=list)


async def _audit_after(sessions: async_sessionmaker[AsyncSession], since: int) -> list[Any]:
    async with sessions() as session:
        rows = await session.scalars(
            select(AuditEntry).where(AuditEntry.id > since).order_by(AuditEntry.id)
        )
        return [(r.subject, r.role, r.action, r.entity, r.entity_ids, r.fields) for r in rows]


async def _last_audit(sessions: async_sessionmaker[AsyncSession]) -> int:
    async with sessions() as session:
        return int(await session.scalar(select(func.coalesce(func.max(AuditEntry.id), 0))) or 0)


async def _both(
    client: httpx.AsyncClient,
    generic: httpx.AsyncClient,
    sessions: async_sessionmaker[AsyncSession],
    token: str | None,
    document: str,
    variables: dict[str, Any],
    language: str | None = None,
) -> tuple[Any, list[Any], int]:
    """Send to both paths and assert the answers (status, data, errors, key order) and the
    audit rows equal; the answer, its audit rows and the compiled path's statements."""
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    if language is not None:
        headers["Accept-Language"] = language
    payload = {"query": document, "variables": variables}
    answers, audits, texts = [], [], []
    statements = 0
    for which in (client, generic):
        since = await _last_audit(sessions)
        with counting() as ran:
            response = await which.post("/graphql", json=payload, headers=headers)
        if which is client:
            statements = len(ran)
        answers.append((response.status_code, _ordered(response.text)))
        audits.append(await _audit_after(sessions, since))
        texts.append(response.text)
    assert answers[0] == answers[1], (document, variables)
    # the same rows; their order within one request depends on which resolver finished first
    assert sorted(audits[0]) == sorted(audits[1]), (document, variables)
    return json.loads(texts[0]), audits[0], statements


@pytest.mark.parametrize("principal", PRINCIPALS)
async def test_compiled_and_generic_answers_are_equal(
    client: httpx.AsyncClient,
    generic: httpx.AsyncClient,
    sessions: async_sessionmaker[AsyncSession],
    demo: SeedResult,
    world: World,
    principal: str,
) -> None:
    token = token_named(principal, demo)
    for document, variables, compiled in CORPUS:
        variables = {k: _labelled(v, world) for k, v in variables.items()}
        await _both(client, generic, sessions, token, document, variables)  # warm caches
        body, _, statements = await _both(client, generic, sessions, token, document, variables)
        answered = any(v is not None for v in (body.get("data") or {}).values())
        if compiled and answered:
            assert statements == 1, document  # one round trip, the audit row included


async def test_paging_through_the_whole_list_is_equal_at_every_boundary(
    client: httpx.AsyncClient,
    generic: httpx.AsyncClient,
    sessions: async_sessionmaker[AsyncSession],
    demo: SeedResult,
) -> None:
    token = token_named("health.district", demo)
    document = "query($a: String) { patients(first: 7, after: $a) { totalCount pageInfo { hasNextPage endCursor } edges { cursor node { id fullName } } } }"
    after, pages = None, 0
    while True:
        body, _, _ = await _both(client, generic, sessions, token, document, {"a": after})
        page = body["data"]["patients"]
        pages += 1
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert pages > 2


SDL = export_sdl()


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    # one root field each: several run on the generic executor on both sides, concurrently,
    # and which sibling errors a null root keeps depends on timing there
    document=st.sampled_from(
        [
            "patients",
            "patient",
            "declarations",
            "declaration",
            "transfers",
            "alerts",
            "area",
            "areas",
            "facilities",
            "drugs",
            "contacts",
            "contact",
        ]  # fmt: skip
    ).flatmap(lambda root: documents_of(SDL, fields=[root])),
    principal=st.sampled_from(PRINCIPALS),
)
async def test_generated_documents_answer_alike_on_both_paths(
    client: httpx.AsyncClient,
    generic: httpx.AsyncClient,
    sessions: async_sessionmaker[AsyncSession],
    demo: SeedResult,
    caplog: pytest.LogCaptureFixture,
    document: Any,
    principal: str,
) -> None:
    with caplog.at_level(logging.ERROR):
        await _both(client, generic, sessions, token_named(principal, demo), str(document), {})
    assert not [r for r in caplog.records if r.name == "f0care.graphql"]


ALERT_TEXTS = "{ alerts(first: 100) { edges { node { id kind message patient { id } } } } }"


@pytest.mark.parametrize(
    ("language", "missed", "sos"),
    [
        (None, "chưa có báo cáo sức khỏe quá 24 giờ", "SOS: người bệnh cần hỗ trợ khẩn cấp"),
        ("vi-VN", "chưa có báo cáo sức khỏe quá 24 giờ", "SOS: người bệnh cần hỗ trợ khẩn cấp"),
        (
            "en-GB,en;q=0.9",
            "no health report for more than 24 h",
            "SOS: the patient needs urgent help",
        ),
    ],
)
async def test_alert_texts_are_in_the_readers_language_alike_on_both_paths(
    client: httpx.AsyncClient,
    generic: httpx.AsyncClient,
    sessions: async_sessionmaker[AsyncSession],
    demo: SeedResult,
    language: str | None,
    missed: str,
    sos: str,
) -> None:
    token = token_named("health.province", demo)
    body, _, _ = await _both(client, generic, sessions, token, ALERT_TEXTS, {}, language)
    texts: dict[str, set[str]] = {}
    for edge in body["data"]["alerts"]["edges"]:
        texts.setdefault(edge["node"]["kind"], set()).add(edge["node"]["message"])
    assert texts["MISSED_REPORT"] == {missed}
    assert sos in texts["SOS"]


async def test_a_citizens_notifications_are_one_statement_alike_on_both_paths(
    client: httpx.AsyncClient,
    generic: httpx.AsyncClient,
    sessions: async_sessionmaker[AsyncSession],
    demo: SeedResult,
) -> None:
    from tests.schema.test_intake import DECLARE, VERIFY, account, commune_of, person

    subject = f"citizen-{secrets.token_hex(4)}"
    me = token_of(subject, Role.CITIZEN)
    official = account(demo, "official.commune")
    for _ in range(3):  # three verified declarations: three events, paged two at a time
        declared = await gql(
            client, DECLARE, {"input": person(commune_of(demo, "official.commune"))}, me
        )
        verified = await gql(
            client, VERIFY, {"id": declared["data"]["declareSelfTest"]["id"]}, official
        )
        assert "errors" not in verified, verified
    document = """query($after: String) { myNotifications(first: 2, after: $after) {
      totalCount pageInfo { hasNextPage endCursor }
      edges { cursor node { id kind caseCode message createdAt } } } }"""
    for language, words in ((None, "Khai báo của bạn"), ("en", "Your declaration")):
        first, _, statements = await _both(client, generic, sessions, me, document, {}, language)
        assert statements == 1
        page = first["data"]["myNotifications"]
        assert page["totalCount"] == 3
        assert all(e["node"]["message"].startswith(words) for e in page["edges"])
        after = {"after": page["pageInfo"]["endCursor"]}
        rest, _, _ = await _both(client, generic, sessions, me, document, after, language)
        assert len(rest["data"]["myNotifications"]["edges"]) == 1
    # staff have no feed, on either path alike
    await _both(client, generic, sessions, official, document, {})
