"""The domain enums exposed to GraphQL, with descriptions.

`strawberry.enum` registers each domain enum in place, so annotations use the domain
classes themselves (re-exported here).
"""

from __future__ import annotations

import strawberry

from domain.enums import AreaLevel, Role

strawberry.enum(Role, description="What a principal is allowed to be and do.")
strawberry.enum(AreaLevel, description="Level of an administrative area of Viet Nam.")

__all__ = ["AreaLevel", "Role"]
