"""The typed per-request context every resolver receives."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from resolvers.loaders import Loaders


@dataclass
class Context:
    """Per request: how to open database sessions, and fresh dataloaders."""

    sessions: async_sessionmaker[AsyncSession]
    loaders: Loaders = field(init=False)

    def __post_init__(self) -> None:
        self.loaders = Loaders(self.sessions)
