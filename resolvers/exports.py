"""The line-list export: `exportPatients` checks the filter and the size and answers a
signed download address (10 minutes, for the principal who asked); the download streams
the file — CSV in UTF-8 with a BOM (Excel then reads Vietnamese right) or XLSX written in
XlsxWriter's constant-memory mode — with the columns the principal's role may read, and
is one audit entry listing every exported id."""

from __future__ import annotations

import contextlib
import csv
import io
import os
import tempfile
from collections.abc import AsyncIterator, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime, timedelta
from enum import Enum
from typing import Any

import jwt
import xlsxwriter

from db.queries import exports as queries
from domain.enums import PERSONAL_DATA_ROLES, PatientStatus, Severity
from domain.text import rule
from resolvers import patients
from resolvers.context import Context
from resolvers.errors import BadUserInput

LIFETIME = timedelta(minutes=10)
TICKET = "f0care-export"  # the `typ` of a download token: nothing else is one
FORMATS = ("CSV", "XLSX")
CHUNK = 64 * 1024  # bytes sent at a time
# column headers for people: Vietnamese first
HEADERS = {
    "caseCode": "Mã ca (case code)",
    "status": "Tình trạng (status)",
    "tier": "Tầng (tier)",
    "severity": "Mức độ (severity)",
    "homeCommune": "Xã/phường (commune)",
    "facility": "Cơ sở điều trị (facility)",
    "confirmedAt": "Ngày xác nhận (confirmed)",
    "releaseDueOn": "Đủ điều kiện kết thúc cách ly từ (release due)",
    "fullName": "Họ tên (full name)",
    "dateOfBirth": "Ngày sinh (date of birth)",
    "sex": "Giới tính (sex)",
    "phone": "Điện thoại (phone)",
    "nationalId": "Số CCCD/CMND (national ID)",
    "address": "Địa chỉ (address)",
}


class InvalidTicket(Exception):
    """A download address that is not (or no longer) valid; the message says why."""


@dataclass(frozen=True)
class ExportLink:
    url: str
    expires_at: datetime
    rows: int
    format: str


async def create_export(ctx: Context, given: patients.PatientListFilter, fmt: str) -> ExportLink:
    """Check the filter (as the list does) and the size; a signed address to download."""
    query = await patients.list_query(ctx, given)
    async with ctx.readers() as session:
        found = await queries.count(session, scope=ctx.principal.scope, query=query)
    limit = ctx.services.max_export_rows
    if found > limit:
        raise BadUserInput(
            "filter",
            rule("matches {0} patients; at most {1} can be exported: narrow it", found, limit),
        )
    expires = datetime.now(UTC).replace(microsecond=0) + LIFETIME
    payload = {
        "typ": TICKET,
        "sub": ctx.principal.subject,
        "fmt": fmt,
        "filter": _plain(asdict(given)),
        "exp": int(expires.timestamp()),
    }
    token = jwt.encode(payload, ctx.services.signing_secret, algorithm="HS256")
    return ExportLink(f"/exports/{token}", expires, found, fmt)


def _plain(value: Any) -> Any:
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


@dataclass(frozen=True)
class Ticket:
    """What a download address grants: whose it is, what filter, which format."""

    subject: str
    given: patients.PatientListFilter
    fmt: str


def read_ticket(token: str, secret: str) -> Ticket:
    """The ticket of a download address; InvalidTicket when forged, altered or expired."""
    try:
        payload = jwt.decode(token, secret, algorithms=["HS256"], options={"require": ["exp"]})
    except jwt.ExpiredSignatureError:
        raise InvalidTicket("the download address expired: export again") from None
    except jwt.PyJWTError:
        raise InvalidTicket("not a download address of this server") from None
    if payload.get("typ") != TICKET or payload.get("fmt") not in FORMATS:
        raise InvalidTicket("not a download address of this server")
    raw = payload.get("filter") or {}
    given = patients.PatientListFilter(
        area_code=raw.get("area_code"),
        statuses=tuple(PatientStatus(s) for s in raw.get("statuses") or ()),
        severities=tuple(Severity(s) for s in raw.get("severities") or ()),
        tier=raw.get("tier"),
        facility_id=raw.get("facility_id"),
        report_overdue=raw.get("report_overdue"),
        search=raw.get("search"),
        release_due=raw.get("release_due"),
    )
    return Ticket(str(payload.get("sub")), given, str(payload["fmt"]))


def file_name(ticket: Ticket, today: date) -> str:
    return f"f0care-patients-{today.isoformat()}.{ticket.fmt.lower()}"


async def stream(ctx: Context, ticket: Ticket) -> AsyncIterator[bytes]:
    """The file, a chunk at a time. The audit entry is written (and committed) first:
    whatever reaches the client was recorded."""
    query = await patients.list_query(ctx, ticket.given)
    personal = ctx.principal.role in PERSONAL_DATA_ROLES
    names = [n for n, _ in queries.COLUMNS] + ([n for n, _ in queries.PERSONAL] if personal else [])
    async with ctx.sessions.begin() as session:
        await queries.audit_export(
            session,
            scope=ctx.principal.scope,
            query=query,
            subject=ctx.principal.subject,
            role=ctx.principal.role,
            organisation=ctx.principal.organisation,
            fields=[n for n, _ in queries.PERSONAL] if personal else [],
            detail=f"{ticket.fmt} {_plain(asdict(ticket.given))}",
        )
    zone = ctx.services.timezone
    async with ctx.sessions.begin() as session:  # a cursor lives in a transaction
        rows = queries.rows(session, scope=ctx.principal.scope, query=query, personal=personal)
        values = (_cells(row, zone) async for row in rows)
        header = [HEADERS[n] for n in names]
        chunks = _csv(header, values) if ticket.fmt == "CSV" else _xlsx(header, values)
        async for chunk in chunks:
            yield chunk


def _cells(row: Sequence[Any], zone: Any) -> list[Any]:
    cells = []
    for value in row:
        if isinstance(value, Enum):
            value = value.value
        elif isinstance(value, datetime):
            value = value.astimezone(zone).strftime("%Y-%m-%d %H:%M")
        elif isinstance(value, date):
            value = value.isoformat()
        cells.append("" if value is None else value)
    return cells


async def _csv(header: list[str], rows: AsyncIterator[list[Any]]) -> AsyncIterator[bytes]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write("\ufeff")  # the BOM: Excel reads the file as UTF-8
    writer.writerow(header)
    async for row in rows:
        writer.writerow(row)
        if buffer.tell() >= CHUNK:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode("utf-8")


async def _xlsx(header: list[str], rows: AsyncIterator[list[Any]]) -> AsyncIterator[bytes]:
    """XLSX through a temporary file: XlsxWriter's constant-memory mode keeps one row in
    memory and writes the rest to disk; the file is then sent in chunks and removed."""
    handle, path = tempfile.mkstemp(suffix=".xlsx")
    os.close(handle)
    try:
        book = xlsxwriter.Workbook(path, {"constant_memory": True, "tmpdir": tempfile.gettempdir()})
        sheet = book.add_worksheet("F0")
        sheet.write_row(0, 0, header)
        line = 1
        async for row in rows:
            sheet.write_row(line, 0, row)
            line += 1
        book.close()
        with open(path, "rb") as file:  # noqa: ASYNC230 - local temporary file, chunked
            while chunk := file.read(CHUNK):
                yield chunk
    finally:
        with contextlib.suppress(OSError):
            os.unlink(path)
