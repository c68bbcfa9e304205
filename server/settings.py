"""All configuration in one typed object: env prefix F0CARE_, plus DATABASE_URL."""

from __future__ import annotations

import secrets
from datetime import time
from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from domain.enums import AreaEdition

PLACEHOLDER_SECRETS = frozenset({"secret", "changeme", "change-me", "demo", "test", "password"})
MIN_SECRET_LENGTH = 32


class SettingsError(Exception):
    """Configuration that cannot work; the message says which variable to set."""


class Settings(BaseSettings):
    """f0care settings. Secrets have no defaults outside demo mode."""

    model_config = SettingsConfigDict(env_prefix="F0CARE_", extra="ignore", populate_by_name=True)

    database_url: str | None = Field(default=None, validation_alias="DATABASE_URL")
    data_dir: Path = Path(".f0care")
    demo: bool = False
    debug: bool = False
    host: str = "127.0.0.1"
    port: int = 8000
    jwt_secret: SecretStr | None = None
    jwt_algorithms: list[str] = ["HS256"]
    jwt_public_keys: dict[str, Path] = {}
    jwt_jwks: str | None = None
    jwt_issuer: str | None = None
    jwt_audience: str | None = None
    jwt_leeway_seconds: int = 30
    max_query_depth: int = 10
    max_aliases: int = 30
    max_tokens: int = 2000
    max_body_bytes: int = 1_048_576  # HTTP request bodies and WebSocket messages
    access_token_minutes: int = 60
    introspection: bool | None = None
    timezone: str = "Asia/Ho_Chi_Minh"
    # the map a new database is loaded with (the demo keeps 2021's); a database in use keeps
    # its own until `f0care migrate-areas`
    area_edition: AreaEdition = AreaEdition.VN_2025
    report_interval_hours: float = 24
    jobs: bool = True
    jobs_interval_seconds: float = 15
    sos_escalation_seconds: float = 300
    vital_escalation_seconds: float = 900
    missed_report_escalation_seconds: float = 3600
    listener_probe_seconds: float = 5
    # accounts are re-read on every change notification, and this often anyway
    account_refresh_seconds: float = Field(default=2, gt=0, le=5)
    max_export_rows: int = Field(default=200_000, ge=1)  # rows of a line-list export
    # webhooks: the key their signing secrets are encrypted with (default: derived from
    # the JWT secret), whether private addresses may be reached (on premises, tests), and
    # how often deliveries are looked at besides every new event
    webhook_key: SecretStr | None = None
    webhook_allow_private: bool = False
    webhook_poll_seconds: float = Field(default=1.0, gt=0)
    webhook_first_retry_seconds: float = Field(default=5.0, gt=0)  # then doubling to 1 h
    # reporting windows (local time): a report is expected from the start; a citizen
    # without one is reminded at the second time, once per window
    report_windows: dict[str, tuple[time, time]] = {
        "MORNING": (time(5), time(10)),
        "EVENING": (time(12), time(20)),
    }
    subscriber_queue_size: int = 1000
    statistics_throttle_seconds: float = 5
    max_live_statistics_per_principal: int = 5
    max_live_statistics_areas: int = 100
    bench_floor: bool = False  # serve /bench/floor/patients (benchmarks only)
    compiled_reads: bool = True  # answer plannable queries with one SQL statement
    db_pool_size: int = Field(default=16, ge=1, le=200)  # connections kept per engine

    @property
    def introspection_enabled(self) -> bool:
        """Introspection is on in demo mode unless configured otherwise."""
        return self.demo if self.introspection is None else self.introspection

    def signing_secret(self) -> str:
        """The HS256 secret; demo mode may generate one, production refuses to start without."""
        if self.jwt_secret is not None:
            value = self.jwt_secret.get_secret_value()
            if not self.demo and (
                value.lower() in PLACEHOLDER_SECRETS or len(value) < MIN_SECRET_LENGTH
            ):
                raise SettingsError(
                    f"F0CARE_JWT_SECRET is a placeholder or shorter than {MIN_SECRET_LENGTH} "
                    "characters; set a real random secret"
                )
            return value
        if self.demo:
            return self._demo_secret()
        raise SettingsError(
            "F0CARE_JWT_SECRET is not set; production mode needs a signing secret "
            "(or run with --demo)"
        )

    def _demo_secret(self) -> str:
        # kept in the data folder so demo tokens outlive a restart and `f0care token` can sign
        path = self.data_dir / "demo-jwt-secret"
        if not path.exists():
            self.data_dir.mkdir(parents=True, exist_ok=True)
            path.touch(mode=0o600)
            path.write_text(secrets.token_urlsafe(32), encoding="utf-8")
        return path.read_text(encoding="utf-8").strip()
