"""Reads of personal data collected during one request, written as one audit row."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field


@dataclass
class PersonalReads:
    """Which personal fields of which objects this request returned."""

    by_entity: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    fields: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))

    def add(self, entity: str, entity_id: str, field_name: str) -> None:
        """Note that `field_name` of `entity` `entity_id` was returned."""
        self.by_entity[entity].add(entity_id)
        self.fields[entity].add(field_name)
