"""Deployment-style accounts for tests: each service's own PostgreSQL role and RabbitMQ user, as
`aftercare provision` creates them, in a database and virtual host of their own, removed afterwards.

Roles and users are cluster-wide: every name made here starts with the run's name, and removal refuses
any other, so a mistake can never drop a role or user somebody else uses.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from urllib.parse import quote, unquote, urlsplit

import asyncpg
import httpx
from sqlalchemy.engine import make_url

import services
from shared.messaging import topology
from shared.persistence import migrations
from shared.persistence.database import asyncpg_dsn, drop_database, ensure_database
from shared.provisioning import ServiceAccess, provision_broker, provision_database
from testkit.machine import AMQP_BASE_URL, BROKER_ADMIN_URL, POSTGRES_URL, TEST_NAME_PREFIX, rabbitmqctl
from testkit.world import World


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


def require_management_api() -> None:
    """Provisioning creates broker users through RabbitMQ's management API; say at once if it is off."""
    try:
        httpx.get(f"{BROKER_ADMIN_URL}/api/overview", timeout=5).raise_for_status()
    except httpx.HTTPError as error:
        address = httpx.URL(BROKER_ADMIN_URL).copy_with(username=None, password=None)
        raise RuntimeError(
            f"RabbitMQ's management API does not answer at {address} ({error}): run `make test`, "
            "which enables it, or `rabbitmq-plugins enable rabbitmq_management`"
        ) from error


@asynccontextmanager
async def removed_afterwards(accounts: Sequence[ServiceAccess]) -> AsyncIterator[None]:
    """Drop, on the way out, every database, role, virtual host and user these accounts name.

    They must all be this run's own: a name that does not start with the tests' prefix is refused
    before anything is created.
    """
    databases = {str(make_url(a.database_url).database) for a in accounts}
    roles = {str(make_url(a.database_url).username) for a in accounts}
    vhosts = {unquote(urlsplit(a.amqp_url).path[1:]) for a in accounts}
    users = {unquote(urlsplit(a.amqp_url).username or "") for a in accounts}
    foreign = sorted(n for n in databases | roles | vhosts | users if not n.startswith(TEST_NAME_PREFIX))
    if foreign:
        raise ValueError(f"refusing to manage names a test did not make: {', '.join(foreign)}")
    require_management_api()
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
        # Provisioning may or may not have got to create each of them.
        for vhost in vhosts:
            await asyncio.to_thread(rabbitmqctl, "delete_vhost", vhost, check=False)
        for user in users:
            await asyncio.to_thread(rabbitmqctl, "delete_user", user, check=False)


@asynccontextmanager
async def provisioned_deployment(world: World, label: str) -> AsyncIterator[dict[str, ServiceAccess]]:
    """Every service provisioned as a deployment is, its schema migrated and its queues declared by
    its own role and user, as `aftercare migrate` and a starting service do; removed afterwards."""
    provisioned = deployment_accounts(world, label)
    async with removed_afterwards(provisioned):
        await provision_database(POSTGRES_URL, provisioned)
        await asyncio.to_thread(provision_broker, BROKER_ADMIN_URL, provisioned)
        for account in provisioned:
            if await ensure_database(account.database_url):
                raise AssertionError(f"{account.service} created its database; provisioning should have")
            directory = services.definition(account.service).migrations_dir
            await asyncio.to_thread(migrations.upgrade, directory, account.database_url)
            await topology.declare(account.amqp_url, *(queue_as_declared(account, q) for q in account.queues))
        yield {account.service: account for account in provisioned}


def queue_as_declared(account: ServiceAccess, name: str) -> topology.ConsumerQueue:
    """The queue as its service declares it, bound to the events it consumes."""
    definition = services.definition(account.service)
    subscription = next(s for s in definition.subscriptions if s.queue == name)
    settings = definition.settings_class(database_url=account.database_url, amqp_url=account.amqp_url)
    return subscription.consumer_queue(subscription.handlers_for(settings))
