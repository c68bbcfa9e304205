"""The typed per-request context every resolver receives."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from graphql import ExecutionResult, FragmentDefinitionNode, OperationDefinitionNode
from graphql.execution.values import VariableValues
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from auth.directory import Directory
from auth.principal import Principal
from auth.sealing import Sealer
from db.errors import Availability
from db.events import AlertBus, PersonBus
from db.models import Area
from resolvers.audit import AuditWriter, PersonalReads
from resolvers.loaders import Loaders
from resolvers.polls import LiveStatisticsLimits, SharedPolls
from resolvers.rows import EventRow


class CompiledEvents(Protocol):
    """Answers one subscription event with one statement (`server.compiled`)."""

    async def event(
        self,
        ctx: Context,
        operation: OperationDefinitionNode,
        fragments: dict[str, FragmentDefinitionNode],
        variables: VariableValues,
        source: EventRow,
    ) -> tuple[ExecutionResult, PersonalReads] | None:
        """The event's result and its personal reads, or None: the generic executor."""


@dataclass(frozen=True)
class Services:
    """Process-wide things a request needs (built once by the server)."""

    sessions: async_sessionmaker[AsyncSession]
    directory: Directory
    signing_secret: str
    access_token_ttl: timedelta
    timezone: ZoneInfo = field(default_factory=lambda: ZoneInfo("Asia/Ho_Chi_Minh"))
    report_interval: timedelta = timedelta(hours=24)
    bus: AlertBus | None = None
    person_bus: PersonBus | None = None  # events for people (`myEvents`)
    statistics_throttle: timedelta = timedelta(seconds=5)
    polls: SharedPolls = field(default_factory=SharedPolls)
    live_statistics: LiveStatisticsLimits = field(default_factory=LiveStatisticsLimits)
    # sessions of the live-statistics pollers: a pool of their own, so that however many
    # areas are followed, alert writes and deliveries never wait for a connection
    statistics_sessions: async_sessionmaker[AsyncSession] | None = None
    # areas are reference data, loaded once per process (a new load-areas needs a restart)
    areas: dict[str, Area] = field(default_factory=dict)
    # autocommit sessions for single-statement reads (default: `sessions`)
    readers: async_sessionmaker[AsyncSession] | None = None
    # logs a database outage once when it starts and once when it ends
    availability: Availability = field(default_factory=Availability)
    # personal reads delivered over WebSocket, written in batches (made by the server)
    audit_writer: AuditWriter | None = None
    # subscription events answered by compiled reads (None: by the generic executor)
    compiled_events: CompiledEvents | None = None
    max_export_rows: int = 200_000  # rows of a line-list export
    sealer: Sealer | None = None  # encrypts webhook secrets (made by the server)

    def today(self) -> date:
        """The calendar day now, in the deployment's time zone (Asia/Ho_Chi_Minh)."""
        return datetime.now(self.timezone).date()


@dataclass
class Context:
    """Per operation (an HTTP request, an operation on a WebSocket, a delivered event): the
    principal, services, fresh dataloaders and the audit collector."""

    services: Services
    principal: Principal = field(default_factory=Principal.anonymous)
    # graphql-transport-ws: the connection_init payload (the token travels in it)
    connection_params: dict[str, object] | None = None
    # the WebSocket of a subscription (closed with a code when the subscriber falls behind)
    websocket: Any = None
    # the language of texts for people (Accept-Language; Vietnamese by default)
    language: str = "vi"
    loaders: Loaders = field(init=False)
    personal_reads: PersonalReads = field(default_factory=PersonalReads)

    def __post_init__(self) -> None:
        self.loaders = Loaders(self.readers, lambda: self.principal.scope, self.services.areas)

    def fork(self) -> Context:
        """A context for one more operation or event on the same connection: same
        principal and socket, fresh loaders (nothing stale) and its own audit collector."""
        return Context(
            services=self.services,
            principal=self.principal,
            connection_params=self.connection_params,
            websocket=self.websocket,
            language=self.language,
        )

    def expired(self) -> bool:
        """Whether the principal's token has expired, or its account no longer accepts it
        (switched off, or changed since the token was issued)."""
        principal = self.principal
        expires = principal.expires_at
        if expires is not None and expires <= datetime.now(UTC):
            return True
        refused = self.services.directory.refusal(
            principal.subject, principal.role, principal.version
        )
        return refused is not None

    @property
    def readers(self) -> async_sessionmaker[AsyncSession]:
        """Sessions for single-statement reads (autocommit when the server provides them)."""
        return self.services.readers or self.services.sessions

    @property
    def sessions(self) -> async_sessionmaker[AsyncSession]:
        """Open short sessions (never share one between concurrent resolvers)."""
        return self.services.sessions
