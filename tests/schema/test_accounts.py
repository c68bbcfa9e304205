"""Accounts through the API: administrators make and run accounts inside their own area
(a property over every admin level), one-time passwords that must be changed, the password
policy, and switched-off or changed accounts whose tokens stop working."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

import httpx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from db.demo import SeedResult
from db.models import Area, AuditEntry, Facility, User
from tests.conftest import gql
from tests.factories import communes_of
from tests.schema.test_care import new_patient
from tests.schema.test_intake import account, code_of, commune_of
from tests.schema.test_scope_property import _hierarchy, _lineage

CREATE = """mutation($i: UserInput!) { createUser(input: $i) {
  oneTimePassword user { id username displayName role active mustChangePassword phone
    area { code } facility { id } } } }"""
LOGIN = """mutation($u: String!, $p: String!) { login(username: $u, password: $p) {
  accessToken mustChangePassword } }"""
CHANGE = """mutation($o: String!, $n: String!) { changePassword(old: $o, new: $n) {
  accessToken mustChangePassword me { subject } } }"""
DEACTIVATE = 'mutation($id: ID!) { deactivateUser(id: $id, reason: "Nghỉ việc") { id active } }'
USERS = """query($f: UserFilter) { users(first: 100, filter: $f) { totalCount
  edges { node { id username active } } } }"""


def _name() -> str:
    return f"nv.{secrets.token_hex(4)}"


async def _new_staff(client: httpx.AsyncClient, admin: str, area: str) -> tuple[str, str, str]:
    """A HEALTH_STAFF account in `area`, signed in with its own password: (id, username,
    token)."""
    name = _name()
    made = await gql(
        client,
        CREATE,
        {"i": {"username": name, "displayName": "Lê Thị Hồng", "role": "HEALTH_STAFF",
               "areaCode": area, "phone": "0912 000 111"}},
        admin,
    )  # fmt: skip
    assert "errors" not in made, made
    issued = made["data"]["createUser"]
    first = (await gql(client, LOGIN, {"u": name, "p": issued["oneTimePassword"]}))["data"]
    own = "Cây đa giếng nước sân đình 2021"
    changed = await gql(
        client, CHANGE, {"o": issued["oneTimePassword"], "n": own}, first["login"]["accessToken"]
    )
    return issued["user"]["id"], name, changed["data"]["changePassword"]["accessToken"]


async def test_a_new_account_signs_in_once_with_its_one_time_password(
    client: httpx.AsyncClient, demo: SeedResult
) -> None:
    admin = account(demo, "admin.province")
    commune = next(a.area_code for a in demo.accounts if a.username == "health.commune")
    name = _name()
    made = await gql(
        client,
        CREATE,
        {"i": {"username": name.upper(), "displayName": " Lê  Thị Hồng ", "role": "HEALTH_STAFF",
               "areaCode": commune, "phone": "+84 912 000 111"}},
        admin,
    )  # fmt: skip
    assert "errors" not in made, made
    issued = made["data"]["createUser"]
    assert issued["user"] | {"id": None} == {
        "id": None, "username": name, "displayName": "Lê Thị Hồng", "role": "HEALTH_STAFF",
        "active": True, "mustChangePassword": True, "phone": "0912000111",
        "area": {"code": commune}, "facility": None,
    }  # fmt: skip
    one_time = issued["oneTimePassword"]
    # a second account with the same name is a conflict
    again = {"username": name, "displayName": "X", "role": "HEALTH_STAFF", "areaCode": commune}
    assert code_of(await gql(client, CREATE, {"i": again}, admin)) == "CONFLICT"
    # the one-time password signs in, but the token may only change it
    first = (await gql(client, LOGIN, {"u": name, "p": one_time}))["data"]["login"]
    assert first["mustChangePassword"] is True
    refused = await gql(client, "{ patients(first: 1) { totalCount } }", {}, first["accessToken"])
    assert code_of(refused) == "FORBIDDEN"
    assert "changePassword" in refused["errors"][0]["message"]
    # the policy: length, not the username, not a common password; the old one must match
    for weak, rule in (
        ("ngan", "10"),
        (name, "tên đăng nhập"),
        ("matkhau123", "phổ biến"),
        ("QWERTYUIOP", "phổ biến"),
    ):
        body = await gql(client, CHANGE, {"o": one_time, "n": weak}, first["accessToken"])
        assert body["errors"][0]["extensions"]["field"] == "new", body
        assert rule in body["errors"][0]["message"]
    wrong = await gql(
        client, CHANGE, {"o": "sai-mat-khau", "n": "Một mật khẩu dài"}, first["accessToken"]
    )
    assert wrong["errors"][0]["extensions"]["field"] == "old"
    own = "Một mật khẩu dài của tôi"
    changed = await gql(client, CHANGE, {"o": one_time, "n": own}, first["accessToken"])
    payload = changed["data"]["changePassword"]
    assert payload["mustChangePassword"] is False
    assert payload["me"] == {"subject": name}
    works = await gql(client, "{ patients(first: 1) { totalCount } }", {}, payload["accessToken"])
    assert "errors" not in works, works
    # the one-time token is refused now; the one-time password no longer signs in
    stale = await client.post(
        "/graphql",
        json={"query": "{ me { subject } }"},
        headers={"Authorization": f"Bearer {first['accessToken']}"},
    )
    assert stale.status_code == 401
    assert code_of(await gql(client, LOGIN, {"u": name, "p": one_time})) == "UNAUTHENTICATED"
    signed = (await gql(client, LOGIN, {"u": name, "p": own}))["data"]["login"]
    assert signed["mustChangePassword"] is False


async def test_a_switched_off_account_is_refused_at_once_and_listed_as_inactive(
    client: httpx.AsyncClient, demo: SeedResult, sessions: async_sessionmaker[AsyncSession]
) -> None:
    admin = account(demo, "admin.district")
    commune = commune_of(demo, "health.commune")
    user_id, name, token = await _new_staff(client, admin, commune)
    assert "errors" not in await gql(client, "{ me { subject } }", {}, token)
    off = await gql(client, DEACTIVATE, {"id": user_id}, admin)
    assert off["data"]["deactivateUser"] == {"id": user_id, "active": False}
    refused = await client.post(
        "/graphql",
        json={"query": "{ me { subject } }"},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert refused.status_code == 401
    assert "deactivated" in refused.json()["errors"][0]["message"]
    inactive = (await gql(client, USERS, {"f": {"active": False}}, admin))["data"]["users"]
    assert user_id in {e["node"]["id"] for e in inactive["edges"]}
    # switched on again, the old token stays refused; a new sign-in works
    on = "mutation($id: ID!) { reactivateUser(id: $id) { active } }"
    assert (await gql(client, on, {"id": user_id}, admin))["data"]["reactivateUser"]["active"]
    still = await client.post(
        "/graphql",
        json={"query": "{ me { subject } }"},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert still.status_code == 401
    again = await gql(client, LOGIN, {"u": name, "p": "Cây đa giếng nước sân đình 2021"})
    assert "errors" not in again, again
    async with sessions() as session:
        reasons = await session.scalars(
            select(AuditEntry.detail).where(
                AuditEntry.action == "DEACTIVATE_USER", AuditEntry.entity_ids.contains([user_id])
            )
        )
        assert list(reasons) == ["Nghỉ việc"]


async def test_a_new_role_refuses_old_tokens_and_a_reset_forces_a_change(
    client: httpx.AsyncClient, demo: SeedResult
) -> None:
    admin = account(demo, "admin.province")
    commune = commune_of(demo, "health.commune")
    user_id, name, token = await _new_staff(client, admin, commune)
    update = "mutation($id: ID!, $i: UserUpdateInput!) { updateUser(id: $id, input: $i) { role area { code } } }"
    moved = await gql(client, update, {"id": user_id, "i": {"role": "LOCAL_OFFICIAL"}}, admin)
    assert moved["data"]["updateUser"] == {"role": "LOCAL_OFFICIAL", "area": {"code": commune}}
    stale = await client.post(
        "/graphql", json={"query": "{ me { role } }"}, headers={"Authorization": f"Bearer {token}"}
    )
    assert stale.status_code == 401
    reset = "mutation($id: ID!) { resetPassword(id: $id) { oneTimePassword user { mustChangePassword } } }"
    issued = (await gql(client, reset, {"id": user_id}, admin))["data"]["resetPassword"]
    assert issued["user"]["mustChangePassword"] is True
    old = await gql(client, LOGIN, {"u": name, "p": "Cây đa giếng nước sân đình 2021"})
    assert code_of(old) == "UNAUTHENTICATED"
    first = (await gql(client, LOGIN, {"u": name, "p": issued["oneTimePassword"]}))["data"]
    assert first["login"]["mustChangePassword"] is True


async def test_administrators_do_not_change_themselves_or_other_areas(
    client: httpx.AsyncClient, demo: SeedResult, sessions: async_sessionmaker[AsyncSession]
) -> None:
    admin = account(demo, "admin.commune")
    async with sessions() as session:
        own = await session.scalar(select(User.id).where(User.username == "admin.commune"))
        other = await session.scalar(select(User.id).where(User.username == "health.province"))
    assert code_of(await gql(client, DEACTIVATE, {"id": str(own)}, admin)) == "FORBIDDEN"
    assert code_of(await gql(client, DEACTIVATE, {"id": str(other)}, admin)) == "NOT_FOUND"
    seen = (await gql(client, USERS, {}, admin))["data"]["users"]["edges"]
    assert str(other) not in {e["node"]["id"] for e in seen}
    citizen = {"username": _name(), "displayName": "Dân", "role": "CITIZEN"}
    refused = await gql(client, CREATE, {"i": citizen}, admin)
    assert "input.role" in {p["field"] for p in refused["errors"][0]["extensions"]["invalid"]}


@dataclass(frozen=True)
class Ask:
    role: str
    area: str | None
    facility: int | None


ADMINS = ["admin.province", "admin.district", "admin.commune"]


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
async def test_an_administrator_grants_only_inside_its_own_area(
    data: st.DataObject,
    client: httpx.AsyncClient,
    demo: SeedResult,
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    parents = await _hierarchy(sessions, "72")
    who = data.draw(st.sampled_from(ADMINS))
    home = next(a.area_code for a in demo.accounts if a.username == who)
    assert home is not None
    async with sessions() as session:
        near = [code for code in parents if home in _lineage(code, parents)]
        far = list(
            await session.scalars(
                text("SELECT code FROM areas WHERE province_code <> '72' LIMIT 20")
            )
        )
        facilities = {f.id: f.area_code for f in await session.scalars(select(Facility))}
    areas = st.sampled_from(sorted(near)) | st.sampled_from([*far, "72", "VN"])
    ask = data.draw(
        st.one_of(
            st.builds(Ask, st.sampled_from(["HEALTH_STAFF", "LOCAL_OFFICIAL", "MANAGER", "ADMIN"]), areas, st.none()),
            st.builds(Ask, st.sampled_from(["HOSPITAL_STAFF", "SCREENING_STAFF"]), st.none(), st.sampled_from(sorted(facilities))),
        )
    )  # fmt: skip
    place = ask.area if ask.area is not None else facilities[ask.facility or 0]
    allowed = home in _lineage(place, parents)  # the oracle: inside (or at) the admin's area
    given_input = {"username": _name(), "displayName": "Người Thử", "role": ask.role}
    if ask.area is not None:
        given_input["areaCode"] = ask.area
    if ask.facility is not None:
        given_input["facilityId"] = str(ask.facility)
    body = await gql(client, CREATE, {"i": given_input}, account(demo, who))
    assert ("errors" not in body) == allowed, (who, ask, body)
    if allowed:  # and the account is then the administrator's to list
        made = body["data"]["createUser"]["user"]["id"]
        listed = await gql(
            client, "query($id: ID!) { user(id: $id) { id } }", {"id": made}, account(demo, who)
        )
        assert listed["data"]["user"] == {"id": made}


ACCESSES = """{ me { personalDataAccesses(first: 20) { totalCount edges { node {
  at role organisation record fields } } } } }"""


async def test_a_citizen_sees_which_organisations_read_their_record(
    client: httpx.AsyncClient, demo: SeedResult, sessions: async_sessionmaker[AsyncSession]
) -> None:
    commune = commune_of(demo, "health.commune")
    case, citizen = await new_patient(sessions, commune)
    read = "query($id: ID!) { patient(id: $id) { fullName phone } }"
    assert "errors" not in await gql(client, read, {"id": str(case)}, citizen)  # their own read
    assert "errors" not in await gql(
        client, read, {"id": str(case)}, account(demo, "health.commune")
    )
    other, _ = await new_patient(sessions, commune)  # someone else's record
    assert "errors" not in await gql(
        client, read, {"id": str(other)}, account(demo, "official.commune")
    )
    body = await gql(client, ACCESSES, {}, citizen)
    assert "errors" not in body, body
    listed = body["data"]["me"]["personalDataAccesses"]
    async with sessions() as session:
        name = await session.scalar(select(Area.name).where(Area.code == commune))
    assert [e["node"] | {"at": None} for e in listed["edges"]] == [
        {"at": None, "role": "HEALTH_STAFF", "organisation": name, "record": "PATIENT",
         "fields": ["fullName", "phone"]}
    ]  # fmt: skip
    assert "health.commune" not in str(body)  # never who
    refused = await gql(client, ACCESSES, {}, account(demo, "health.commune"))
    assert code_of(refused) == "FORBIDDEN"


AUDIT = """query($f: AuditFilter) { auditLog(first: 100, filter: $f) { totalCount
  edges { node { id actor role action entity entityIds organisation detail } } } }"""


async def test_an_administrator_reviews_the_audit_of_its_area_and_the_review_is_audited(
    client: httpx.AsyncClient, demo: SeedResult, sessions: async_sessionmaker[AsyncSession]
) -> None:
    commune = commune_of(demo, "admin.commune")
    admin = account(demo, "admin.commune")
    ours, _ = await new_patient(sessions, commune)
    async with sessions() as session:
        elsewhere = next(c for c in await communes_of(session, "703") if c != commune)
    theirs, _ = await new_patient(sessions, elsewhere)
    read = "query($id: ID!) { patient(id: $id) { fullName } }"
    province = account(demo, "health.province")  # works for the province, not the commune
    for patient in (ours, theirs):
        assert "errors" not in await gql(client, read, {"id": str(patient)}, province)
    body = await gql(
        client, AUDIT, {"f": {"action": "READ_PERSONAL", "actor": "health.province"}}, admin
    )
    assert "errors" not in body, body
    about = [set(e["node"]["entityIds"]) for e in body["data"]["auditLog"]["edges"]]
    assert any(str(ours) in ids for ids in about)  # about a record of its area
    assert not any(str(theirs) in ids for ids in about)  # about another commune's, by outsiders
    # by someone working in the commune, whatever it is about
    local = account(demo, "health.commune")
    assert "errors" not in await gql(client, read, {"id": str(ours)}, local)
    mine = await gql(
        client, AUDIT, {"f": {"actor": "health.commune", "entityId": str(ours)}}, admin
    )
    rows = [e["node"] for e in mine["data"]["auditLog"]["edges"]]
    assert rows
    assert all(r["actor"] == "health.commune" for r in rows)
    async with sessions() as session:
        name = await session.scalar(select(Area.name).where(Area.code == commune))
    assert rows[0]["organisation"] == name
    # the reviews were audited with their filters
    async with sessions() as session:
        reviews = list(
            await session.scalars(
                select(AuditEntry.detail).where(
                    AuditEntry.action == "READ_AUDIT_LOG", AuditEntry.subject == "admin.commune"
                )
            )
        )
    assert f"actor=health.commune, entity_id={ours}" in reviews, reviews
    # a time window the wrong way round names the field
    backwards = {"from": "2021-12-02T00:00:00+07:00", "to": "2021-12-01T00:00:00+07:00"}
    wrong = await gql(client, AUDIT, {"f": backwards}, admin)
    assert wrong["errors"][0]["extensions"]["field"] == "filter.to"
