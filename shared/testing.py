"""Test support over the real broker and database: a throwaway world per test run, a tap on the
events exchange, in-process services, services as processes, waiting for things that happen
asynchronously, one handler's contract over FastStream's in-memory broker, ready-made events to feed
them, and deployment-style accounts (a role and a broker user per service) with their cleanup.

Every run gets its own PostgreSQL database and its own RabbitMQ virtual host, and removes both at the
end; it touches nothing it did not create. Roles and users are cluster-wide: every name a test
creates starts with the run's name, and cleanup refuses any other.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Sequence
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import quote, unquote, urlsplit

import aio_pika
import asyncpg
import httpx
from aio_pika.abc import AbstractIncomingMessage
from fastapi import APIRouter
from faststream.rabbit import TestRabbitBroker
from sqlalchemy import Column, Row, Select, Table, select, text
from sqlalchemy.engine import make_url

import services
from shared.contracts import Priority, Reporter, RequestChannel, ServiceKind, TicketOpened
from shared.contracts.envelope import Envelope, RawEnvelope, seal
from shared.http import create_app
from shared.messaging.consumer import MessageHandlers
from shared.messaging.topology import EVENTS_EXCHANGE, declare_tap
from shared.persistence import migrations
from shared.persistence.database import asyncpg_dsn, create_engine, drop_database, ensure_database, schema_metadata
from shared.persistence.kernel_tables import inbox_table, outbox_table
from shared.provisioning import ServiceAccess
from shared.runtime import ServiceRuntime
from shared.service import ServiceDefinition, Subscription
from shared.settings import ServiceSettings

T = TypeVar("T")

POSTGRES_URL = os.environ.get("AFTERCARE_TEST_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres")
AMQP_BASE_URL = os.environ.get("AFTERCARE_TEST_AMQP_URL", "amqp://guest:guest@127.0.0.1:5672/")
RABBITMQCTL = os.environ.get("AFTERCARE_TEST_RABBITMQCTL", "rabbitmqctl")
BROKER_ADMIN_URL = os.environ.get("AFTERCARE_TEST_BROKER_ADMIN_URL", "http://guest:guest@127.0.0.1:15672")
TEST_NAME_PREFIX = "aftercare_test_"
REPOSITORY = Path(__file__).resolve().parent.parent
LOAD_TEST_SITE = REPOSITORY / "tests" / "sites" / "load-test.toml"


@dataclass(frozen=True)
class World:
    """A database and a virtual host of one's own."""

    name: str
    database_url: str
    amqp_url: str
    vhost: str

    def settings(self, service: str, **overrides: Any) -> ServiceSettings:
        """Settings of a service pointed at this world, quick to retry, quiet to poll."""
        values: dict[str, Any] = {
            "database_url": self.database_url,
            "amqp_url": self.amqp_url,
            "retry_delay_ms": 200,
            "max_attempts": 3,
            "outbox_poll_seconds": 1.0,
            "graceful_timeout_seconds": 5.0,
            "db_pool_size": 5,
        }
        values.update(overrides)
        return services.definition(service).settings_class(**values)

    def environment(self) -> dict[str, str]:
        """Environment variables that point every service process at this world."""
        return {"AFTERCARE_DATABASE_URL": self.database_url, "AFTERCARE_AMQP_URL": self.amqp_url}


def _rabbitmqctl(*args: str) -> None:
    if shutil.which(RABBITMQCTL) is None:
        raise RuntimeError(f"{RABBITMQCTL} not found: tests create their own RabbitMQ virtual host with it")
    subprocess.run([RABBITMQCTL, "-q", *args], check=True, capture_output=True, timeout=60)  # noqa: S603


def create_world() -> World:
    name = f"{TEST_NAME_PREFIX}{uuid.uuid4().hex[:10]}"
    _rabbitmqctl("add_vhost", name)
    _rabbitmqctl("set_permissions", "-p", name, "guest", ".*", ".*", ".*")
    base = POSTGRES_URL.rsplit("/", 1)[0]
    world = World(
        name=name,
        database_url=f"{base}/{name}",
        amqp_url=f"{AMQP_BASE_URL.rstrip('/')}/{quote(name, safe='')}",
        vhost=name,
    )
    asyncio.run(ensure_database(world.database_url))
    for service in services.NAMES:
        migrations.upgrade(services.definition(service).migrations_dir, world.database_url)
    return world


def destroy_world(world: World) -> None:
    asyncio.run(drop_database(world.database_url))
    _rabbitmqctl("delete_vhost", world.vhost)


