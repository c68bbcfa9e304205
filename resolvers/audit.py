"""Reads of personal data collected during one request, written as one audit row."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from sqlalchemy.ext.asyncio import AsyncSession

from db.queries import audit

if TYPE_CHECKING:
    from resolvers.context import Context


@dataclass
class PersonalReads:
    """Which personal fields of which objects this request returned."""

    by_entity: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    fields: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))

    def add(self, entity: str, entity_id: str, field_name: str) -> None:
        """Note that `field_name` of `entity` `entity_id` was returned."""
        self.by_entity[entity].add(entity_id)
        self.fields[entity].add(field_name)


async def log_change(
    session: AsyncSession,
    ctx: Context,
    *,
    action: str,
    entity: str,
    entity_ids: Sequence[str] = (),
    fields: Sequence[str] = (),
    detail: str | None = None,
) -> None:
    """Audit a change made by the request's principal, in the change's transaction."""
    await audit.record(
        session,
        subject=ctx.principal.subject,
        role=ctx.principal.role,
        action=action,
        entity=entity,
        entity_ids=entity_ids,
        fields=fields,
        detail=detail,
    )
