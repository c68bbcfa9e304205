"""Compiled reads, resolved: a root field's arguments checked and turned into the same
query the generic path builds (the same errors, the same rows), then the plan read in one
statement (`db.compiled`)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any

from db.compiled import Answer, PageQuery, read_list, read_object, read_page, read_snapshot
from db.queries.areas import AreaQuery, FacilityQuery
from db.queries.audit import AuditQuery
from db.queries.medication import DrugQuery
from db.queries.person_events import PersonEventQuery
from db.readplan import RootPlan
from domain.enums import (
    AlertKind,
    AlertStatus,
    AreaEdition,
    AreaLevel,
    ContactStatus,
    DeclarationKind,
    DeclarationStatus,
    PatientStatus,
    Role,
    Severity,
    TransferStatus,
)
from domain.text import rule
from resolvers import (
    accounts,
    alerts,
    areas,
    audit,
    declarations,
    epidemiology,
    filters,
    patients,
    transfers,
)
from resolvers.context import Context
from resolvers.errors import BadUserInput
from resolvers.ids import parse_id
from resolvers.pagination import decode_cursor, page_size


async def compiled(ctx: Context, plan: RootPlan, arguments: dict[str, Any]) -> Answer | None:
    """The root field of `plan` with its (coerced) `arguments`, in one statement with its
    audit rows; None when the generic executor answers (areas of an edition of the map not
    in use: reference data outside `areas`)."""
    scope, who, today = ctx.principal.scope, audit.reader(ctx), ctx.services.today()
    if plan.field in ("area", "areas"):
        edition = arguments.get("edition")
        if await areas.other_edition(ctx, None if edition is None else AreaEdition(edition)):
            return None
    if plan.form == "object":
        key = str(arguments["code"]) if plan.field == "area" else parse_id(str(arguments["id"]))
        if key is None:
            return Answer("null", 0)  # an id that cannot exist: nothing, as for any other
        async with ctx.readers() as session:
            return await read_object(session, plan, scope=scope, key=key, reader=who, today=today)
    if plan.form == "list":
        listed: AreaQuery | FacilityQuery | DrugQuery
        if plan.field == "areas":
            listed = await areas.area_query(
                ctx,
                level=AreaLevel(arguments["level"]),
                parent_code=_text(arguments.get("parentCode")),
                edition=None,  # the edition in use (another one was left to the generic path)
            )
        elif plan.field == "drugs":
            listed = DrugQuery()
        else:
            tier = filters.tier("tier", arguments.get("tier"))
            listed = FacilityQuery(_text(arguments.get("areaCode")), tier)
        async with ctx.readers() as session:
            return await read_list(
                session, plan, scope=scope, query=listed, reader=who, today=today
            )
    query = await _page_query(ctx, plan.field, arguments.get("filter") or {})
    if isinstance(query, AuditQuery):  # a review of the audit log is itself an entry
        who = replace(who, detail=accounts.review_detail(query))
    size = page_size(arguments.get("first"))
    after_id = decode_cursor(arguments.get("after"), plan.kind)
    async with ctx.readers() as session:
        return await read_page(
            session,
            plan,
            scope=scope,
            query=query,
            first=size,
            after_id=after_id,
            reader=who,
            today=today,
        )


async def snapshot(ctx: Context, plan: RootPlan, row: object) -> tuple[str, audit.PersonalReads]:
    """An event's object from the snapshot `row` it carries, read in one statement for
    `ctx`'s scope; and the personal reads to audit for each subscriber it reaches."""
    async with ctx.readers() as session:
        json, reached = await read_snapshot(
            session,
            plan,
            scope=ctx.principal.scope,
            row=row,
            today=ctx.services.today(),
            language=ctx.language,
        )
    reads = audit.PersonalReads()
    for rows in reached:
        for entity_id in rows.ids:
            for name in rows.fields:
                reads.add(rows.entity, entity_id, name)
    return json, reads


async def _page_query(ctx: Context, field: str, given: dict[str, Any]) -> PageQuery:
    """The filter of a connection root, as its generic resolver builds it."""
    area = _text(given.get("areaCode"))
    if field == "patients":
        return await patients.list_query(
            ctx,
            patients.PatientListFilter(
                area_code=area,
                statuses=tuple(PatientStatus(s) for s in given.get("status") or ()),
                severities=tuple(Severity(s) for s in given.get("severity") or ()),
                tier=given.get("tier"),
                facility_id=_text(given.get("facilityId")),
                report_overdue=given.get("reportOverdue"),
                search=given.get("search"),
                release_due=given.get("releaseDue"),
            ),
        )
    if field == "myNotifications":
        return PersonEventQuery(ctx.principal.subject)
    statuses = tuple(given.get("status") or ())
    if field == "auditLog":
        role = given.get("role")
        return accounts.audit_query(
            accounts.AuditFilter(
                actor=given.get("actor"),
                role=None if role is None else Role(role),
                entity=given.get("entity"),
                entity_id=given.get("entityId"),
                action=given.get("action"),
                since=given.get("from"),
                until=given.get("to"),
            )  # fmt: skip
        )
    if field == "users":
        return await accounts.user_list_query(
            ctx,
            accounts.UserFilter(
                role=None if given.get("role") is None else Role(given["role"]),
                area_code=area,
                facility_id=_text(given.get("facilityId")),
                active=given.get("active"),
                search=given.get("search"),
            ),
        )
    if field == "contacts":
        return await epidemiology.contact_list_query(
            ctx,
            area_code=area,
            statuses=tuple(ContactStatus(s) for s in statuses),
            due_for_test=given.get("dueForTest"),
            unchecked=given.get("unchecked"),
            symptomatic=given.get("symptomatic"),
        )
    if field == "declarations":
        return await declarations.list_query(
            ctx,
            area_code=area,
            statuses=tuple(DeclarationStatus(s) for s in statuses),
            kind=None if given.get("kind") is None else DeclarationKind(given["kind"]),
            tested_from=_date(given.get("testedFrom")),
            tested_to=_date(given.get("testedTo")),
        )
    if field == "transfers":
        return await transfers.list_query(
            ctx,
            area_code=area,
            statuses=tuple(TransferStatus(s) for s in statuses),
            facility_id=_text(given.get("facilityId")),
        )
    return await alerts.list_query(
        ctx,
        area_code=area,
        statuses=tuple(AlertStatus(s) for s in statuses),
        kinds=tuple(AlertKind(k) for k in given.get("kind") or ()),
    )


def _text(value: object) -> str | None:
    return None if value is None else str(value)


def _date(value: object) -> date | None:
    """A Date argument: the SDL-built schema hands it over as the string it got."""
    try:
        return None if value is None else date.fromisoformat(str(value))
    except ValueError:
        raise BadUserInput("Date", rule("must be a date, YYYY-MM-DD")) from None
