"""The audit log: every write and every read of personal data."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, Text, and_, cast, func, insert, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from db.base import Base
from db.models import AuditEntry, Contact, Declaration, Patient
from db.queries.pagination import keyset_page
from db.scope import audit_visible
from domain.enums import Role
from domain.paging import Page
from domain.scope import Scope

LOGIN_FAILED = "LOGIN_FAILED"
READ_PERSONAL = "READ_PERSONAL"  # personal fields of the rows named were returned


@dataclass(frozen=True)
class Row:
    """One audit row to append."""

    subject: str
    role: Role | None
    action: str
    entity: str
    entity_ids: Sequence[str] = ()
    fields: Sequence[str] = ()
    detail: str | None = None
    organisation: str | None = None


async def record_many(session: AsyncSession, rows: Sequence[Row]) -> None:
    """Append audit rows in one statement, in the caller's transaction."""
    await session.execute(
        insert(AuditEntry),
        [
            {
                "subject": row.subject,
                "role": row.role,
                "action": row.action,
                "entity": row.entity,
                "entity_ids": list(row.entity_ids),
                "fields": list(row.fields),
                "detail": row.detail,
                "organisation": row.organisation,
            }
            for row in rows
        ],
    )


_INSERT_ENTRY = insert(Base.metadata.tables["audit_log"])  # built once; values bound per row


async def record(
    session: AsyncSession,
    *,
    subject: str,
    role: Role | None,
    action: str,
    entity: str,
    entity_ids: Sequence[str] = (),
    fields: Sequence[str] = (),
    detail: str | None = None,
    organisation: str | None = None,
) -> None:
    """Append one audit row in the caller's transaction."""
    values = {
        "subject": subject,
        "role": role,
        "action": action,
        "entity": entity,
        "entity_ids": list(entity_ids),
        "fields": list(fields),
        "detail": detail,
        "organisation": organisation,
    }
    await session.execute(_INSERT_ENTRY, values)


CERTIFICATE_CHECK_FAILED = "CERTIFICATE_CHECK_FAILED"
CONTACT_LINK_FAILED = "CONTACT_LINK_FAILED"


def certificate_subject(number: str) -> str:
    """The subject of a failed check (like a failed login's: what was tried, so that the
    count uses the subject index)."""
    return f"certificate:{number}"


async def failures_since(
    session: AsyncSession, *, subject: str, action: str, since: datetime
) -> int:
    """How many failures (`action`: a failed login, a wrong certificate or link code) were
    recorded for `subject` after `since`."""
    stmt = (
        select(func.count())
        .select_from(AuditEntry)
        .where(AuditEntry.subject == subject, AuditEntry.action == action, AuditEntry.at > since)
    )
    return (await session.scalar(stmt)) or 0


async def accesses_of(
    session: AsyncSession, *, subject: str, first: int, after_id: int | None
) -> Page[AuditEntry]:
    """Reads of a citizen's personal data by others, newest first: their patient record,
    their declarations and their own contact record."""
    own = {
        "patient": select(cast(Patient.id, Text)).where(Patient.citizen_subject == subject),
        "declaration": select(cast(Declaration.id, Text)).where(
            Declaration.citizen_subject == subject
        ),
        "contact": select(cast(Contact.id, Text)).where(Contact.citizen_subject == subject),
    }
    about = [
        and_(
            AuditEntry.entity == entity,
            AuditEntry.entity_ids.overlap(func.array(ids.scalar_subquery())),
        )
        for entity, ids in own.items()
    ]
    conditions = [
        AuditEntry.action == READ_PERSONAL,
        AuditEntry.subject != subject,  # not their own reads
        or_(*about),
    ]
    return await keyset_page(session, AuditEntry, conditions, first=first, after_id=after_id)


@dataclass(frozen=True)
class AuditQuery:
    """Filters of the audit review."""

    actor: str | None = None
    role: Role | None = None
    entity: str | None = None
    entity_id: str | None = None
    action: str | None = None
    since: datetime | None = None  # inclusive
    until: datetime | None = None  # exclusive


async def audit_page(
    session: AsyncSession, *, scope: Scope, query: AuditQuery, first: int, after_id: int | None
) -> Page[AuditEntry]:
    """A page of the audit entries the scope reviews, newest first."""
    conditions = audit_conditions(scope, query)
    return await keyset_page(session, AuditEntry, conditions, first=first, after_id=after_id)


def audit_conditions(scope: Scope, query: AuditQuery) -> list[ColumnElement[bool]]:
    """The WHERE conditions of the audit review: the scope and every given filter."""
    conditions = [audit_visible(scope)]
    if query.actor is not None:
        conditions.append(AuditEntry.subject == query.actor)
    if query.role is not None:
        conditions.append(AuditEntry.role == query.role)
    if query.entity is not None:
        conditions.append(AuditEntry.entity == query.entity)
    if query.entity_id is not None:
        conditions.append(AuditEntry.entity_ids.contains([query.entity_id]))
    if query.action is not None:
        conditions.append(AuditEntry.action == query.action)
    if query.since is not None:
        conditions.append(AuditEntry.at >= query.since)
    if query.until is not None:
        conditions.append(AuditEntry.at < query.until)
    return conditions
