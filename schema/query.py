"""The root Query type."""

from __future__ import annotations

from datetime import date
from typing import Annotated

import strawberry

from domain.enums import Role
from resolvers import accounts as resolve_accounts
from resolvers import alerts as resolve_alerts
from resolvers import areas as resolve_areas
from resolvers import declarations as resolve_declarations
from resolvers import epidemiology as resolve_epidemiology
from resolvers import medication as resolve_medication
from resolvers import notify as resolve_notify
from resolvers import patients as resolve_patients
from resolvers import rehoming as resolve_rehoming
from resolvers import statistics as resolve_statistics
from resolvers import transfers as resolve_transfers
from resolvers import treatment as resolve_treatment
from resolvers import webhooks as resolve_webhooks
from resolvers.context import Context
from schema.permissions import allow, authenticated, public
from schema.selection import selected
from schema.types.account import AuditEntry, AuditFilter, User, UserFilter
from schema.types.alert_io import AlertFilter
from schema.types.area import Area, Facility, area_in
from schema.types.care import Alert
from schema.types.declaration import Declaration, DeclarationFilter
from schema.types.enums import AreaEdition, AreaLevel
from schema.types.epidemiology import Contact, ContactFilter
from schema.types.me import Me
from schema.types.medication import Drug
from schema.types.notification import (
    PersonEvent,
    Webhook,
    WebhookDelivery,
    WebhookDeliveryFilter,
)
from schema.types.pagination import Connection, connection
from schema.types.patient import Patient, PatientFilter
from schema.types.rehoming import RehomingItem
from schema.types.statistics import (
    Statistics,
    StatisticsDimension,
    StatisticsMetric,
    StatisticsRow,
    StatisticsTableFilter,
)
from schema.types.transfer import Transfer, TransferFilter
from schema.types.treatment import CertificateCheck

CONTACT_READERS = (Role.CITIZEN, Role.LOCAL_OFFICIAL, Role.HEALTH_STAFF, Role.MANAGER)
PATIENT_READERS = (
    Role.CITIZEN,
    Role.LOCAL_OFFICIAL,
    Role.HEALTH_STAFF,
    Role.HOSPITAL_STAFF,
    Role.MANAGER,
)
DECLARATION_READERS = (Role.CITIZEN, Role.SCREENING_STAFF, Role.LOCAL_OFFICIAL, Role.HEALTH_STAFF)
ALERT_HANDLERS = (Role.LOCAL_OFFICIAL, Role.HEALTH_STAFF, Role.HOSPITAL_STAFF)
STATISTICS_READERS = (
    Role.LOCAL_OFFICIAL,
    Role.HEALTH_STAFF,
    Role.MANAGER,
    Role.ANALYST,
    Role.ADMIN,
)
TRANSFER_READERS = (Role.LOCAL_OFFICIAL, Role.HEALTH_STAFF, Role.HOSPITAL_STAFF, Role.MANAGER)


