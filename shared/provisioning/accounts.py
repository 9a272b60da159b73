"""What provisioning works from: each service's own connection URLs (what it connects as), and the
administrator connections that create those accounts."""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from shared.service import ServiceDefinition
from shared.settings import ServiceSettings


class ProvisioningError(Exception):
    """Provisioning refused to do something unsafe, or the setup cannot be provisioned as given."""


class ProvisioningSettings(BaseSettings):
    """Administrator connections, used by `aftercare provision` only; no service process reads them."""

    model_config = SettingsConfigDict(env_prefix="AFTERCARE_PROVISION_", extra="ignore")

    database_url: str = Field(
        "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres",
        description=(
            "An administrator's connection (a superuser, or a role with CREATEROLE and CREATEDB) to the "
            "PostgreSQL server the services use; it creates their database, roles and schemas."
        ),
    )
    broker_url: str = Field(
        "http://guest:guest@127.0.0.1:15672",
        description=(
            "RabbitMQ's management API with an administrator's credentials; it creates the virtual host "
            "and each service's user and permissions."
        ),
    )


@dataclass(frozen=True)
class ServiceAccess:
    """What one service connects as, from its own settings, and what it may use."""

    service: str
    schema: str
    queues: tuple[str, ...]
    database_url: str
    amqp_url: str
    broker_resources: tuple[str, ...] = ()  # further exchanges and queues it owns (patterns)
    publishes: tuple[str, ...] = ()  # the event types it may publish on aftercare.events
    sends: tuple[str, ...] = ()  # other services' command queues it may send to through aftercare.queues
    extensions: tuple[str, ...] = ()  # PostgreSQL extensions created in its schema
    takes_over: tuple[str, ...] = ()  # other schemas' tables ("schema.table") handed to it (ServiceDefinition)

    @classmethod
    def of(cls, definition: ServiceDefinition, settings: ServiceSettings) -> ServiceAccess:
        if definition.metadata.schema is None:
            raise ValueError(f"{definition.name}'s metadata names no schema")
        return cls(
            service=definition.name,
            schema=definition.metadata.schema,
            queues=tuple(subscription.queue for subscription in definition.subscriptions),
            database_url=settings.database_url,
            amqp_url=settings.amqp_url,
            broker_resources=definition.broker_resources,
            publishes=tuple(event.message_type for event in definition.publishes or ()),
            sends=definition.sends,
            extensions=definition.database_extensions,
            takes_over=definition.takes_over,
        )