async def eventually(
    probe: Callable[[], Awaitable[T]], *, timeout: float = 10.0, interval: float = 0.05, what: str = ""
) -> T:
    """Poll `probe` until it returns something truthy without raising AssertionError."""
    deadline = time.monotonic() + timeout
    last_error: AssertionError | None = None
    while True:
        try:
            result = await probe()
            if result:
                return result
        except AssertionError as error:
            last_error = error
        if time.monotonic() > deadline:
            message = f"not true within {timeout}s: {what or probe}"
            raise AssertionError(message) from last_error
        await asyncio.sleep(interval)


@dataclass
class EventTap:
    """Copies of every event published on `aftercare.events`, from a queue of the test's own."""

    messages: list[AbstractIncomingMessage] = field(default_factory=list)

    def of_type(self, message_type: str, correlation_id: str | None = None) -> list[dict[str, Any]]:
        return [
            json.loads(m.body)
            for m in self.messages
            if m.type == message_type and (correlation_id is None or m.correlation_id == correlation_id)
        ]

    async def wait_for(
        self, message_type: str, correlation_id: str | None = None, *, count: int = 1, timeout: float = 10.0
    ) -> list[dict[str, Any]]:
        async def seen() -> list[dict[str, Any]]:
            found = self.of_type(message_type, correlation_id)
            return found if len(found) >= count else []

        return await eventually(seen, timeout=timeout, what=f"{count} x {message_type} for {correlation_id}")


@asynccontextmanager
async def event_tap(amqp_url: str, routing_key: str = "#") -> AsyncIterator[EventTap]:
    connection = await aio_pika.connect(amqp_url)
    async with connection:
        queue = await declare_tap(await connection.channel(), routing_key)
        tap = EventTap()

        async def keep(message: AbstractIncomingMessage) -> None:
            tap.messages.append(message)
            await message.ack()

        await queue.consume(keep)
        yield tap


@dataclass
class RunningService:
    runtime: ServiceRuntime
    http: httpx.AsyncClient


@asynccontextmanager
async def running(world: World, *names: str, **overrides: Any) -> AsyncIterator[dict[str, RunningService]]:
    """Start services in this process (each with its own broker connection, engine and relay)."""
    started: dict[str, RunningService] = {}
    try:
        for name in names:
            runtime = ServiceRuntime(services.definition(name), world.settings(name, **overrides))
            await runtime.start()
            transport = httpx.ASGITransport(app=create_app(runtime, manage_lifecycle=False))
            started[name] = RunningService(runtime, httpx.AsyncClient(transport=transport, base_url=f"http://{name}"))
        yield started
    finally:
        for service in started.values():
            await service.http.aclose()
            await service.runtime.stop()


async def send(
    amqp_url: str,
    body: bytes,
    *,
    routing_key: str,
    exchange: str = EVENTS_EXCHANGE,
    message_id: str | None = None,
    message_type: str | None = None,
    copies: int = 1,
) -> None:
    """Publish raw bytes, persistent and confirmed, as another service or a misbehaving client would."""
    connection = await aio_pika.connect(amqp_url)
    async with connection:
        channel = await connection.channel(publisher_confirms=True)
        target = await channel.get_exchange(exchange) if exchange else channel.default_exchange
        message = aio_pika.Message(
            body,
            message_id=message_id,
            type=message_type,
            content_type="application/json",
            delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
        )
        await asyncio.gather(*(target.publish(message, routing_key=routing_key) for _ in range(copies)))


async def send_envelope(amqp_url: str, envelope: Envelope[Any], *, copies: int = 1) -> None:
    await send_envelopes(amqp_url, [envelope] * copies)


async def send_envelopes(amqp_url: str, envelopes: list[Envelope[Any]]) -> None:
    """Publish envelopes on `aftercare.events` as their producer's relay would, over one connection."""
    connection = await aio_pika.connect(amqp_url)
    async with connection:
        channel = await connection.channel(publisher_confirms=True)
        exchange = await channel.get_exchange(EVENTS_EXCHANGE)
        await asyncio.gather(
            *(
                exchange.publish(
                    aio_pika.Message(
                        envelope.model_dump_json().encode(),
                        message_id=str(envelope.message_id),
                        correlation_id=envelope.correlation_id,
                        type=envelope.type,
                        content_type="application/json",
                        delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
                    ),
                    routing_key=envelope.type,
                )
                for envelope in envelopes
            )
        )


async def queue_depth(amqp_url: str, queue: str) -> int:
    connection = await aio_pika.connect(amqp_url)
    async with connection:
        channel = await connection.channel()
        declared = await channel.declare_queue(queue, passive=True)
        return int(declared.declaration_result.message_count or 0)


