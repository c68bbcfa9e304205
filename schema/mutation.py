"""The root Mutation type."""

from __future__ import annotations

import strawberry

from resolvers import auth as resolve_auth
from resolvers.context import Context
from schema.permissions import public
from schema.types.me import AuthPayload, Me


@strawberry.type(description="Everything that changes data.")
class Mutation:
    @strawberry.mutation(
        description=(
            "Staff login. Wrong username and wrong password answer alike; after 5 failures "
            "for one username within 5 minutes, attempts are refused with RATE_LIMITED."
        ),
        extensions=public(),
    )
    async def login(
        self, info: strawberry.Info[Context], username: str, password: str
    ) -> AuthPayload:
        result = await resolve_auth.login(info.context, username, password)
        return AuthPayload(
            access_token=result.access_token,
            expires_at=result.expires_at,
            me=Me.from_principal(result.principal),
        )
