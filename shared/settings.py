"""Settings every Aftercare service shares, read from the environment only (12-factor).

Each service subclasses `ServiceSettings` with its own prefix (`INTAKE_`, `DISPATCH_`, ...). A variable
with the service's prefix wins; otherwise the suite-wide `AFTERCARE_` variable applies; otherwise the
default, which works against the broker and database on localhost. So one `AFTERCARE_DATABASE_URL`
points the whole suite at a database, and `DISPATCH_DATABASE_URL` moves dispatch alone.
"""

from __future__ import annotations

from typing import ClassVar, Literal

from pydantic import Field
from pydantic_settings import (
    BaseSettings,
    EnvSettingsSource,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
)

SUITE_ENV_PREFIX = "AFTERCARE_"


class ServiceSettings(BaseSettings):
    """Connections, HTTP listener, consumer limits and logging of one service process."""

    model_config = SettingsConfigDict(env_prefix=SUITE_ENV_PREFIX, extra="ignore")

    service_name: ClassVar[str] = "aftercare"
    default_http_port: ClassVar[int] = 8000

    amqp_url: str = Field(
        "amqp://guest:guest@127.0.0.1:5672/",
        description="RabbitMQ connection URL, virtual host included. For a cluster, name every node: "
        "amqp://user:password@node-0:5672,node-1:5672,node-2:5672/vhost (tried in turn on each connection).",
    )
    database_url: str = Field(
        "postgresql+asyncpg://postgres@127.0.0.1:5432/aftercare",
        description="PostgreSQL URL (SQLAlchemy form, asyncpg driver). The service uses only its own schema in it.",
    )
    http_host: str = Field("127.0.0.1", description="Address the HTTP API, health and metrics listen on.")
    http_port: int = Field(0, description="Port of the HTTP API; 0 means the service's default port.")
    api_docs: bool = Field(
        False,
        description="Serve /docs and /redoc (Swagger UI and ReDoc, which load their scripts from a public CDN): for "
        "development (`make up` turns it on). The OpenAPI document itself is always at /openapi.json.",
    )
    prefetch: int = Field(
        32, ge=1, le=1000, description="Messages a process holds unacknowledged per queue (RabbitMQ prefetch)."
    )
    window_size: int = Field(
        32,
        ge=1,
        le=1000,
        description="Most messages of one queue handled in one transaction, a savepoint each (group commit): "
        "under load one commit serves them all; a message alone is a window of one.",
    )
    windows: int = Field(
        1,
        ge=1,
        le=16,
        description="Windows of one queue a process handles at once. One keeps a queue's messages in order within "
        "the process and its windows from deadlocking on each other's rows; more help a queue whose handlers wait "
        "on something slow.",
    )
    max_attempts: int = Field(5, ge=1, description="Attempts of a failing handler before the message is dead-lettered.")
    retry_delay_ms: int = Field(
        2000, ge=10, description="Pause before a failed message is tried again (its TTL in the retry queue)."
    )
    outbox_poll_seconds: float = Field(
        5.0,
        gt=0,
        description="Fallback poll of the outbox; the relay is normally woken at once by the commit that wrote events.",
    )
    outbox_batch_size: int = Field(200, ge=1, description="Outbox rows published per relay round trip.")
    outbox_retention_hours: float = Field(
        72, gt=0, description="How long published outbox rows are kept for inspection."
    )
    dedupe_window_hours: float = Field(
        168,
        gt=0,
        description="How long consumed message ids are remembered; a redelivery older than this is processed again.",
    )
    db_pool_size: int = Field(10, ge=1, description="Database connections per process.")
    graceful_timeout_seconds: float = Field(
        15.0, gt=0, description="On SIGTERM, how long in-flight messages may take to finish."
    )
    log_format: Literal["auto", "json", "console"] = Field(
        "auto", description="auto: readable on a terminal, JSON lines otherwise."
    )
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = Field("INFO", description="Lowest level logged.")
    auth_public_key: str | None = Field(
        None,
        description="Public key the suite's own tokens are verified with (Ed25519; PEM, or base64 DER on one line); "
        "`aftercare keys` makes a pair.",
    )
    auth_jwks_url: str | None = Field(
        None, description="Instead of the public key: the JWKS of an OpenID Connect issuer whose tokens are accepted."
    )
    auth_issuer: str = Field("aftercare", description="The `iss` every token must carry.")
    auth_audience: str = Field("aftercare", description="The `aud` every token must carry.")
    auth_roles_claim: str = Field("roles", description="The claim that lists a person's roles (an OIDC issuer's own).")

    @property
    def port(self) -> int:
        return self.http_port or self.default_http_port

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        own_prefix = settings_cls.model_config.get("env_prefix") or SUITE_ENV_PREFIX
        sources: list[PydanticBaseSettingsSource] = [init_settings, env_settings]
        if own_prefix != SUITE_ENV_PREFIX:
            sources.append(EnvSettingsSource(settings_cls, env_prefix=SUITE_ENV_PREFIX))
        return tuple(sources)
