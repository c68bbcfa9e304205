"""The root Subscription type (graphql-transport-ws on /graphql)."""

from __future__ import annotations

from collections.abc import AsyncGenerator

import strawberry

from domain.enums import Role
from resolvers import alerts as resolve_alerts
from resolvers import notify as resolve_notify
from resolvers import statistics as resolve_statistics
from resolvers.context import Context
from schema.permissions import allow
from schema.query import ALERT_HANDLERS, STATISTICS_READERS
from schema.types.alert_io import AlertEvent
from schema.types.notification import PersonEvent
from schema.types.statistics import Statistics


@strawberry.type(description="Live updates.")
class Subscription:
    @strawberry.subscription(
        description=(
            "Alert events for the caller: alerts of its area once they have escalated to its "
            "level (commune staff at once, district and province staff when unanswered), or "
            "of patients at its facility. With `afterId`, first every event after that id, "
            "in order, then live — no gap, no duplicate."
        ),
        extensions=allow(*ALERT_HANDLERS),
    )
    async def alert_events(
        self, info: strawberry.Info[Context], after_id: strawberry.ID | None = None
    ) -> AsyncGenerator[AlertEvent, None]:
        start = None if after_id is None else str(after_id)
        async for row in resolve_alerts.events(info.context, start):
            yield AlertEvent.from_row(row)

    @strawberry.subscription(
        description=(
            "A citizen's own events as they happen (the same as myNotifications), in the "
            "connection's language. With `afterId`, first every event after that id, in order, "
            "then live — no gap, no duplicate."
        ),
        extensions=allow(Role.CITIZEN),
    )
    async def my_events(
        self, info: strawberry.Info[Context], after_id: strawberry.ID | None = None
    ) -> AsyncGenerator[PersonEvent, None]:
        start = None if after_id is None else str(after_id)
        async for row in resolve_notify.feed(info.context, start):
            yield PersonEvent.from_model(row)

    @strawberry.subscription(
        description=(
            "The `statistics` of an area (default: the caller's) now, then a fresh snapshot "
            "whenever its figures change, at most once per 5 seconds (F0CARE_STATISTICS_"
            "THROTTLE_SECONDS). Same rules as `statistics`, last 30 days."
        ),
        extensions=allow(*STATISTICS_READERS),
    )
    async def statistics_updates(
        self, info: strawberry.Info[Context], area_code: strawberry.ID | None = None
    ) -> AsyncGenerator[Statistics, None]:
        code = None if area_code is None else str(area_code)
        async for figures in resolve_statistics.updates(info.context, area_code=code):
            yield Statistics.from_figures(figures)
