"""strawberry's ASGI view with f0care's typed context, WebSocket authentication and the
GraphQL-over-HTTP status codes for clients that accept application/graphql-response+json."""

from __future__ import annotations

import json
import logging
from typing import Any

import orjson
from cross_web import HTTPException
from graphql import GraphQLError
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.exceptions import ConnectionRejectionError
from strawberry.http import GraphQLHTTPResponse, GraphQLRequestData
from strawberry.schema.exceptions import CannotGetOperationTypeError
from strawberry.types.execution import ExecutionResult
from strawberry.types.unset import UnsetType

from auth.authenticate import authenticate
from auth.principal import Principal
from auth.tokens import InvalidToken, TokenVerifier
from db.errors import is_unavailable
from domain.notifications import language_of
from resolvers.context import Context, Services
from resolvers.errors import ServiceUnavailable
from schema.errors import PARSE_FAILED, code_of, coded_all
from server.compiled import CompiledReads
from server.limits import error_body
from server.ws import TransportHandler

GRAPHQL_RESPONSE = "application/graphql-response+json"
log = logging.getLogger("f0care.graphql")


class GraphQLApp(GraphQL[Context, None]):
    """The /graphql endpoint."""

    graphql_transport_ws_handler_class = TransportHandler

    def __init__(
        self,
        *args: Any,
        services: Services,
        verifier: TokenVerifier,
        compiled: CompiledReads | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.services = services
        self.verifier = verifier
        self.compiled = compiled

    async def execute_single(
        self,
        request: Request,
        request_adapter: Any,
        sub_response: Response,
        context: Context,
        root_value: None,
        request_data: GraphQLRequestData,
    ) -> ExecutionResult:
        """A compiled read when the document has one; else strawberry's executor."""
        if self.compiled is not None:
            try:
                result = await self.compiled.execute(
                    context, request_data.query, request_data.variables, request_data.operation_name
                )
            except Exception as exc:
                if not is_unavailable(exc):  # an outage: the generic path answers 503
                    log.exception("compiled read failed; the generic executor answers")
                result = None
            if result is not None:
                return result
        return await super().execute_single(
            request, request_adapter, sub_response, context, root_value, request_data
        )

    async def get_context(self, request: Request | WebSocket, response: Any) -> Context:
        language = language_of(request.headers.get("accept-language"))
        if isinstance(request, WebSocket):
            # authenticated in on_ws_connect
            return Context(services=self.services, websocket=request, language=language)
        request.state.sub_response = response
        principal = request.scope.get("state", {}).get("principal", Principal.anonymous())
        return Context(services=self.services, principal=principal, language=language)

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
        # a browser cannot set headers on a WebSocket: its client may name the language here
        language = params.get("acceptLanguage", params.get("Accept-Language"))
        if isinstance(language, str):
            context.language = language_of(language)
        return None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """strawberry's view; a request it refuses (not JSON, not an object, unknown
        operation) is answered with a GraphQL-shaped body, not plain text."""
        if scope["type"] != "http":
            await super().__call__(scope, receive, send)
            return
        try:
            response = await self.run(Request(scope, receive=receive))
        except HTTPException as exc:
            code = "BAD_USER_INPUT"
            if not isinstance(exc.__cause__, CannotGetOperationTypeError):
                code = "NOT_FOUND" if exc.status_code == 404 else "BAD_REQUEST"
            response = error_response(exc.status_code, exc.reason, code)
        await response(scope, receive, send)

    def decode_json(self, data: str | bytes) -> object:
        # json (not orjson): a lone surrogate escape must reach the input rules, which name
        # the variable holding it; every way of failing is a JSONDecodeError for strawberry
        try:
            return json.loads(data)
        except json.JSONDecodeError:
            raise
        except RecursionError:
            raise json.JSONDecodeError("nested too deeply", "", 0) from None
        except UnicodeDecodeError as exc:
            raise json.JSONDecodeError(f"not UTF-8 ({exc.reason})", "", exc.start) from None

    def parse_json(self, data: str | bytes) -> Any:
        try:
            parsed = self.decode_json(data)
        except json.JSONDecodeError as exc:
            raise HTTPException(400, f"the request body is not valid JSON: {exc.msg}") from exc
        if not isinstance(parsed, dict | list):
            raise HTTPException(400, "the request body must be a JSON object with a `query`")
        return parsed

    def encode_json(self, data: object) -> str:
        # orjson: several times faster than json, and Vietnamese stays readable (UTF-8).
        # A str, not bytes: graphql-transport-ws messages must be text frames.
        try:
            return orjson.dumps(data).decode()
        except TypeError:  # a lone surrogate in a message: never fail the response for it
            return orjson.dumps(_valid_unicode(data)).decode()

    async def process_result(
        self, request: Request, result: ExecutionResult
    ) -> GraphQLHTTPResponse:
        if result.errors:  # also those raised where no extension saw them (while parsing)
            language = language_of(request.headers.get("accept-language"))
            result.errors = coded_all(result.errors, language)
        processed = await super().process_result(request, result)
        sub_response: Response = request.state.sub_response
        if _unavailable(result):
            sub_response.status_code = 503
            sub_response.headers["retry-after"] = str(ServiceUnavailable.RETRY_AFTER_SECONDS)
        elif GRAPHQL_RESPONSE in request.headers.get("accept", ""):
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


def error_response(status: int, message: str, code: str) -> Response:
    """A GraphQL-shaped error response for a request refused before execution."""
    return Response(error_body(message, code), status_code=status, media_type="application/json")


def _valid_unicode(value: object) -> object:
    if isinstance(value, str):
        return value.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
    if isinstance(value, dict):
        return {_valid_unicode(k): _valid_unicode(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_valid_unicode(v) for v in value]
    return value


def _unavailable(result: ExecutionResult) -> bool:
    return any(
        (e.extensions or {}).get("code") == ServiceUnavailable.code for e in result.errors or ()
    )


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
    if any(code_of(e) == PARSE_FAILED for e in errors):
        return 400
    return 422
