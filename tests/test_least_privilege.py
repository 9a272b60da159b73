"""Least privilege as deployed: `aftercare provision` gives each service a PostgreSQL role that owns its
own schema and can reach no other, and a RabbitMQ user that can declare, bind and consume only its own
queues. Each service migrates its schema as its own role.

The roles, users, database and virtual host are this run's own and are dropped at the end.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator

import asyncpg
import pytest
from aio_pika.abc import AbstractChannel
from sqlalchemy.engine import make_url

import services
from shared.messaging import topology
from shared.messaging.publisher import Publisher
from shared.persistence import migrations
from shared.persistence.database import asyncpg_dsn, ensure_database
from shared.provisioning import (
    ProvisioningError,
    ServiceAccess,
    broker_permissions,
    provision_broker,
    provision_database,
)
from testkit.accounts import deployment_accounts, removed_afterwards
from testkit.broker import refused_by_broker
from testkit.machine import BROKER_ADMIN_URL, POSTGRES_URL
from testkit.world import World


@pytest.fixture(scope="module")
async def accounts(world: World) -> AsyncIterator[dict[str, ServiceAccess]]:
    """Every service provisioned as a deployment is, its schema migrated and its queues declared by
    its own role and user, as `aftercare migrate` and a starting service do."""
    provisioned = deployment_accounts(world, "roles")
    async with removed_afterwards(provisioned):
        await provision_database(POSTGRES_URL, provisioned)
        await asyncio.to_thread(provision_broker, BROKER_ADMIN_URL, provisioned)
        for account in provisioned:
            assert await ensure_database(account.database_url) is False
            directory = services.definition(account.service).migrations_dir
            await asyncio.to_thread(migrations.upgrade, directory, account.database_url)
            await topology.declare(account.amqp_url, *(_queue(account, q) for q in account.queues))
        yield {account.service: account for account in provisioned}


def _queue(account: ServiceAccess, name: str) -> topology.ConsumerQueue:
    """The queue as its service declares it, bound to the events it consumes."""
    definition = services.definition(account.service)
    subscription = next(s for s in definition.subscriptions if s.queue == name)
    settings = definition.settings_class(database_url=account.database_url, amqp_url=account.amqp_url)
    return subscription.consumer_queue(subscription.handlers_for(settings))


async def _as_role(account: ServiceAccess) -> asyncpg.Connection:
    return await asyncpg.connect(asyncpg_dsn(account.database_url))


async def _as_admin(account: ServiceAccess) -> asyncpg.Connection:
    database = make_url(account.database_url).database
    return await asyncpg.connect(asyncpg_dsn(make_url(POSTGRES_URL).set(database=database).render_as_string(False)))


# PostgreSQL ------------------------------------------------------------------------------------------


async def test_each_role_migrated_and_owns_its_schema_and_every_table_in_it(
    accounts: dict[str, ServiceAccess],
) -> None:
    admin = await _as_admin(accounts["intake"])
    try:
        for name, account in accounts.items():
            role = _role_of(account)
            schema_owner = await admin.fetchval(
                "SELECT pg_get_userbyid(nspowner) FROM pg_namespace WHERE nspname = $1", account.schema
            )
            assert schema_owner == role
            tables = await admin.fetch("SELECT tablename, tableowner FROM pg_tables WHERE schemaname = $1", name)
            expected = {t.name for t in services.definition(name).metadata.tables.values()} | {"alembic_version"}
            assert {row["tablename"] for row in tables} == expected
            assert {row["tableowner"] for row in tables} == {role}
    finally:
        await admin.close()


@pytest.mark.parametrize("name", services.NAMES)
async def test_a_service_role_is_refused_on_every_other_service_schema(
    accounts: dict[str, ServiceAccess], name: str
) -> None:
    connection = await _as_role(accounts[name])
    try:
        assert await connection.fetchval(f'SELECT count(*) FROM "{name}".outbox') == 0
        for other in services.NAMES:
            if other == name:
                continue
            for table in services.definition(other).metadata.tables.values():
                with pytest.raises(asyncpg.InsufficientPrivilegeError, match=f"schema {other}"):
                    await connection.fetch(f'SELECT * FROM "{other}"."{table.name}" LIMIT 1')
            with pytest.raises(asyncpg.InsufficientPrivilegeError):
                await connection.execute(f'CREATE TABLE "{other}".intruder (id int)')
    finally:
        await connection.close()


async def test_the_archive_role_itself_cannot_change_or_delete_a_document(
    accounts: dict[str, ServiceAccess],
) -> None:
    connection = await _as_role(accounts["archive"])
    try:
        for statement in ("UPDATE archive.documents SET title = 'x'", "DELETE FROM archive.documents"):
            # The trigger fires per row: a row of its own to refuse, in a transaction rolled back anyway.
            transaction = connection.transaction()
            await transaction.start()
            try:
                await connection.execute(
                    "INSERT INTO archive.documents (code, version, category, title, site_code, year, source, "
                    "media_type, content, sha256, archived_at, chain_position, previous_hash, chain_hash) VALUES "
                    "('X-1', 1, 'REC', 't', 'X', 2026, 's', 'application/json', '{}', 'h', now(), 1, 'p', 'c')"
                )
                with pytest.raises(asyncpg.InsufficientPrivilegeError, match="cannot be changed or deleted"):
                    await connection.execute(statement)
            finally:
                await transaction.rollback()
    finally:
        await connection.close()


async def test_a_service_role_can_create_nothing_outside_its_own_schema(accounts: dict[str, ServiceAccess]) -> None:
    account = accounts["intake"]
    connection = await _as_role(account)
    try:
        for statement in (
            "CREATE SCHEMA intruder",
            "CREATE TABLE public.intruder (id int)",
            "CREATE TEMPORARY TABLE intruder (id int)",
            "CREATE ROLE intruder",
            f'CREATE DATABASE "{make_url(account.database_url).database}_intruder"',
        ):
            with pytest.raises(asyncpg.InsufficientPrivilegeError):
                await connection.execute(statement)
    finally:
        await connection.close()


async def test_a_role_that_may_not_create_a_missing_database_is_told_to_provision_it(
    accounts: dict[str, ServiceAccess],
) -> None:
    url = make_url(accounts["vendor"].database_url)
    missing = url.set(database=f"{url.database}_missing").render_as_string(hide_password=False)
    with pytest.raises(PermissionError, match="aftercare provision"):
        await ensure_database(missing)


async def test_provisioning_again_keeps_every_schema_and_its_tables(accounts: dict[str, ServiceAccess]) -> None:
    done = await provision_database(POSTGRES_URL, list(accounts.values()))
    assert sorted(line for line in done if line.startswith("schema")) == sorted(
        f"schema {make_url(a.database_url).database}.{a.schema} kept, owned by {_role_of(a)}"
        + (f", with {', '.join(a.extensions)}" if a.extensions else "")
        for a in accounts.values()
    )
    await asyncio.to_thread(provision_broker, BROKER_ADMIN_URL, list(accounts.values()))
    connection = await _as_role(accounts["archive"])
    try:
        assert await connection.fetchval("SELECT count(*) FROM archive.outbox") == 0
        # Its search runs on pg_trgm, in its own schema, found by its role's search path.
        assert await connection.fetchval("SELECT similarity('背景音乐', '背景音乐无声') > 0")
    finally:
        await connection.close()


async def test_provisioning_never_changes_an_administrator_and_refuses_before_changing_anything(
    world: World,
) -> None:
    """A service set to connect as an administrator (here sla, as the test world's services do) stops
    provisioning before the services listed ahead of it are touched."""
    ahead = next(a for a in deployment_accounts(world, "refused") if a.service == "intake")
    definition = services.definition("sla")
    as_administrator = ServiceAccess.of(
        definition, definition.settings_class(database_url=world.database_url, amqp_url=world.amqp_url)
    )
    async with removed_afterwards([ahead]):
        with pytest.raises(ProvisioningError, match="administrator role"):
            await provision_database(POSTGRES_URL, [ahead, as_administrator])
        with pytest.raises(ProvisioningError, match="as the administrator"):
            await asyncio.to_thread(provision_broker, BROKER_ADMIN_URL, [ahead, as_administrator])
        connection = await asyncpg.connect(asyncpg_dsn(POSTGRES_URL))
        try:
            administrator = make_url(world.database_url).username
            assert await connection.fetchval("SELECT rolsuper FROM pg_roles WHERE rolname = $1", administrator)
            assert await connection.fetchval("SELECT 1 FROM pg_roles WHERE rolname = $1", _role_of(ahead)) is None
        finally:
            await connection.close()


def _role_of(account: ServiceAccess) -> str:
    return str(make_url(account.database_url).username)


# RabbitMQ --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", services.NAMES)
async def test_a_service_user_is_refused_on_every_other_service_queue(
    accounts: dict[str, ServiceAccess], name: str
) -> None:
    url = accounts[name].amqp_url
    for other in services.NAMES:
        if other == name:
            continue
        for queue in accounts[other].queues:
            spec = _queue(accounts[other], queue)

            async def consume(channel: AbstractChannel, queue: str = queue) -> None:
                await (await channel.get_queue(queue, ensure=False)).get(fail=False)

            async def declare(channel: AbstractChannel, spec: topology.ConsumerQueue = spec) -> None:
                await topology.declare_consumer_queue(channel, spec)

            async def bind(channel: AbstractChannel, queue: str = queue) -> None:
                target = await channel.get_queue(queue, ensure=False)
                await target.bind(topology.EVENTS_EXCHANGE, routing_key="ticket.opened")

            assert await refused_by_broker(url, consume), f"{name} read {queue}"
            assert await refused_by_broker(url, declare), f"{name} declared {queue}"
            assert await refused_by_broker(url, bind), f"{name} bound {queue}"


async def test_a_service_user_may_do_what_its_service_does(accounts: dict[str, ServiceAccess]) -> None:
    account = accounts["dispatch"]
    queue = account.queues[0]
    assert set(account.queues) == {"dispatch.inbox", "dispatch.notices"}
    spec = topology.ConsumerQueue(queue)
    publisher = Publisher(account.amqp_url, name="least-privilege")
    await publisher.start()
    try:
        # an event, a retry (through the default exchange to its own retry queue) and a dead letter
        for exchange, routing_key in (
            (topology.EVENTS_EXCHANGE, "ticket.assigned"),
            ("", spec.retry_queue),
            (topology.DEAD_LETTER_EXCHANGE, queue),
        ):
            await publisher.publish(
                b"{}",
                exchange=exchange,
                routing_key=routing_key,
                message_id=None,
                correlation_id=None,
                message_type=None,
            )
    finally:
        await publisher.stop()

    async def consume_own(channel: AbstractChannel) -> None:
        await (await channel.get_queue(queue, ensure=False)).get(fail=False)

    assert not await refused_by_broker(account.amqp_url, consume_own)


def test_broker_permissions_name_exactly_the_own_queues_and_the_shared_exchanges() -> None:
    permissions = broker_permissions(["dispatch.inbox"])
    for allowed in ("dispatch.inbox", "dispatch.inbox.retry", "dispatch.inbox.dead", "aftercare.events"):
        assert re.fullmatch(permissions.read, allowed)
    for refused in ("intake.requests", "dispatch.inbox2", "xdispatch.inbox", "sla.inbox.dead"):
        assert not re.fullmatch(permissions.configure, refused)
        assert not re.fullmatch(permissions.read, refused)
    assert re.fullmatch(permissions.write, "amq.default")
    assert not re.fullmatch(permissions.read, "amq.default")


async def test_an_extension_installed_in_another_schema_is_named_not_moved(world: World) -> None:
    archive = next(a for a in deployment_accounts(world, "extension") if a.service == "archive")
    async with removed_afterwards([archive]):
        database = make_url(POSTGRES_URL).set(database=make_url(archive.database_url).database)
        await ensure_database(database.render_as_string(hide_password=False))
        connection = await _as_admin(archive)
        try:
            await connection.execute("CREATE EXTENSION pg_trgm WITH SCHEMA public")
        finally:
            await connection.close()
        with pytest.raises(ProvisioningError, match=r"pg_trgm is installed in schema public .* ALTER EXTENSION"):
            await provision_database(POSTGRES_URL, [archive])
