"""The request body limit (F0CARE_MAX_BODY_BYTES): a larger body is answered 413 before
the rest of it is read, so nobody can make the server parse ten megabytes of JSON."""

from __future__ import annotations

from collections.abc import Sequence

import orjson
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

TOO_LARGE = "REQUEST_TOO_LARGE"


def error_body(message: str, code: str) -> bytes:
    """A GraphQL-shaped error body for a request refused before execution."""
    return orjson.dumps({"errors": [{"message": message, "extensions": {"code": code}}]})


async def send_error(
    send: Send, status: int, body: bytes, headers: Sequence[tuple[bytes, bytes]] = ()
) -> None:
    """Answer a request with a JSON error body before the application saw it."""
    sent = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
        *headers,
    ]
    await send({"type": "http.response.start", "status": status, "headers": sent})
    await send({"type": "http.response.body", "body": body})


class BodyLimit:
    """Reads an HTTP request body of at most `max_bytes` and hands it on whole."""

    def __init__(self, app: ASGIApp, *, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = Headers(scope=scope).get("content-length", "")
        if declared.isdigit() and int(declared) > self.max_bytes:
            await self._refuse(send)
            return
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                return  # the client went away
            chunk: bytes = message.get("body", b"")
            size += len(chunk)
            if size > self.max_bytes:
                await self._refuse(send)
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        sent = False

        async def replay() -> Message:
            nonlocal sent
            if sent:
                return await receive()
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}

        await self.app(scope, replay, send)

    async def _refuse(self, send: Send) -> None:
        body = error_body(f"the request body is larger than {self.max_bytes} bytes", TOO_LARGE)
        await send_error(send, 413, body, [(b"connection", b"close")])