async def deliver_in_memory(world: World, service: str, queue: str, *envelopes: Envelope[Any]) -> None:
    """Hand each envelope, in turn, to the service's consumer of `queue`: FastStream's in-memory broker,
    real database. For one handler's contract tests only; everything else goes through RabbitMQ."""
    runtime = ServiceRuntime(services.definition(service), world.settings(service))
    try:
        async with TestRabbitBroker(runtime.broker) as broker:
            for envelope in envelopes:
                await broker.publish(envelope.model_dump_json().encode(), queue=queue)
    finally:
        await runtime.engine.dispose()


async def fetch_all(world: World, statement: Select[Any]) -> list[Row[Any]]:
    """Every row a select returns from this world's database, over an engine of its own."""
    engine = create_engine(world.database_url, pool_size=1)
    try:
        async with engine.connect() as connection:
            return list((await connection.execute(statement)).all())
    finally:
        await engine.dispose()


async def produced(
    world: World,
    service: str,
    message_type: str,
    *,
    correlation_id: str | None = None,
    causation_id: uuid.UUID | None = None,
) -> list[RawEnvelope]:
    """The events of one type a service has left in its outbox, oldest first; only those of one
    conversation and/or caused by one message, when asked."""
    metadata = services.definition(service).metadata
    outbox = metadata.tables[f"{metadata.schema}.outbox"]
    statement = select(outbox.c.body).where(outbox.c.message_type == message_type).order_by(outbox.c.id)
    if correlation_id is not None:
        statement = statement.where(outbox.c.correlation_id == correlation_id)
    envelopes = [RawEnvelope.model_validate_json(body) for (body,) in await fetch_all(world, statement)]
    return [e for e in envelopes if causation_id is None or e.causation_id == causation_id]


def ticket_opened(ticket_id: str | None = None, **changes: Any) -> TicketOpened:
    """A complete `ticket.opened` payload: a bgm fault at HH138 reported by hotline just now, under a
    ticket id no other test uses unless one is given. `changes` override any field; `received_at`
    follows `reported_at` unless given too."""
    reported_at = changes.pop("reported_at", None) or datetime.now(UTC)
    values: dict[str, Any] = {
        "ticket_id": ticket_id or f"HH138-20261125-{uuid.uuid4().hex[:6]}",
        "site_code": "HH138",
        "site_name": "Infinity Mall, 138 Huaihai Middle Road",
        "site_timezone": "Asia/Shanghai",
        "subsystem": "bgm",
        "kind": ServiceKind.FAULT,
        "priority": Priority.NORMAL,
        "channel": RequestChannel.HOTLINE,
        "description": "No background music in the L1 atrium",
        "reporter": Reporter(name="Ms. Xu", phone="+86 21 5555 0101"),
        "reported_at": reported_at,
        "received_at": reported_at,
    }
    values.update(changes)
    return TicketOpened(**values)


def opened_envelope(ticket_id: str | None = None, **changes: Any) -> Envelope[TicketOpened]:
    """`ticket_opened(...)` as intake publishes it: a fresh message id, correlated by the ticket id."""
    opened = ticket_opened(ticket_id, **changes)
    return seal(opened, producer="intake", correlation_id=opened.ticket_id)


# Services as processes ------------------------------------------------------------------------------


_PORTS_GIVEN: set[int] = set()


def free_port() -> int:
    """A port free now and never handed out before in this run: the OS may offer a port again as soon
    as the probe closes, and two services told the same port would leave one of them dead."""
    while True:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = int(probe.getsockname()[1])
        if port not in _PORTS_GIVEN:
            _PORTS_GIVEN.add(port)
            return port


@dataclass
class Process:
    """An `aftercare` command running as its own process, its output kept in a file (a pipe nobody
    reads would fill up and block the process's logging)."""

    popen: subprocess.Popen[bytes]
    log: Path

    def stop(self, sig: signal.Signals, timeout: float = 60) -> tuple[int, str]:
        self.popen.send_signal(sig)
        returncode = self.popen.wait(timeout=timeout)
        return returncode, self.output()

    def output(self) -> str:
        return self.log.read_text(errors="replace")


@contextmanager
def aftercare_process(*args: str, env: dict[str, str], log_dir: Path) -> Iterator[Process]:
    """`aftercare ARGS...` as a process of its own, killed on the way out if still running."""
    label = re.sub(r"[^\w.]+", "-", " ".join(args))[:80]  # arguments may be paths
    log = log_dir / f"{label}-{uuid.uuid4().hex[:6]}.log"
    with log.open("wb") as output:
        popen = subprocess.Popen(  # noqa: S603 (our own command line)
            [sys.executable, "-m", "services", *args], env=env, stdout=output, stderr=subprocess.STDOUT
        )
    try:
        yield Process(popen, log)
    finally:
        if popen.poll() is None:
            popen.kill()
            popen.wait()