@strawberry.type(description="Everything that can be read.")
class Query:
    @strawberry.field(
        description="The caller: role, area, facility, allowed operations.",
        extensions=authenticated(),
    )
    def me(self, info: strawberry.Info[Context]) -> Me:
        return Me.from_principal(info.context.principal)

    @strawberry.field(
        description="One administrative area by its official code, of an edition of the map "
        "(default: the one this deployment uses); null if unknown.",
        extensions=public(),
    )
    async def area(
        self,
        info: strawberry.Info[Context],
        code: strawberry.ID,
        edition: AreaEdition | None = None,
    ) -> Area | None:
        return await area_in(info, str(code), edition)

    @strawberry.field(
        description=(
            "Verify a recovery certificate by its number and code (anyone, e.g. an employer): "
            "valid with when, by whom, the period and the holder's initials and birth year; "
            "an unknown number and a wrong code both give `valid: false`. After 5 wrong codes "
            "for one number within 10 minutes it is refused for a while (RATE_LIMITED)."
        ),
        extensions=public(),
    )
    async def verify_certificate(
        self, info: strawberry.Info[Context], number: str, code: str
    ) -> CertificateCheck:
        found = await resolve_treatment.verify_certificate(info.context, number, code)
        return CertificateCheck(**vars(found))

    @strawberry.field(
        description="Areas of one level, optionally only those under `parentCode`, by code, of "
        "an edition of the map (default: the one in use; DISTRICT exists only in VN_2021).",
        extensions=public(),
    )
    async def areas(
        self,
        info: strawberry.Info[Context],
        level: AreaLevel,
        parent_code: strawberry.ID | None = None,
        edition: AreaEdition | None = None,
    ) -> list[Area]:
        parent = None if parent_code is None else str(parent_code)
        rows = await resolve_areas.areas(
            info.context, level=level, parent_code=parent, edition=edition
        )
        return [Area.from_model(r) for r in rows]

    @strawberry.field(
        description="Health facilities inside an area (at any depth) and of a tier, ordered by id.",
        extensions=public(),
    )
    async def facilities(
        self,
        info: strawberry.Info[Context],
        area_code: strawberry.ID | None = None,
        tier: int | None = None,
    ) -> list[Facility]:
        code = None if area_code is None else str(area_code)
        rows = await resolve_areas.facilities(info.context, area_code=code, tier=tier)
        return [Facility.from_model(r) for r in rows]

    @strawberry.field(
        description="The home-treatment drug catalogue (vn-moh-4109-2021), by code.",
        extensions=public(),
    )
    async def drugs(self, info: strawberry.Info[Context]) -> list[Drug]:
        return [Drug.from_model(r) for r in await resolve_medication.drugs(info.context)]

    @strawberry.field(
        description="One patient in the caller's scope; null when unknown or out of scope.",
        extensions=allow(*PATIENT_READERS),
    )
    async def patient(self, info: strawberry.Info[Context], id: strawberry.ID) -> Patient | None:
        row = await resolve_patients.patient(info.context, str(id))
        return None if row is None else Patient.from_model(row)

    @strawberry.field(
        description="Patients in the caller's scope, newest first; `first` 1-100 (default 20).",
        extensions=allow(*PATIENT_READERS),
    )
    async def patients(
        self,
        info: strawberry.Info[Context],
        filter: PatientFilter | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[Patient]:
        given = filter or PatientFilter()
        wanted = given.wanted()
        page = await resolve_patients.patients(
            info.context,
            wanted,
            first=first,
            after=after,
            with_total="totalCount" in selected(info),
        )
        await resolve_patients.prefetch(info.context, page.items, selected(info, "edges", "node"))
        return connection(page, "patient", Patient.from_model)

    @strawberry.field(
        description=(
            "Close contacts (F1) in the caller's scope, newest first: those living in its area, "
            "those of its cases and their contacts; a citizen, the contacts of their own case "
            "and their own contact record (once linked)."
        ),
        extensions=allow(*CONTACT_READERS),
    )
    async def contacts(
        self,
        info: strawberry.Info[Context],
        filter: ContactFilter | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[Contact]:
        given = filter or ContactFilter()
        query = await resolve_epidemiology.contact_list_query(
            info.context,
            area_code=None if given.area_code is None else str(given.area_code),
            statuses=tuple(given.status or ()),
            due_for_test=given.due_for_test,
            unchecked=given.unchecked,
            symptomatic=given.symptomatic,
        )
        page = await resolve_epidemiology.contact_page(
            info.context, query, first=first, after=after
        )
        return connection(page, "contact", Contact.from_model)

    @strawberry.field(
        description=(
            "A citizen's own events (declaration verified, SOS acknowledged, transfer, "
            "release due, reminders…), newest first, in the request's language."
        ),
        extensions=allow(Role.CITIZEN),
    )
    async def my_notifications(
        self, info: strawberry.Info[Context], first: int | None = None, after: str | None = None
    ) -> Connection[PersonEvent]:
        page = await resolve_notify.history(info.context, first=first, after=after)
        return connection(page, "notification", PersonEvent.from_model)

    @strawberry.field(
        description="After a move to a new map: the records of a province (yours, or one in "
        "your area) waiting for staff to choose their commune, oldest first.",
        extensions=allow(Role.LOCAL_OFFICIAL, Role.HEALTH_STAFF),
    )
    async def rehoming_queue(
        self, info: strawberry.Info[Context], province_code: strawberry.ID
    ) -> list[RehomingItem]:
        found = await resolve_rehoming.queue(info.context, str(province_code))
        return [RehomingItem.from_model(item) for item in found]

    @strawberry.field(
        description="The webhooks of the administrator's province.",
        extensions=allow(Role.ADMIN),
    )
    async def webhooks(self, info: strawberry.Info[Context]) -> list[Webhook]:
        return [Webhook.from_model(w) for w in await resolve_webhooks.webhooks(info.context)]

    @strawberry.field(
        description="What was sent to a webhook of the province, newest first.",
        extensions=allow(Role.ADMIN),
    )
    async def webhook_deliveries(
        self,
        info: strawberry.Info[Context],
        webhook_id: strawberry.ID,
        filter: WebhookDeliveryFilter | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[WebhookDelivery]:
        statuses = list((filter or WebhookDeliveryFilter()).status or [])
        page = await resolve_webhooks.deliveries(
            info.context, str(webhook_id), statuses, first=first, after=after
        )
        return connection(page, "delivery", WebhookDelivery.from_model)

    @strawberry.field(
        description=(
            "Accounts an administrator runs (those working inside its area), newest first."
        ),
        extensions=allow(Role.ADMIN),
    )
    async def users(
        self,
        info: strawberry.Info[Context],
        filter: UserFilter | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[User]:
        given = filter or UserFilter()
        query = await resolve_accounts.user_list_query(
            info.context,
            resolve_accounts.UserFilter(
                role=given.role,
                area_code=None if given.area_code is None else str(given.area_code),
                facility_id=None if given.facility_id is None else str(given.facility_id),
                active=given.active,
                search=given.search,
            ),
        )
        page = await resolve_accounts.user_page(info.context, query, first=first, after=after)
        return connection(page, "user", User.from_model)

    @strawberry.field(
        description=(
            "The audit log as an administrator reviews it: entries made by people working "
            "inside its area and entries about records of its area, newest first. Every "
            "review is itself an entry (READ_AUDIT_LOG, with its filter)."
        ),
        extensions=allow(Role.ADMIN),
    )
    async def audit_log(
        self,
        info: strawberry.Info[Context],
        filter: AuditFilter | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[AuditEntry]:
        given = filter or AuditFilter()
        wanted = resolve_accounts.AuditFilter(
            actor=given.actor, role=given.role, entity=given.entity, entity_id=given.entity_id,
            action=given.action, since=given.from_, until=given.to,
        )  # fmt: skip
        page = await resolve_accounts.audit_log(info.context, wanted, first=first, after=after)
        return connection(page, "audit", AuditEntry.from_model)

    @strawberry.field(
        description="One account the administrator runs; null when unknown or not theirs.",
        extensions=allow(Role.ADMIN),
    )
    async def user(self, info: strawberry.Info[Context], id: strawberry.ID) -> User | None:
        row = await resolve_accounts.user(info.context, str(id))
        return None if row is None else User.from_model(row)

    @strawberry.field(
        description="One close contact in the caller's scope; null when unknown or out of scope.",
        extensions=allow(*CONTACT_READERS),
    )
    async def contact(self, info: strawberry.Info[Context], id: strawberry.ID) -> Contact | None:
        row = await resolve_epidemiology.contact(info.context, str(id))
        return None if row is None else Contact.from_model(row)

    @strawberry.field(
        description="One declaration in the caller's scope; null when unknown or out of scope.",
        extensions=allow(*DECLARATION_READERS),
    )
    async def declaration(
        self, info: strawberry.Info[Context], id: strawberry.ID
    ) -> Declaration | None:
        row = await resolve_declarations.declaration(info.context, str(id))
        return None if row is None else Declaration.from_model(row)

    @strawberry.field(
        description=(
            "Declarations in the caller's scope, newest first: the commune's for officials and "
            "health staff, the facility's for screening staff, a citizen's own."
        ),
        extensions=allow(*DECLARATION_READERS),
    )
    async def declarations(
        self,
        info: strawberry.Info[Context],
        filter: DeclarationFilter | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[Declaration]:
        given = filter or DeclarationFilter()
        query = await resolve_declarations.list_query(
            info.context,
            area_code=None if given.area_code is None else str(given.area_code),
            statuses=tuple(given.status or ()),
            kind=given.kind,
            tested_from=given.tested_from,
            tested_to=given.tested_to,
        )
        page = await resolve_declarations.declarations(
            info.context, query=query, first=first, after=after
        )
        return connection(page, "declaration", Declaration.from_model)

    @strawberry.field(
        description=(
            "Tier transfers of the patients in the caller's scope (for a hospital: held there "
            "or coming), newest first."
        ),
        extensions=allow(*TRANSFER_READERS),
    )
    async def transfers(
        self,
        info: strawberry.Info[Context],
        filter: TransferFilter | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[Transfer]:
        given = filter or TransferFilter()
        query = await resolve_transfers.list_query(
            info.context,
            area_code=None if given.area_code is None else str(given.area_code),
            statuses=tuple(given.status or ()),
            facility_id=None if given.facility_id is None else str(given.facility_id),
        )
        page = await resolve_transfers.transfers(
            info.context, query=query, first=first, after=after
        )
        return connection(page, "transfer", Transfer.from_model)

    @strawberry.field(
        description="Alerts of the patients in the caller's scope, newest first.",
        extensions=allow(Role.CITIZEN, *ALERT_HANDLERS),
    )
    async def alerts(
        self,
        info: strawberry.Info[Context],
        filter: AlertFilter | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[Alert]:
        given = filter or AlertFilter()
        query = await resolve_alerts.list_query(
            info.context,
            area_code=None if given.area_code is None else str(given.area_code),
            statuses=tuple(given.status or ()),
            kinds=tuple(given.kind or ()),
        )
        page = await resolve_alerts.alerts(info.context, query=query, first=first, after=after)
        return connection(page, "alert", Alert.from_model)

    @strawberry.field(
        description=(
            "Figures of an area inside the caller's own (default: the caller's area) for local "
            "days `from`..`to` (default: the last 30 days). Never personal data; analysts get "
            "commune-level counts of 1–4 as null."
        ),
        extensions=allow(*STATISTICS_READERS),
    )
    async def statistics(
        self,
        info: strawberry.Info[Context],
        area_code: strawberry.ID | None = None,
        from_: Annotated[date | None, strawberry.argument(name="from")] = None,
        to: date | None = None,
    ) -> Statistics:
        figures = await resolve_statistics.statistics(
            info.context,
            area_code=None if area_code is None else str(area_code),
            first_day=from_,
            last_day=to,
        )
        return Statistics.from_figures(figures)

    @strawberry.field(
        description=(
            "The same figures as a flat table for BI tools (Grafana, Power BI, Metabase): one "
            "row per metric and combination of dimensions. PATIENTS counts current patients "
            "(by AREA, STATUS, TIER); the other metrics count events per local day (DATE) too. "
            "Analysts get commune-level counts of 1–4 as null."
        ),
        extensions=allow(*STATISTICS_READERS),
    )
    async def statistics_table(
        self,
        info: strawberry.Info[Context],
        metrics: list[StatisticsMetric],
        dimensions: list[StatisticsDimension] | None = None,
        filter: StatisticsTableFilter | None = None,
    ) -> list[StatisticsRow]:
        given = filter or StatisticsTableFilter()
        rows = await resolve_statistics.table(
            info.context,
            metrics=[m.value for m in metrics],
            dimensions=[d.value for d in dimensions or ()],
            area_code=None if given.area_code is None else str(given.area_code),
            first_day=given.from_,
            last_day=given.to,
        )
        return [StatisticsRow.from_row(r) for r in rows]
