"""The Starlette application: /graphql (HTTP, GraphiQL, graphql-transport-ws), /console (the
browser console), /healthz, /readyz."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse
from starlette.routing import Mount, Route, WebSocketRoute, request_response
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL

from auth.directory import Directory
from auth.sealing import Sealer
from db.engine import asyncpg_dsn, make_engine, make_session_factory
from db.events import alert_bus, person_event_bus
from db.leader import Leadership
from db.migrate import current_revision, head_revision
from db.queries.person_events import CHANNEL as PERSON_CHANNEL
from db.queries.users import ACCOUNTS_CHANNEL
from resolvers.audit import AuditWriter
from resolvers.context import Services
from resolvers.polls import LiveStatisticsLimits
from schema import Limits, build_schema
from server.certificates import handler as certificate_page
from server.compiled import CompiledReads
from server.exports import handler as export_download
from server.floor import PatientPageFloor
from server.graphql_app import GraphQLApp
from server.jobs import Jobs
from server.limits import BodyLimit
from server.security import AuthenticationMiddleware, verifier_from
from server.settings import Settings, SettingsError
from server.webhooks import WEBHOOKS_LOCK, Dispatcher

READY_TIMEOUT_SECONDS = 3.0
CONSOLE = Path(__file__).parent / "console"  # the browser console: static files, no build step
log = logging.getLogger("f0care.app")


def create_app(settings: Settings | None = None) -> Starlette:
    """Build the application; the database URL comes from settings (DATABASE_URL)."""
    settings = settings or Settings()
    if settings.database_url is None:
        raise SettingsError("DATABASE_URL is not set")
    secret = settings.signing_secret()
    pool = settings.db_pool_size
    engine = make_engine(settings.database_url, pool_size=pool)
    reader_engine = make_engine(settings.database_url, pool_size=pool, autocommit=True)
    statistics_engine = make_engine(
        settings.database_url, pool_size=1, max_overflow=0, autocommit=True
    )
    sessions = make_session_factory(engine)
    dsn = asyncpg_dsn(settings.database_url)
    directory = Directory(sessions)
    key = settings.webhook_key.get_secret_value() if settings.webhook_key else secret
    sealer = Sealer(key)
    dispatcher = (
        Dispatcher(
            sessions, Leadership(dsn, WEBHOOKS_LOCK), sealer,
            allow_private=settings.webhook_allow_private,
            every_seconds=settings.webhook_poll_seconds,
            first_retry=timedelta(seconds=settings.webhook_first_retry_seconds),
        )
        if settings.jobs
        else None
    )  # fmt: skip

    def person_events_committed() -> None:
        person_bus.wake()
        if dispatcher is not None:
            dispatcher.wake()

    person_bus = person_event_bus(
        dsn, sessions, probe_seconds=settings.listener_probe_seconds,
        queue_size=settings.subscriber_queue_size,
    )  # fmt: skip
    bus = alert_bus(
        dsn,
        sessions,
        probe_seconds=settings.listener_probe_seconds,
        queue_size=settings.subscriber_queue_size,
        also={
            ACCOUNTS_CHANNEL: directory.accounts_changed,
            PERSON_CHANNEL: person_events_committed,
        },
    )
    jobs = Jobs.from_settings(settings, sessions, dsn) if settings.jobs else None
    limits = Limits(
        max_depth=settings.max_query_depth,
        max_aliases=settings.max_aliases,
        max_tokens=settings.max_tokens,
        introspection=settings.introspection_enabled,
    )
    schema = build_schema(limits)
    compiled = CompiledReads(schema) if settings.compiled_reads else None
    services = Services(
        compiled_events=compiled,
        sessions=sessions,
        directory=directory,
        signing_secret=secret,
        access_token_ttl=timedelta(minutes=settings.access_token_minutes),
        timezone=ZoneInfo(settings.timezone),
        report_interval=timedelta(hours=settings.report_interval_hours),
        bus=bus,
        person_bus=person_bus,
        statistics_throttle=timedelta(seconds=settings.statistics_throttle_seconds),
        readers=make_session_factory(reader_engine),
        audit_writer=AuditWriter(sessions),
        live_statistics=LiveStatisticsLimits(
            per_principal=settings.max_live_statistics_per_principal,
            areas=settings.max_live_statistics_areas,
        ),
        # one connection (and one core of PostgreSQL) at most for every live dashboard
        statistics_sessions=make_session_factory(statistics_engine),
        max_export_rows=settings.max_export_rows,
        sealer=sealer,
    )
    services.availability.watch(engine)
    services.availability.watch(reader_engine)
    services.availability.watch(statistics_engine)
    verifier = verifier_from(settings, secret)
    graphql = GraphQLApp(
        schema,
        services=services,
        verifier=verifier,
        compiled=compiled,
        graphql_ide="graphiql",
        subscription_protocols=[GRAPHQL_TRANSPORT_WS_PROTOCOL],
    )

    floor = PatientPageFloor(dsn) if settings.bench_floor else None

    def authenticated(app: ASGIApp) -> ASGIApp:
        return AuthenticationMiddleware(
            app,
            verifier=verifier,
            directory=services.directory,
            availability=services.availability,
        )

    @asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        with contextlib.suppress(Exception):  # an outage: the follower reads them later
            await directory.refresh_accounts()  # refused tokens, before the first request
        accounts = asyncio.create_task(
            directory.follow_accounts(settings.account_refresh_seconds), name="accounts"
        )
        await bus.start()
        await person_bus.start()
        if jobs is not None:
            jobs.start()
        if dispatcher is not None:
            dispatcher.start()
        # what startup built (schema, metadata, caches) lives as long as the process: keep
        # it out of the collector's full passes, which otherwise stall requests (p99)
        gc.collect()
        gc.freeze()
        try:
            yield
        finally:
            if jobs is not None:
                await jobs.stop()
            if dispatcher is not None:
                await dispatcher.stop()
            if floor is not None:
                await floor.close()
            await bus.stop()
            await person_bus.stop()
            directory.stop_following()
            with contextlib.suppress(TimeoutError, asyncio.CancelledError):
                await asyncio.wait_for(accounts, 5)
            if services.audit_writer is not None:
                await services.audit_writer.close()
            await engine.dispose()
            await reader_engine.dispose()
            await statistics_engine.dispose()

    routes = [
        Route(
            "/graphql",
            BodyLimit(
                authenticated(graphql),
                max_bytes=settings.max_body_bytes,
            ),
            methods=["GET", "POST"],
        ),
        WebSocketRoute("/graphql", graphql),
        Route("/healthz", healthz),
        Route("/certificates/{number}", certificate_page(services)),
        Route("/exports/{token}", authenticated(request_response(export_download(services)))),
        Route("/readyz", _readyz(engine)),
        Route("/", lambda _: RedirectResponse("/console/")),
        Mount("/console", StaticFiles(directory=CONSOLE, html=True), name="console"),
    ]
    if floor is not None:
        guarded = authenticated(request_response(floor))
        routes.append(Route("/bench/floor/patients", guarded))
    return Starlette(debug=settings.debug, routes=routes, lifespan=lifespan)


async def healthz(_: Request) -> JSONResponse:
    """The process is alive."""
    return JSONResponse({"status": "alive"})


def _readyz(engine: AsyncEngine) -> Callable[[Request], Awaitable[JSONResponse]]:
    head = head_revision()

    async def readyz(_: Request) -> JSONResponse:
        try:
            async with asyncio.timeout(READY_TIMEOUT_SECONDS):
                async with engine.connect() as conn:
                    revision = await current_revision(conn)
        except Exception:  # any failure to reach the database means "not ready"
            return JSONResponse({"status": "unavailable", "reason": "database unreachable"}, 503)
        if revision != head:
            reason = f"database at migration {revision}, code expects {head}"
            return JSONResponse({"status": "unavailable", "reason": reason}, 503)
        return JSONResponse({"status": "ready", "revision": revision})

    return readyz
