"""Webhooks of the province's channels, run by the province's administrators: register
(the signing secret shown once), list, change, switch off, rotate the secret, see the
deliveries, replay events."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from auth.sealing import Sealer
from db.models import Webhook, WebhookDelivery
from db.queries import webhooks as queries
from domain import intake
from domain import webhooks as rules
from domain.enums import AreaLevel
from domain.paging import Page
from domain.text import Texts, rule
from resolvers.audit import log_change
from resolvers.context import Context
from resolvers.errors import BadUserInput, Forbidden, InvalidInput, NotFound
from resolvers.ids import parse_id, shown
from resolvers.pagination import decode_cursor, page_size
from resolvers.streams import event_id

MAX_DESCRIPTION = 500
STATUSES = (queries.PENDING, queries.DELIVERED, queries.FAILED)


@dataclass(frozen=True)
class Registered:
    webhook: Webhook
    secret: str  # shown once


def _province(ctx: Context) -> str:
    """The administrator's province: webhooks are the province's."""
    area = ctx.principal.area
    if area is None or area.level is not AreaLevel.PROVINCE:
        raise Forbidden("webhooks are run by the administrators of a province")
    return area.code


def _sealer(ctx: Context) -> Sealer:
    if ctx.services.sealer is None:  # the server always makes one
        raise LookupError("the server has no key for webhook secrets")
    return ctx.services.sealer


def _checked(
    url: str | None, events: list[str] | None, description: str | None
) -> tuple[str | None, list[str] | None, str | None]:
    problems: list[tuple[str, Texts]] = []
    if url is not None:
        url = url.strip()
        if (problem := rules.url_problem(url)) is not None:
            problems.append(("input.url", problem))
    if events is not None:
        events = sorted(set(events))
        if (problem := rules.events_problem(events)) is not None:
            problems.append(("input.events", problem))
    if description is not None:
        description = intake.clean_text(description) or None
        if description and len(description) > MAX_DESCRIPTION:
            problems.append(
                ("input.description", rule("must be at most {0} characters", MAX_DESCRIPTION))
            )
    if problems:
        raise InvalidInput(problems)
    return url, events, description


async def register(
    ctx: Context, url: str, events: list[str], description: str | None
) -> Registered:
    """A new webhook of the administrator's province, for events from now on."""
    province = _province(ctx)
    cleaned_url, kinds, text = _checked(url, events, description)
    if cleaned_url is None or kinds is None:  # both were given
        raise LookupError("a checked webhook input lost its address or events")
    secret = rules.new_secret()
    sealer = _sealer(ctx)
    async with ctx.sessions.begin() as session:
        webhook = await queries.add_webhook(
            session, province_code=province, url=cleaned_url, events=kinds, description=text,
            secret_encrypted=sealer.seal(secret), created_by=ctx.principal.subject,
            queued_through=await queries.newest_event(session),
        )  # fmt: skip
        await _audit(session, ctx, "REGISTER_WEBHOOK", webhook)
    return Registered(webhook, secret)


async def _audit(session: AsyncSession, ctx: Context, action: str, webhook: Webhook) -> None:
    await log_change(
        session, ctx, action=action, entity="webhook", entity_ids=[str(webhook.id)],
        detail=webhook.url,
    )  # fmt: skip


async def _mine(session: AsyncSession, ctx: Context, webhook_id: str) -> Webhook:
    province = _province(ctx)
    row_id = parse_id(webhook_id)
    found = None
    if row_id is not None:
        found = await queries.webhook_of(
            session, webhook_id=row_id, province_code=province, for_update=True
        )
    if found is None:
        raise NotFound(f"webhook {shown(webhook_id)} not found")
    return found


async def webhooks(ctx: Context) -> list[Webhook]:
    async with ctx.readers() as session:
        return await queries.webhooks_of(session, _province(ctx))


async def update(
    ctx: Context,
    webhook_id: str,
    url: str | None,
    events: list[str] | None,
    description: str | None,
    active: bool | None,
) -> Webhook:
    """Change a webhook's address, events, description, or switch it on/off."""
    cleaned_url, kinds, text = _checked(url, events, description)
    async with ctx.sessions.begin() as session:
        webhook = await _mine(session, ctx, webhook_id)
        if cleaned_url is not None:
            webhook.url = cleaned_url
        if kinds is not None:
            webhook.events = kinds
        if description is not None:
            webhook.description = text
        if active is not None:
            webhook.active = active
        await _audit(session, ctx, "UPDATE_WEBHOOK", webhook)
    return webhook


async def rotate(ctx: Context, webhook_id: str) -> Registered:
    """A new signing secret (shown once); the old one stops signing now."""
    secret = rules.new_secret()
    sealer = _sealer(ctx)
    async with ctx.sessions.begin() as session:
        webhook = await _mine(session, ctx, webhook_id)
        webhook.secret_encrypted = sealer.seal(secret)
        await _audit(session, ctx, "ROTATE_WEBHOOK_SECRET", webhook)
    return Registered(webhook, secret)


async def deliveries(
    ctx: Context, webhook_id: str, statuses: list[str], *, first: int | None, after: str | None
) -> Page[WebhookDelivery]:
    wrong = sorted(set(statuses) - set(STATUSES))
    if wrong:
        raise BadUserInput(
            "filter.status", rule("unknown {0}; known: {1}", ", ".join(wrong), ", ".join(STATUSES))
        )
    async with ctx.sessions() as session:
        webhook = await _mine(session, ctx, webhook_id)
        return await queries.deliveries(
            session, webhook_id=webhook.id, statuses=tuple(statuses),
            first=page_size(first), after_id=decode_cursor(after, "delivery"),
        )  # fmt: skip


async def redeliver(ctx: Context, webhook_id: str, after_event_id: str) -> int:
    """Deliver again the webhook's events after `after_event_id`; how many."""
    broken = rule("must be the id of an event (digits), or 0")
    after = event_id("afterEventId", after_event_id, broken)
    async with ctx.sessions.begin() as session:
        webhook = await _mine(session, ctx, webhook_id)
        count = await queries.redeliver(session, webhook, after)
        await _audit(session, ctx, "REDELIVER_WEBHOOK_EVENTS", webhook)
    return count
