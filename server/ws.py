"""graphql-transport-ws as f0care speaks it, on top of strawberry's handler:

- a frame that is not a well-formed message closes the socket 4400 with the reason,
  logged at INFO (anyone can send one: it must not flood the error log);
- the token is checked at every step: a subscribe after it expired, or any result due
  after it expired, closes the socket 4403 — and a timer closes it at expiry anyway;
- each operation runs with its own context (fresh loaders, its own audit collector);
- a result without data (a document that fails before execution, a database outage, a
  subscription that cannot start) is an `error` message with the same errors as over
  HTTP, never a `next` with null data.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from graphql import GraphQLError
from starlette.websockets import WebSocketDisconnect
from starlette.websockets import WebSocketDisconnected as SocketClosed
from strawberry.http.exceptions import WebSocketDisconnected
from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import (
    BaseGraphQLTransportWSHandler,
    Operation,
)
from strawberry.subscriptions.protocols.graphql_transport_ws.types import (
    ConnectionInitMessage,
    Message,
    SubscribeMessage,
)
from strawberry.types.execution import ExecutionResult
from strawberry.utils.aio import aclosing

from db.errors import is_unavailable
from resolvers.context import Context
from resolvers.errors import INTERNAL, ServiceUnavailable
from schema.errors import code_of, coded, coded_all

log = logging.getLogger("f0care.ws")

BAD_MESSAGE = 4400
EXPIRED = 4403
TRY_AGAIN_LATER = 1013
MAX_ID = 128  # characters of an operation id


class _Closed(Exception):
    """The socket was closed while an operation ran."""


def malformed(message: object) -> str | None:
    """Why `message` is not a graphql-transport-ws message, or None when it is one."""
    if not isinstance(message, dict):
        return "a message must be a JSON object"
    kind = message.get("type")
    if not isinstance(kind, str):
        return "a message needs a string `type`"
    if kind in ("subscribe", "complete"):
        op_id = message.get("id")
        if not isinstance(op_id, str) or not 1 <= len(op_id) <= MAX_ID:
            return f"`id` must be a string of 1 to {MAX_ID} characters"
    if kind == "subscribe":
        payload = message.get("payload")
        if not isinstance(payload, dict):
            return "`payload` of subscribe must be an object"
        expected = {"query": str, "variables": dict, "operationName": str, "extensions": dict}
        for name, kind_of in expected.items():
            value = payload.get(name)
            if (value is not None or name == "query") and not isinstance(value, kind_of):
                return f"`payload.{name}` must be a {kind_of.__name__.replace('dict', 'object')}"
    elif kind in ("connection_init", "ping", "pong"):
        if message.get("payload") is not None and not isinstance(message.get("payload"), dict):
            return "`payload` must be an object"
    return None


class TransportHandler(BaseGraphQLTransportWSHandler[Context, None]):
    """One WebSocket connection."""

    _expiry: asyncio.Task[None] | None = None
    _closing: asyncio.Task[None] | None = None
    _unwatch: Callable[[], None] | None = None

    async def handle_message(self, message: Message) -> None:
        problem = malformed(message)
        if problem is not None:
            log.info("WebSocket closed 4400: %s", problem)
            await self.websocket.close(BAD_MESSAGE, problem)
            return
        await super().handle_message(message)

    async def handle_connection_init(self, message: ConnectionInitMessage) -> None:
        try:
            await super().handle_connection_init(message)
        except Exception as exc:
            if not is_unavailable(exc):
                raise
            self.context.services.availability.failed(exc)
            await self.websocket.close(TRY_AGAIN_LATER, "service unavailable; reconnect later")
            return
        principal = self.context.principal
        if self.connection_acknowledged and principal.expires_at is not None:
            self._expiry = asyncio.create_task(self._close_at(principal.expires_at))
        if self.connection_acknowledged:
            self._unwatch = self.context.services.directory.watch(
                principal.subject, self._account_changed
            )

    def _account_changed(self) -> None:
        """The caller's account changed: close the socket if its token is refused now."""
        if self.context.expired() and self._closing is None:
            self._closing = asyncio.create_task(self._close_expired())

    async def _close_at(self, expires: datetime) -> None:
        await asyncio.sleep(max(0.0, (expires - datetime.now(UTC)).total_seconds()))
        await self._close_expired()

    async def _close_expired(self) -> None:
        principal = self.context.principal
        refused = self.context.services.directory.refusal(
            principal.subject, principal.role, principal.version
        )
        reason = "token expired: reconnect with a new token"
        if refused is not None:
            reason = f"{refused}: sign in again"
        log.info("WebSocket closed 4403: %s", reason)
        with contextlib.suppress(Exception):  # already closed by the client
            await self.websocket.close(EXPIRED, reason)

    async def handle_subscribe(self, message: SubscribeMessage) -> None:
        if self.connection_acknowledged and self.context.expired():
            await self._close_expired()
            return
        await super().handle_subscribe(message)

    async def shutdown(self) -> None:
        if self._unwatch is not None:
            self._unwatch()
        if self._expiry is not None:
            self._expiry.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._expiry
        await super().shutdown()

    async def run_operation(self, operation: Operation[Context, None]) -> None:
        """strawberry's operation task, with a context of the operation's own."""
        context = self.context.fork()
        try:
            results = await self.schema.stream(
                operation.query,
                variable_values=operation.variables,
                context_value=context,
                root_value=self.root_value,
                operation_name=operation.operation_name,
            )
            async with aclosing(results):
                await self._send_results(operation, context, results)
            await operation.send_operation_message({"id": operation.id, "type": "complete"})
        except (_Closed, WebSocketDisconnected, WebSocketDisconnect, SocketClosed):
            return  # the socket is gone (or closing): nobody to answer
        except Exception as exc:  # raised before the first result, e.g. while parsing
            error = (
                exc if isinstance(exc, GraphQLError) else GraphQLError(str(exc), original_error=exc)
            )
            code = code_of(error)
            if code == INTERNAL:
                log.exception("WebSocket operation %s failed", operation.id)
            elif code == ServiceUnavailable.code:
                context.services.availability.failed(exc)
            with contextlib.suppress(Exception):
                await self._error(operation, [coded(error, context.language)])
            self.operations.pop(operation.id, None)

    async def _send_results(
        self, operation: Operation[Context, None], context: Context, results: Any
    ) -> None:
        async for result in results:
            if context.expired():
                await self._close_expired()
                raise _Closed
            if not isinstance(result, ExecutionResult):
                message = "incremental delivery is not supported over graphql-transport-ws"
                await self._error(operation, [GraphQLError(message)])
                return
            errors = coded_all(result.errors or (), context.language)
            if errors and result.data is None:  # nothing to show: the operation ends here
                await self._error(operation, errors)
                return
            result.errors = errors or None
            await operation.send_next(result)

    @staticmethod
    async def _error(operation: Operation[Context, None], errors: list[GraphQLError]) -> None:
        await operation.send_operation_message(
            {"id": operation.id, "type": "error", "payload": [e.formatted for e in errors]}
        )
