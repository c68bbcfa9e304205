"""strawberry's ASGI view with f0care's typed context, WebSocket authentication and the
GraphQL-over-HTTP status codes for clients that accept application/graphql-response+json."""

from __future__ import annotations

from typing import Any

import orjson
from graphql import GraphQLError, GraphQLSyntaxError
from starlette.requests import Request
from starlette.responses import Response
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.exceptions import ConnectionRejectionError
from strawberry.http import GraphQLHTTPResponse
from strawberry.types.execution import ExecutionResult
from strawberry.types.unset import UnsetType

from auth.authenticate import authenticate
from auth.principal import Principal
from auth.tokens import InvalidToken, TokenVerifier
from resolvers.context import Context, Services

GRAPHQL_RESPONSE = "application/graphql-response+json"


class GraphQLApp(GraphQL[Context, None]):
    """The /graphql endpoint."""

    def __init__(
        self, *args: Any, services: Services, verifier: TokenVerifier, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.services = services
        self.verifier = verifier

    async def get_context(self, request: Request | WebSocket, response: Any) -> Context:
        if isinstance(request, WebSocket):
            # authenticated in on_ws_connect
            return Context(services=self.services, websocket=request)
        request.state.sub_response = response
        principal = request.scope.get("state", {}).get("principal", Principal.anonymous())
        return Context(services=self.services, principal=principal)

    async def on_ws_connect(self, context: Context) -> UnsetType | dict[str, object] | None:
        params = context.connection_params or {}
        header = params.get("authorization", params.get("Authorization"))
        if not isinstance(header, str):
            raise ConnectionRejectionError
        try:
            principal = await authenticate(
                header, verifier=self.verifier, directory=self.services.directory
            )
        except InvalidToken:
            raise ConnectionRejectionError from None
        if not principal.authenticated:
            raise ConnectionRejectionError
        context.principal = principal
        return None

    def encode_json(self, data: object) -> str:
        # orjson: several times faster than json, and Vietnamese stays readable (UTF-8).
        # A str, not bytes: graphql-transport-ws messages must be text frames.
        return orjson.dumps(data).decode()

    async def process_result(
        self, request: Request, result: ExecutionResult
    ) -> GraphQLHTTPResponse:
        processed = await super().process_result(request, result)
        if GRAPHQL_RESPONSE in request.headers.get("accept", ""):
            sub_response: Response = request.state.sub_response
            sub_response.headers["content-type"] = GRAPHQL_RESPONSE
            status = _status(result)
            if status is not None:
                sub_response.status_code = status
        return processed

    def create_response(
        self, response_data: GraphQLHTTPResponse | list[GraphQLHTTPResponse], sub_response: Any
    ) -> Response:
        response = super().create_response(response_data, sub_response)
        if sub_response.headers.get("content-type") == GRAPHQL_RESPONSE:
            response.headers["content-type"] = GRAPHQL_RESPONSE  # replaces both entries
        return response


def _status(result: ExecutionResult) -> int | None:
    """The HTTP status a failed request gets under GraphQL-over-HTTP; None for 200."""
    errors: list[GraphQLError] = list(result.errors or [])
    if result.data is not None or not errors:
        return None
    codes = {(e.extensions or {}).get("code") for e in errors}
    if codes == {"UNAUTHENTICATED"}:
        return 401
    if any(e.path is not None for e in errors):
        return None  # execution started: the response has a data entry
    if any(isinstance(e, GraphQLSyntaxError) for e in errors):
        return 400
    return 422
