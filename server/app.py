"""The Starlette application: /graphql (HTTP, GraphiQL, graphql-transport-ws), /healthz, /readyz."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route, WebSocketRoute
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL

from db.engine import make_engine, make_session_factory
from db.migrate import current_revision, head_revision
from resolvers.context import Context
from schema import build_schema
from server.settings import Settings, SettingsError

READY_TIMEOUT_SECONDS = 3.0


class GraphQLApp(GraphQL[Context, None]):
    """strawberry's ASGI view with f0care's typed context."""

    async def get_context(self, request: Request | WebSocket, response: object) -> Context:
        return Context(sessions=request.app.state.sessions)


def create_app(settings: Settings | None = None) -> Starlette:
    """Build the application; the database URL comes from settings (DATABASE_URL)."""
    settings = settings or Settings()
    if settings.database_url is None:
        raise SettingsError("DATABASE_URL is not set")
    database_url = settings.database_url
    head = head_revision()

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        engine = make_engine(database_url)
        app.state.engine = engine
        app.state.sessions = make_session_factory(engine)
        try:
            yield
        finally:
            await engine.dispose()

    async def healthz(_: Request) -> JSONResponse:
        return JSONResponse({"status": "alive"})

    async def readyz(request: Request) -> JSONResponse:
        try:
            async with asyncio.timeout(READY_TIMEOUT_SECONDS):
                async with request.app.state.engine.connect() as conn:
                    revision = await current_revision(conn)
        except Exception:  # any failure to reach the database means "not ready"
            return JSONResponse({"status": "unavailable", "reason": "database unreachable"}, 503)
        if revision != head:
            reason = f"database at migration {revision}, code expects {head}"
            return JSONResponse({"status": "unavailable", "reason": reason}, 503)
        return JSONResponse({"status": "ready", "revision": revision})

    graphql = GraphQLApp(
        build_schema(),
        graphql_ide="graphiql",
        subscription_protocols=[GRAPHQL_TRANSPORT_WS_PROTOCOL],
    )
    routes = [
        Route("/graphql", graphql, methods=["GET", "POST"]),
        WebSocketRoute("/graphql", graphql),
        Route("/healthz", healthz),
        Route("/readyz", readyz),
    ]
    return Starlette(debug=settings.debug, routes=routes, lifespan=lifespan)
