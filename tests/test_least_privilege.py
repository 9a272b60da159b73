"""Least privilege in the database as deployed: `aftercare provision` gives each service a PostgreSQL
role that owns its own schema and can reach no other, and each service migrates its schema as its own
role (the broker's side: tests/test_least_privilege_broker.py). Provisioning itself refuses what is unsafe.

The roles, users, database and virtual host are this run's own and are dropped at the end.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import asyncpg
import pytest
from sqlalchemy.engine import make_url

import services
from shared.persistence.database import asyncpg_dsn, ensure_database
from shared.provisioning import (
    ProvisioningError,
    ServiceAccess,
    provision_broker,
    provision_database,
)
from testkit.accounts import deployment_accounts, provisioned_deployment, removed_afterwards
from testkit.machine import BROKER_ADMIN_URL, POSTGRES_URL
from testkit.world import World


@pytest.fixture(scope="module")
async def accounts(world: World) -> AsyncIterator[dict[str, ServiceAccess]]:
    async with provisioned_deployment(world, "roles") as provisioned:
        yield provisioned


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
