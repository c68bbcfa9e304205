"""The domain enums exposed to GraphQL, with descriptions."""

from __future__ import annotations

import strawberry

from domain import enums

Role = strawberry.enum(enums.Role, description="What a principal is allowed to be and do.")
AreaLevel = strawberry.enum(
    enums.AreaLevel, description="Level of an administrative area of Viet Nam."
)
