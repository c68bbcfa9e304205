"""`GET /exports/{token}`: the file of a line-list export, streamed, for the principal who
asked for it (the same bearer token's subject), within 10 minutes."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse

from auth.principal import Principal
from resolvers.context import Context, Services
from resolvers.exports import InvalidTicket, file_name, read_ticket, stream

MEDIA = {
    "CSV": "text/csv; charset=utf-8",
    "XLSX": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _refused(status: int, code: str, message: str) -> JSONResponse:
    return JSONResponse({"errors": [{"message": message, "extensions": {"code": code}}]}, status)


def handler(services: Services) -> Callable[[Request], Awaitable[Response]]:
    """The endpoint (behind the authentication middleware)."""

    async def download(request: Request) -> Response:
        principal = request.scope.get("state", {}).get("principal", Principal.anonymous())
        try:
            ticket = read_ticket(request.path_params["token"], services.signing_secret)
        except InvalidTicket as exc:
            return _refused(404, "NOT_FOUND", str(exc))
        if not principal.authenticated:
            return _refused(401, "UNAUTHENTICATED", "send the bearer token that asked for it")
        if principal.subject != ticket.subject:
            return _refused(403, "FORBIDDEN", "this export was made for someone else")
        ctx = Context(services=services, principal=principal)
        name = file_name(ticket, services.today())
        return StreamingResponse(
            stream(ctx, ticket),
            media_type=MEDIA[ticket.fmt],
            headers={"Content-Disposition": f'attachment; filename="{name}"'},
        )

    return download
