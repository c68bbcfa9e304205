"""The access matrix: every role × area level × patient inside / outside scope × every
operation so far → allowed, FORBIDDEN, UNAUTHENTICATED or invisible (DESIGN.md §5).

Later issues add their operations as columns of this table.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import graphql
import httpx
import pytest

from db.demo import SeedResult
from domain.enums import AreaEdition
from tests.conftest import OnMap, gql
from tests.schema.conftest import World
from tests.tokens import token_named

OK, FORBIDDEN, UNAUTH, NA = "ALLOWED", "FORBIDDEN", "UNAUTHENTICATED", "-"

# Which labelled patients each kind of scope contains (an oracle written from §5).
SEES: dict[str, set[str]] = {
    "province": {
        "commune",
        "district",
        "province",
        "at_tier2",
        "incoming_tier2",
        "at_tier3",
        "citizen",
    },
    # the demo citizen lives in the commune of the commune-level accounts
    "district": {"commune", "district", "at_tier3", "citizen"},
    "commune": {"commune", "at_tier3", "citizen"},
    "tier2": {"at_tier2", "incoming_tier2"},
    "tier3": {"at_tier3"},
    "citizen": {"citizen"},
    "none": set(),
}
OBJECTS = [
    "commune",
    "district",
    "province",
    "country",
    "at_tier2",
    "incoming_tier2",
    "at_tier3",
    "citizen",
]

# principal          me      patient reads  personal fields  scope
MATRIX: list[tuple[str, str, str, str, str]] = [
    ("official.province", OK, OK, OK, "province"),
    ("official.district", OK, OK, OK, "district"),
    ("official.commune", OK, OK, OK, "commune"),
    ("health.province", OK, OK, OK, "province"),
    ("health.district", OK, OK, OK, "district"),
    ("health.commune", OK, OK, OK, "commune"),
    ("manager.province", OK, OK, FORBIDDEN, "province"),
    ("manager.district", OK, OK, FORBIDDEN, "district"),
    ("manager.commune", OK, OK, FORBIDDEN, "commune"),
    ("analyst.province", OK, FORBIDDEN, NA, "none"),
    ("analyst.district", OK, FORBIDDEN, NA, "none"),
    ("analyst.commune", OK, FORBIDDEN, NA, "none"),
    ("admin.province", OK, FORBIDDEN, NA, "none"),
    ("admin.district", OK, FORBIDDEN, NA, "none"),
    ("admin.commune", OK, FORBIDDEN, NA, "none"),
    ("hospital.tier2", OK, OK, OK, "tier2"),
    ("hospital.tier3", OK, OK, OK, "tier3"),
    ("screening.hospital", OK, FORBIDDEN, NA, "none"),
    ("citizen", OK, OK, OK, "citizen"),
    ("anonymous", UNAUTH, UNAUTH, NA, "none"),
]
IDS = [row[0] for row in MATRIX]
V21, V25 = AreaEdition.VN_2021, AreaEdition.VN_2025


def on_both_maps(rows: list[Any]) -> list[Any]:
    """`rows` for a deployment on each edition of the map: on the 2025 map there are no
    districts, so no district-level principals."""
    return [
        pytest.param(edition, *(row if isinstance(row, tuple) else (row,)),
                     id=f"{edition.value}-{row[0] if isinstance(row, tuple) else row}")
        for edition in (V21, V25)
        for row in rows
        if edition is V21 or ".district" not in (row[0] if isinstance(row, tuple) else row)
    ]  # fmt: skip


@dataclass(frozen=True)
class Deployment:
    """Everything a row of the matrix is checked against, on one map."""

    client: httpx.AsyncClient
    demo: SeedResult
    world: World


@pytest.fixture
def deployment(request: pytest.FixtureRequest) -> Deployment:
    """The deployment on the map the row names: the main one (2021) or the 2025 one."""
    if request.param is V21:
        return Deployment(
            request.getfixturevalue("client"),
            request.getfixturevalue("demo"),
            request.getfixturevalue("world"),
        )
    on: OnMap = request.getfixturevalue("on_2025")
    return Deployment(on.client, on.demo, request.getfixturevalue("world_2025"))


def _outcome(body: dict[str, Any]) -> str:
    codes = {e["extensions"]["code"] for e in body.get("errors", [])}
    if codes:
        assert len(codes) == 1, body
        return str(codes.pop())
    return OK


async def _all_patient_ids(client: httpx.AsyncClient, token: str | None) -> tuple[str, set[int]]:
    ids: set[int] = set()
    after = None
    query = (
        "query($after: String) { patients(first: 100, after: $after) "
        "{ totalCount edges { node { id } } pageInfo { hasNextPage endCursor } } }"
    )
    while True:
        body = await gql(client, query, {"after": after}, token)
        if _outcome(body) != OK:
            return _outcome(body), set()
        page = body["data"]["patients"]
        ids |= {int(e["node"]["id"]) for e in page["edges"]}
        if not page["pageInfo"]["hasNextPage"]:
            assert page["totalCount"] == len(ids)
            return OK, ids
        after = page["pageInfo"]["endCursor"]


@pytest.mark.parametrize(
    ("deployment", "name", "me", "reads", "personal", "scope"),
    on_both_maps(MATRIX),
    indirect=["deployment"],
)
async def test_access_matrix(
    deployment: Deployment,
    name: str,
    me: str,
    reads: str,
    personal: str,
    scope: str,
) -> None:
    client, demo, world = deployment.client, deployment.demo, deployment.world
    token = token_named(name, demo)
    # me
    assert _outcome(await gql(client, "{ me { role } }", token=token)) == me
    # reference data is public
    reference = (
        '{ area(code: "72") { name } areas(level: PROVINCE) { code } facilities(tier: 3) { id } }'
    )
    assert _outcome(await gql(client, reference, token=token)) == OK
    # the patient list holds exactly the in-scope labelled patients
    outcome, listed = await _all_patient_ids(client, token)
    assert outcome == reads
    labelled = {label for label, pid in world.patients.items() if pid in listed}
    assert labelled == (SEES[scope] if reads == OK else set())
    # patient(id), and its personal fields, for every labelled object
    for label in OBJECTS:
        body = await gql(
            client,
            "query($id: ID!) { patient(id: $id) { caseCode fullName phone } }",
            {"id": str(world.patients[label])},
            token,
        )
        if reads != OK:
            assert _outcome(body) == reads
            assert body["data"] == {"patient": None}
            continue
        patient = body["data"]["patient"]
        if label not in SEES[scope]:
            assert patient is None, f"{name} must not see {label}"
            assert "errors" not in body
            continue
        assert patient["caseCode"]
        assert _outcome(body) == personal
        if personal == OK:
            assert patient["fullName"]
        else:
            assert patient["fullName"] is None
            assert patient["phone"] is None
            paths = {tuple(e["path"]) for e in body["errors"]}
            assert paths == {("patient", "fullName"), ("patient", "phone")}


# Who may call each mutation (an inert call: allowed roles get a validation or not-found
# answer, never FORBIDDEN; everyone else FORBIDDEN; anonymous UNAUTHENTICATED).
REVIEWERS = {"official.province", "official.district", "official.commune"} | {
    "health.province",
    "health.district",
    "health.commune",
}
ADMINS = {"admin.province", "admin.district", "admin.commune"}
ALERT_HANDLERS = {
    f"{r}.{lvl}" for r in ("official", "health") for lvl in ("province", "district", "commune")
} | {
    "hospital.tier2",
    "hospital.tier3",
}
CLINICAL = {
    "health.province",
    "health.district",
    "health.commune",
    "hospital.tier2",
    "hospital.tier3",
}
MUTATIONS: dict[str, tuple[str, dict[str, Any], set[str]]] = {
    "declareSelfTest": (
        "mutation($i: SelfTestInput!) { declareSelfTest(input: $i) { id } }",
        {"i": {"idempotencyKey": "", "fullName": "", "dateOfBirth": "2000-01-01", "sex": "MALE",
               "phone": "0", "communeCode": "0", "address": "", "testKind": "PCR",
               "testedOn": "2000-01-01"}},
        {"citizen"},
    ),
    "declareScreeningResults": (
        "mutation { declareScreeningResults(input: []) { id } }",
        {},
        {"screening.hospital"},
    ),
    "verifyDeclaration": ('mutation { verifyDeclaration(id: "0") { id } }', {}, REVIEWERS),
    "rejectDeclaration": (
        'mutation { rejectDeclaration(id: "0", reason: "x") { id } }', {}, REVIEWERS
    ),
    "submitHealthReport": (
        'mutation { submitHealthReport(input: {idempotencyKey: "k", spo2: 10}) { id } }',
        {},
        {"citizen"} | CLINICAL,
    ),
    "updatePatient": ('mutation { updatePatient(id: "0", input: {phone: "1"}) { id } }', {}, REVIEWERS),
    "addClinicalNote": ('mutation { addClinicalNote(patientId: "0", text: "") { id } }', {}, CLINICAL),
    "updateClinicalProfile": (
        'mutation { updateClinicalProfile(patientId: "0", input: {pregnant: false}) { id } }',
        {},
        CLINICAL,
    ),
    "recordTestResult": (
        'mutation { recordTestResult(input: {idempotencyKey: "", kind: PCR, result: NEGATIVE, '
        'takenAt: "2000-01-01T00:00:00+00:00"}) { id } }',
        {},
        {"citizen"} | CLINICAL,
    ),
    "confirmTestResult": ('mutation { confirmTestResult(id: "0") { id } }', {}, CLINICAL),
    "prescribeMedication": (
        'mutation { prescribeMedication(input: {idempotencyKey: "", drugCode: "", dose: "", '
        'frequency: "", days: 0, startOn: "2000-01-01"}) { id } }',
        {},
        {"citizen"} | CLINICAL,
    ),
    "stopMedication": ('mutation { stopMedication(id: "0", reason: "x") { id } }', {}, CLINICAL),
    "addExposure": (
        'mutation { addExposure(patientId: "0", input: {place: "", setting: OTHER, '
        'from: "2000-01-01T00:00:00+00:00"}) { id } }',
        {},
        REVIEWERS,
    ),
    "removeExposure": ('mutation { removeExposure(id: "0") }', {}, REVIEWERS),
    "addContacts": (
        'mutation { addContacts(patientId: "0", input: []) { contacts { id } } }',
        {},
        REVIEWERS,
    ),
    "updateContact": ('mutation { updateContact(id: "0", input: {}) { id } }', {}, REVIEWERS),
    "confirmContact": ('mutation { confirmContact(id: "0") { id } }', {}, REVIEWERS),
    "declareHouseholdContacts": (
        "mutation { declareHouseholdContacts(input: []) { contacts { id } } }",
        {},
        {"citizen"},
    ),
    "submitContactFollowUp": (
        'mutation { submitContactFollowUp(contactId: "0", input: {}) { id } }',
        {},
        {"citizen"} | REVIEWERS,
    ),
    "addContactsOfContact": (
        'mutation { addContactsOfContact(contactId: "0", input: []) { contacts { id } } }',
        {},
        REVIEWERS,
    ),
    "issueContactLinkCode": ('mutation { issueContactLinkCode(id: "0") { code } }', {}, REVIEWERS),
    "linkContact": ('mutation { linkContact(code: "AAAAA-AAAAA") { id } }', {}, {"citizen"}),
    "markContactLostToFollowUp": (
        'mutation { markContactLostToFollowUp(id: "0", reason: "x") { id } }', {}, REVIEWERS
    ),
    "changePassword": (
        'mutation { changePassword(old: "x", new: "y") { accessToken } }',
        {},
        {n for n in IDS if n not in ("citizen", "anonymous")},
    ),
    "createUser": (
        'mutation { createUser(input: {username: "", displayName: "", role: ADMIN}) { oneTimePassword } }',
        {},
        ADMINS,
    ),
    "updateUser": ('mutation { updateUser(id: "0", input: {}) { id } }', {}, ADMINS),
    "deactivateUser": ('mutation { deactivateUser(id: "0", reason: "x") { id } }', {}, ADMINS),
    "reactivateUser": ('mutation { reactivateUser(id: "0") { id } }', {}, ADMINS),
    "resetPassword": ('mutation { resetPassword(id: "0") { oneTimePassword } }', {}, ADMINS),
    "users (query)": ("{ users { totalCount } }", {}, ADMINS),
    "user (query)": ('{ user(id: "0") { id } }', {}, ADMINS),
    "auditLog (query)": ("{ auditLog { totalCount } }", {}, ADMINS),
    "myNotifications (query)": ("{ myNotifications { totalCount } }", {}, {"citizen"}),
    # webhooks are the province's: its administrators only
    "registerWebhook": (
        'mutation { registerWebhook(input: {url: "ftp://x", events: []}) { secret } }',
        {},
        {"admin.province"},
    ),
    "updateWebhook": ('mutation { updateWebhook(id: "0", input: {}) { id } }', {}, {"admin.province"}),
    "disableWebhook": ('mutation { disableWebhook(id: "0") { id } }', {}, {"admin.province"}),
    "rotateWebhookSecret": (
        'mutation { rotateWebhookSecret(id: "0") { secret } }', {}, {"admin.province"}
    ),
    "redeliverWebhookEvents": (
        'mutation { redeliverWebhookEvents(webhookId: "0", afterEventId: "0") }',
        {},
        {"admin.province"},
    ),
    "webhooks (query)": ("{ webhooks { id } }", {}, {"admin.province"}),
    "webhookDeliveries (query)": (
        '{ webhookDeliveries(webhookId: "0") { totalCount } }', {}, {"admin.province"}
    ),
    "exportPatients": (
        "mutation { exportPatients(format: CSV) { rows } }",
        {},
        REVIEWERS | {"hospital.tier2", "hospital.tier3", "manager.province", "manager.district",
                     "manager.commune"},
    ),
    "createFacility": ("mutation { createFacility(input: {}) { id } }", {}, ADMINS),
    "updateFacility": ('mutation { updateFacility(id: "0", input: {}) { id } }', {}, ADMINS),
    "reportBeds": (
        'mutation { reportBeds(facilityId: "0", input: {capacity: 1, occupiedOutsideF0care: 0}) { id } }',
        {},
        ADMINS | {"hospital.tier2", "hospital.tier3"},
    ),
    "contacts (query)": ("{ contacts { totalCount } }", {}, {"citizen"} | REVIEWERS | {
        "manager.province", "manager.district", "manager.commune"}),
    "reportAdverseEvent": (
        'mutation { reportAdverseEvent(medicationId: "0", input: {description: "x", '
        'occurredOn: "2000-01-01"}) { id } }',
        {},
        {"citizen"} | CLINICAL,
    ),
    "requestTransfer": (
        'mutation { requestTransfer(input: {patientId: "0", toTier: 2, reason: ""}) { id } }', {}, CLINICAL
    ),
    "acceptTransfer": ('mutation { acceptTransfer(id: "0") { id } }', {}, CLINICAL),
    "rejectTransfer": ('mutation { rejectTransfer(id: "0", reason: "x") { id } }', {}, CLINICAL),
    "completeTransfer": ('mutation { completeTransfer(id: "0") { id } }', {}, CLINICAL),
    "cancelTransfer": ('mutation { cancelTransfer(id: "0") { id } }', {}, CLINICAL),
    "dischargePatient": (
        'mutation { dischargePatient(id: "0", input: {outcome: RECOVERED}) { id } }', {}, CLINICAL
    ),
    "raiseSos": (
        'mutation { raiseSos(input: {idempotencyKey: "", patientId: "0"}) { id } }',
        {},
        {"citizen"} | ALERT_HANDLERS,
    ),
    "reassignHomeCommune": (
        'mutation { reassignHomeCommune(id: "0", communeCode: "0", reason: "x") { id } }',
        {},
        REVIEWERS,
    ),
    "acknowledgeAlert": ('mutation { acknowledgeAlert(id: "0") { id } }', {}, ALERT_HANDLERS),
    "resolveAlert": ('mutation { resolveAlert(id: "0") { id } }', {}, ALERT_HANDLERS),
    "alerts (query)": ("{ alerts { totalCount } }", {}, {"citizen"} | ALERT_HANDLERS),
    "statistics (query)": (
        "{ statistics { activePatients } }",
        {},
        {f"{r}.{lvl}" for r in ("official", "health", "manager", "analyst", "admin") for lvl in ("province", "district", "commune")},
    ),
    "statisticsTable (query)": (
        "{ statisticsTable(metrics: [PATIENTS]) { value } }",
        {},
        {f"{r}.{lvl}" for r in ("official", "health", "manager", "analyst", "admin") for lvl in ("province", "district", "commune")},
    ),
    "transfers (query)": ("{ transfers { totalCount } }", {}, REVIEWERS | CLINICAL | {
        "manager.province", "manager.district", "manager.commune"}),
}  # fmt: skip


PUBLIC_MUTATIONS = {"login"}


def test_the_matrix_names_every_mutation() -> None:
    sdl = graphql.build_schema((Path(__file__).parents[2] / "schema.graphql").read_text())
    assert sdl.mutation_type is not None
    named = {m for m in MUTATIONS if " (query)" not in m}
    assert set(sdl.mutation_type.fields) - PUBLIC_MUTATIONS == named


@pytest.mark.parametrize("mutation", list(MUTATIONS))
@pytest.mark.parametrize(("deployment", "name"), on_both_maps(IDS), indirect=["deployment"])
async def test_mutation_permissions(deployment: Deployment, name: str, mutation: str) -> None:
    document, variables, allowed = MUTATIONS[mutation]
    token = token_named(name, deployment.demo)
    body = await gql(deployment.client, document, variables, token)
    outcome = _outcome(body)
    if name == "anonymous":
        assert outcome == UNAUTH
    elif name in allowed:
        assert outcome not in (FORBIDDEN, UNAUTH), body
    else:
        assert outcome == FORBIDDEN, body


# principal → (may read declarations, labelled declarations in scope)
DECLARATION_SCOPE: dict[str, tuple[str, set[str]]] = {
    name: (OK, {"own_in_commune"}) for name in ["official.district", "official.commune",
                                                "health.district", "health.commune", "citizen"]
} | {
    "official.province": (OK, {"own_in_commune", "screened_elsewhere"}),
    "health.province": (OK, {"own_in_commune", "screened_elsewhere"}),
    "screening.hospital": (OK, {"screened_elsewhere"}),
    "anonymous": (UNAUTH, set()),
}  # fmt: skip


@pytest.mark.parametrize(("deployment", "name"), on_both_maps(IDS), indirect=["deployment"])
async def test_declaration_visibility(deployment: Deployment, name: str) -> None:
    client, demo, world = deployment.client, deployment.demo, deployment.world
    reads, expected = DECLARATION_SCOPE.get(name, (FORBIDDEN, set()))
    token = token_named(name, demo)
    for label, declaration_id in world.declarations.items():
        body = await gql(
            client,
            "query($id: ID!) { declaration(id: $id) { id } }",
            {"id": str(declaration_id)},
            token,
        )
        assert _outcome(body) == reads
        found = (body.get("data") or {}).get("declaration")
        assert (found is not None) == (label in expected), (label, body)
    listing = await gql(
        client, "{ declarations(first: 100) { edges { node { id } } } }", token=token
    )
    assert _outcome(listing) == reads
    if reads == OK:
        ids = {int(e["node"]["id"]) for e in listing["data"]["declarations"]["edges"]}
        assert {label for label, i in world.declarations.items() if i in ids} <= expected
