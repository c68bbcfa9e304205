"""Token verification built from settings, and the ASGI middleware that authenticates
every HTTP request to /graphql once, at the edge."""

from __future__ import annotations

import logging

import orjson
from starlette.types import ASGIApp, Receive, Scope, Send

from auth.authenticate import authenticate
from auth.directory import Directory
from auth.tokens import InvalidToken, KeySet, TokenVerifier
from db.errors import Availability, is_unavailable
from resolvers.errors import ServiceUnavailable
from server.limits import error_body, send_error
from server.settings import Settings

log = logging.getLogger("f0care.auth")


def verifier_from(settings: Settings, secret: str | None) -> TokenVerifier:
    """The verifier configured by F0CARE_JWT_* settings (keys are read now)."""
    keys = KeySet(pem_files=settings.jwt_public_keys, jwks=settings.jwt_jwks)
    if settings.jwt_public_keys or settings.jwt_jwks:
        keys.load()
    return TokenVerifier(
        algorithms=tuple(settings.jwt_algorithms),
        secret=secret,
        keys=keys,
        issuer=settings.jwt_issuer,
        audience=settings.jwt_audience,
        leeway_seconds=settings.jwt_leeway_seconds,
    )


def unauthenticated_body(reason: str) -> bytes:
    """The GraphQL error body sent with HTTP 401."""
    return error_body(f"invalid token: {reason}", "UNAUTHENTICATED")


class AuthenticationMiddleware:
    """Turns the Authorization header into a Principal in `scope["state"]`; a bad token
    is answered 401 before any GraphQL is parsed or executed."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        verifier: TokenVerifier,
        directory: Directory,
        availability: Availability,
    ) -> None:
        self.app = app
        self.verifier = verifier
        self.directory = directory
        self.availability = availability

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        header = _header(scope, b"authorization")
        try:
            principal = await authenticate(header, verifier=self.verifier, directory=self.directory)
        except InvalidToken as exc:
            log.info("refused token: %s", exc)
            await _send_401(send, str(exc))
            return
        except Exception as exc:
            if not is_unavailable(exc):
                raise
            self.availability.failed(exc)
            await _send_503(send)
            return
        scope.setdefault("state", {})["principal"] = principal
        await self.app(scope, receive, send)


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key == name:
            return bytes(value).decode("latin-1")
    return None


async def _send_503(send: Send) -> None:
    retry = ServiceUnavailable.RETRY_AFTER_SECONDS
    body = orjson.dumps({"errors": [ServiceUnavailable().formatted]})
    await send_error(send, 503, body, [(b"retry-after", str(retry).encode())])


async def _send_401(send: Send, reason: str) -> None:
    body = unauthenticated_body(reason)
    await send_error(send, 401, body, [(b"www-authenticate", b'Bearer error="invalid_token"')])
