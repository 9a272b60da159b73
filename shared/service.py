"""What a service is made of, as the runtime and the command line see it."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

from fastapi import APIRouter
from prometheus_client import CollectorRegistry
from sqlalchemy import MetaData
from sqlalchemy.ext.asyncio import AsyncEngine

from shared.access import AccessTable
from shared.contracts.envelope import Event
from shared.messaging.consumer import Concerns, DeadLetterHook
from shared.messaging.routes import MessageHandlers
from shared.messaging.topology import EVENTS_EXCHANGE, ConsumerQueue, declare
from shared.persistence.database import create_engine
from shared.persistence.service_database import ServiceDatabase
from shared.settings import ServiceSettings


@dataclass(frozen=True)
class Subscription:
    """A queue the service consumes. Event queues are bound to their handlers' event types on
    `aftercare.events`; command queues are addressed directly by name and bound to nothing; a queue
    fed by another exchange (the vendor partners' replies) names it and the keys it is bound with.

    Handlers that need the process's settings are given as a function of them. `on_dead_letter` is
    told of every message the queue dead-letters, after it is safely in `<queue>.dead`. `concerns`, if
    given, is asked of each valid message before any transaction: False acknowledges it unrecorded.
    """

    queue: str
    handlers: MessageHandlers | Callable[[ServiceSettings], MessageHandlers]
    bind_events: bool = True
    exchange: str = EVENTS_EXCHANGE
    binding_keys: tuple[str, ...] | None = None  # default: the handlers' message types
    on_dead_letter: DeadLetterHook | None = None
    concerns: Concerns | None = None
    retired_keys: tuple[str, ...] = ()  # bound by an earlier release, handled no more: unbound (topology.py)

    def handlers_for(self, settings: ServiceSettings) -> MessageHandlers:
        return self.handlers if isinstance(self.handlers, MessageHandlers) else self.handlers(settings)

    def consumer_queue(self, handlers: MessageHandlers) -> ConsumerQueue:
        keys = (self.binding_keys or handlers.routing_keys) if self.bind_events else ()
        return ConsumerQueue(name=self.queue, routing_keys=keys, exchange=self.exchange, retired_keys=self.retired_keys)


Seeder = Callable[[ServiceDatabase, Path], Awaitable[str]]
"""Loads the service's part of a site description file into its own schema; returns a summary."""


class Worker(Protocol):
    """A background loop of a service besides its consumers (the SLA service's timer scheduler)."""

    def start(self) -> None: ...

    async def stop(self) -> None: ...

    @property
    def running(self) -> bool: ...


WorkerFactory = Callable[[ServiceDatabase, ServiceSettings], Worker]


@runtime_checkable
class ReportingWorker(Protocol):
    """A worker that says how it is doing (intake's mailbox readers): in the readiness answer's `reports`,
    which never make the process unready, and in metrics of its own on the process's registry."""

    def report(self) -> dict[str, Any]: ...

    def register_metrics(self, registry: CollectorRegistry) -> None: ...


@dataclass(frozen=True)
class ServiceDefinition:
    """A service as the runtime and the command line see it: its name, settings, schema, migrations,
    HTTP routes, the queues it consumes, and how it loads its part of a site description."""

    name: str
    summary: str
    settings_class: type[ServiceSettings]
    metadata: MetaData
    migrations_dir: Path
    router: APIRouter
    access: AccessTable = field(default_factory=dict)
    """Who may call each route (shared/access.py); a route without a rule refuses everyone."""
    pages: APIRouter | None = None
    """Web pages for people in a browser (the console's): outside the bearer-token guard, since they
    keep their own sign-in session."""
    static_dir: Path | None = None
    """Files the pages load (style sheet, scripts), served under /static."""
    subscriptions: tuple[Subscription, ...] = ()
    publishes: tuple[type[Event], ...] | None = None
    """The events it publishes on `aftercare.events`, and the only ones its broker user may publish there
    (RabbitMQ topic permissions); None leaves it unchecked, for a scratch service in a test."""
    sends: tuple[str, ...] = ()
    """Other services' command queues it sends to through `aftercare.queues` (dispatch sends inspection
    findings to `intake.requests`): the only such keys its broker user may publish with there."""
    seed: Seeder | None = None
    workers: tuple[WorkerFactory, ...] = ()
    broker_resources: tuple[str, ...] = ()
    """Patterns (regular expressions) of further exchanges and queues the service declares and uses,
    beyond its own subscriptions' queues: the vendor service's partner exchanges and queues."""
    takes_over: tuple[str, ...] = ()
    """Tables of another service's schema ("schema.table") that were this service's before it had a
    service of its own (notify's contacts and notifications, dispatch's until issue 25). Its migrations
    move them into its schema; where each schema belongs to its own role, which may not touch another's,
    provisioning (as the administrator) moves them first and gives them to the service's role."""
    database_extensions: tuple[str, ...] = ()
    """PostgreSQL extensions its schema needs (the archive's `pg_trgm`): an administrator creates them
    when provisioning, since a service's role may not; its migrations only check they are there."""


async def seed_site(definition: ServiceDefinition, database_url: str, site: Path) -> str | None:
    """Load the service's part of a site description; None if it keeps no part of it."""
    if definition.seed is None:
        return None
    engine = create_engine(database_url, pool_size=1)
    try:
        return await definition.seed(database_of(definition, engine), site)
    finally:
        await engine.dispose()


def consumer_queues(definition: ServiceDefinition, settings: ServiceSettings) -> list[ConsumerQueue]:
    """The queues the service consumes, each bound to what feeds it."""
    return [
        subscription.consumer_queue(subscription.handlers_for(settings)) for subscription in definition.subscriptions
    ]


async def declare_topology(definition: ServiceDefinition, settings: ServiceSettings) -> None:
    """Declare the service's queues and their bindings (idempotent), as the service does when it starts.

    Done ahead of the services (by `aftercare provision`, `aftercare up`, a test world) so that no event
    published before a service first starts, such as a site loaded by the seed step, misses its queue.
    """
    await declare(settings.amqp_url, *consumer_queues(definition, settings))


def database_of(definition: ServiceDefinition, engine: AsyncEngine) -> ServiceDatabase:
    """The service's own schema on `engine`, publishing as the service and only what it declares."""
    publishes = None if definition.publishes is None else frozenset(e.message_type for e in definition.publishes)
    return ServiceDatabase(engine, definition.metadata, producer=definition.name, publishes=publishes)