async def is_ready(url: str) -> bool:
    """Whether the service at `url` answers its readiness check."""
    try:
        async with httpx.AsyncClient() as client:
            return (await client.get(f"{url}/readyz", timeout=1)).status_code == 200
    except httpx.HTTPError:
        return False


# Deployment-style accounts --------------------------------------------------------------------------


def deployment_accounts(world: World, label: str) -> list[ServiceAccess]:
    """Each service's own PostgreSQL role and RabbitMQ user, as a deployment gives them, in a database
    and virtual host of their own (`<world>_<label>`), named for this run, with fresh passwords."""
    place = f"{world.name}_{label}"
    broker = urlsplit(AMQP_BASE_URL)
    accounts = []
    for name in services.NAMES:
        definition = services.definition(name)
        account = f"{place}_{name}"
        password = uuid.uuid4().hex
        database_url = make_url(POSTGRES_URL).set(username=account, password=password, database=place)
        settings = definition.settings_class(
            database_url=database_url.render_as_string(hide_password=False),
            amqp_url=f"amqp://{account}:{password}@{broker.hostname}:{broker.port or 5672}/{quote(place, safe='')}",
        )
        accounts.append(ServiceAccess.of(definition, settings))
    return accounts


@asynccontextmanager
async def removed_afterwards(accounts: Sequence[ServiceAccess]) -> AsyncIterator[None]:
    """Drop, on the way out, every database, role, virtual host and user these accounts name.

    They must all be this run's own: a name that does not start with the tests' prefix is refused
    before anything is created, so a mistake can never drop a role or user somebody else uses.
    """
    databases = {str(make_url(a.database_url).database) for a in accounts}
    roles = {str(make_url(a.database_url).username) for a in accounts}
    vhosts = {unquote(urlsplit(a.amqp_url).path[1:]) for a in accounts}
    users = {unquote(urlsplit(a.amqp_url).username or "") for a in accounts}
    foreign = sorted(n for n in databases | roles | vhosts | users if not n.startswith(TEST_NAME_PREFIX))
    if foreign:
        raise ValueError(f"refusing to manage names a test did not make: {', '.join(foreign)}")
    try:
        yield
    finally:
        base = POSTGRES_URL.rsplit("/", 1)[0]
        for database in databases:
            await drop_database(f"{base}/{database}")
        connection = await asyncpg.connect(asyncpg_dsn(POSTGRES_URL))
        try:
            for role in roles:
                await connection.execute(f'DROP ROLE IF EXISTS "{role}"')
        finally:
            await connection.close()
        for vhost in vhosts:
            await asyncio.to_thread(_rabbitmqctl_if_present, "delete_vhost", vhost)
        for user in users:
            await asyncio.to_thread(_rabbitmqctl_if_present, "delete_user", user)


def _rabbitmqctl_if_present(command: str, name: str) -> None:
    """Delete a virtual host or user that provisioning may or may not have got to create."""
    subprocess.run([RABBITMQCTL, "-q", command, name], check=False, capture_output=True, timeout=60)  # noqa: S603


# A throwaway service for exercising the kernel alone ------------------------------------------------


@dataclass
class ScratchService:
    """A service of no business meaning: its own schema with the kernel's tables and one `effects`
    table, its own queue, and a handler registry the caller fills in."""

    definition: ServiceDefinition
    handlers: MessageHandlers
    effects: Table

    @property
    def name(self) -> str:
        return self.definition.name

    @property
    def queue(self) -> str:
        return f"{self.name}.inbox"


@asynccontextmanager
async def scratch_service(world: World, prefix: str, *effect_columns: Column[Any]) -> AsyncIterator[ScratchService]:
    """Create the schema of a scratch service in `world`, and drop it on the way out."""
    name = f"{prefix}_{uuid.uuid4().hex[:8]}"
    metadata = schema_metadata(name)
    outbox_table(metadata)
    inbox_table(metadata)
    effects = Table("effects", metadata, *effect_columns)
    handlers = MessageHandlers()
    scratch = ScratchService(
        definition=ServiceDefinition(
            name=name,
            summary=f"scratch service {name}",
            settings_class=ServiceSettings,
            metadata=metadata,
            migrations_dir=Path("unused"),
            router=APIRouter(),
            subscriptions=(Subscription(f"{name}.inbox", handlers),),
        ),
        handlers=handlers,
        effects=effects,
    )
    engine = create_engine(world.database_url, pool_size=1)
    try:
        async with engine.begin() as connection:
            await connection.execute(text(f'CREATE SCHEMA "{name}"'))
            await connection.run_sync(metadata.create_all)
        yield scratch
    finally:
        async with engine.begin() as connection:
            await connection.execute(text(f'DROP SCHEMA IF EXISTS "{name}" CASCADE'))
        await engine.dispose()
