"""The line-list export: a signed address for the caller only, the file in CSV (UTF-8 with
a BOM, as Excel reads Vietnamese) or XLSX, personal columns only for roles that may read
them, one audit entry listing every exported id, and the size limit."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import httpx
import jwt
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from db.demo import SeedResult
from db.models import AuditEntry, Patient
from server.app import create_app
from server.settings import Settings
from tests.conftest import TEST_SECRET, gql
from tests.schema.test_care import new_patient
from tests.schema.test_intake import account, code_of, commune_of

EXPORT = """mutation($f: PatientFilter, $x: ExportFormat!) { exportPatients(filter: $f, format: $x) {
  url expiresAt rows format } }"""


async def _export(
    client: httpx.AsyncClient, token: str, area: str, fmt: str = "CSV"
) -> dict[str, object]:
    body = await gql(client, EXPORT, {"f": {"areaCode": area}, "x": fmt}, token)
    assert "errors" not in body, body
    link: dict[str, object] = body["data"]["exportPatients"]
    return link


async def _get(client: httpx.AsyncClient, url: object, token: str | None) -> httpx.Response:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return await client.get(str(url), headers=headers)


async def _exports(sessions: async_sessionmaker[AsyncSession], subject: str) -> list[AuditEntry]:
    async with sessions() as session:
        found = await session.scalars(
            select(AuditEntry)
            .where(AuditEntry.action == "EXPORT", AuditEntry.subject == subject)
            .order_by(AuditEntry.id)
        )
        return list(found)


async def test_a_health_worker_exports_the_commune_line_list_as_csv(
    client: httpx.AsyncClient, demo: SeedResult, sessions: async_sessionmaker[AsyncSession]
) -> None:
    commune = commune_of(demo, "health.commune")
    staff = account(demo, "health.commune")
    await new_patient(
        sessions, commune, full_name="Nguyễn Thị Ngọc Ánh", address="12 Đường Trưng Nữ Vương"
    )
    before = len(await _exports(sessions, "health.commune"))
    link = await _export(client, staff, commune)
    assert str(link["url"]).startswith("/exports/")
    expires = datetime.fromisoformat(str(link["expiresAt"]))
    assert timedelta(minutes=9) < expires - datetime.now(UTC) <= timedelta(minutes=10)
    response = await _get(client, link["url"], staff)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    assert response.content.startswith(b"\xef\xbb\xbf")  # the BOM
    table = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    header, rows = table[0], table[1:]
    assert header[0] == "Mã ca (case code)"
    assert "Họ tên (full name)" in header
    assert len(rows) == link["rows"]
    names = {r[header.index("Họ tên (full name)")] for r in rows}
    assert "Nguyễn Thị Ngọc Ánh" in names  # Vietnamese round-trips exactly
    async with sessions() as session:
        expected = await session.scalar(
            select(func.count()).select_from(Patient).where(Patient.home_commune_code == commune)
        )
    assert len(rows) == expected
    # one audit entry listing every exported id, with the personal fields
    entries = await _exports(sessions, "health.commune")
    assert len(entries) == before + 1
    assert len(entries[-1].entity_ids) == len(rows)
    assert "fullName" in entries[-1].fields


async def test_a_manager_s_export_has_no_personal_columns_and_xlsx_streams(
    client: httpx.AsyncClient, demo: SeedResult, sessions: async_sessionmaker[AsyncSession]
) -> None:
    commune = commune_of(demo, "manager.commune")
    manager = account(demo, "manager.commune")
    link = await _export(client, manager, commune, "XLSX")
    response = await _get(client, link["url"], manager)
    assert response.status_code == 200
    book = zipfile.ZipFile(io.BytesIO(response.content))
    sheet = book.read("xl/worksheets/sheet1.xml").decode("utf-8")
    assert "Mã ca (case code)" in sheet
    assert "Họ tên" not in sheet
    assert len(re.findall(r"<row ", sheet)) == int(str(link["rows"])) + 1
    [entry] = (await _exports(sessions, "manager.commune"))[-1:]
    assert entry.fields == []


async def test_the_address_is_the_caller_s_and_short_lived(
    client: httpx.AsyncClient, demo: SeedResult
) -> None:
    commune = commune_of(demo, "health.commune")
    staff = account(demo, "health.commune")
    link = await _export(client, staff, commune)
    other = account(demo, "official.commune")
    assert (await _get(client, link["url"], other)).status_code == 403
    assert (await _get(client, link["url"], None)).status_code == 401
    token = str(link["url"]).removeprefix("/exports/")
    forged = jwt.encode(
        {**jwt.decode(token, options={"verify_signature": False}), "sub": "x"}, "wrong-secret-" * 3
    )
    assert (await _get(client, f"/exports/{forged}", staff)).status_code == 404
    old = {**jwt.decode(token, options={"verify_signature": False}), "exp": 1}
    expired = await _get(client, f"/exports/{jwt.encode(old, TEST_SECRET)}", staff)
    assert expired.status_code == 404
    assert "expired" in expired.json()["errors"][0]["message"]
    # analysts do not list patients, so they do not export them
    analyst = account(demo, "analyst.commune")
    assert code_of(await gql(client, EXPORT, {"x": "CSV"}, analyst)) == "FORBIDDEN"


@pytest.fixture
async def small(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(settings.model_copy(update={"max_export_rows": 3}))
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://small") as c:
            yield c


async def test_an_export_over_the_limit_is_refused_naming_it(
    small: httpx.AsyncClient, demo: SeedResult
) -> None:
    body = await gql(small, EXPORT, {"x": "CSV"}, account(demo, "health.province"), "en")
    assert body["errors"][0]["extensions"]["field"] == "filter"
    assert "at most 3" in body["errors"][0]["message"]
