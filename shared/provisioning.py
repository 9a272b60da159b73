"""What each service connects as, created before it first starts: a PostgreSQL role that owns the
service's schema and nothing else, and a RabbitMQ user that may touch only the service's own queues
and the suite's shared exchanges.

`aftercare provision` runs this with administrator connections (`AFTERCARE_PROVISION_*`). The role,
user, password, database and virtual host to create are read from each service's own
`<SERVICE>_DATABASE_URL` and `<SERVICE>_AMQP_URL`: the URL a service connects with is the one statement
of what it connects as. Everything is idempotent and sets the passwords again, so running it after a
change of the env file rotates them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from urllib.parse import quote, unquote, urlsplit

import asyncpg
import httpx
from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy.engine import URL, make_url

from shared.messaging.topology import DEAD_LETTER_EXCHANGE, EVENTS_EXCHANGE, UNROUTED_EXCHANGE, ConsumerQueue
from shared.persistence.database import asyncpg_dsn
from shared.service import ServiceDefinition
from shared.settings import ServiceSettings

# RabbitMQ's name for the nameless default exchange in permission checks.
DEFAULT_EXCHANGE_RESOURCE = "amq.default"
SHARED_EXCHANGES = (EVENTS_EXCHANGE, UNROUTED_EXCHANGE, DEAD_LETTER_EXCHANGE)


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
        )


# PostgreSQL ------------------------------------------------------------------------------------------


async def provision_database(admin_url: str, services: Sequence[ServiceAccess]) -> list[str]:
    """Create each service's database (if missing), login role and schema owned by that role.

    Nobody else gets anything: the databases are closed to PUBLIC and granted (CONNECT only) to the
    services' roles, the `public` schema is closed, and a schema owned by one role is out of reach of
    every other. A role cannot create databases, roles or schemas, so it can change only what it owns.
    Returns what it did, one line each.
    """
    admin = make_url(admin_url)
    databases: dict[str, list[ServiceAccess]] = {}
    for service in services:
        url = make_url(service.database_url)
        if (url.host, url.port) != (admin.host, admin.port):
            raise ProvisioningError(
                f"{service.service} uses the server {url.host}:{url.port}, the administrator connection "
                f"{admin.host}:{admin.port}; provision each server with its own administrator"
            )
        if not url.username or not url.database:
            raise ProvisioningError(f"{service.service}'s database URL names no role or no database")
        databases.setdefault(url.database, []).append(service)

    done: list[str] = []
    connection = await asyncpg.connect(asyncpg_dsn(admin_url))
    try:
        # Refuse before changing anything: no service may connect as an administrator.
        existing = {
            row["rolname"]: row
            for row in await connection.fetch(
                "SELECT rolname, rolsuper, rolcreaterole FROM pg_roles WHERE rolname = ANY($1)",
                [_role(s) for s in services],
            )
        }
        for service in services:
            role = existing.get(_role(service))
            if role is not None and (role["rolsuper"] or role["rolcreaterole"]):
                raise ProvisioningError(
                    f"{service.service} connects as {role['rolname']!r}, an administrator role; give it a role "
                    f"of its own in {service.service.upper()}_DATABASE_URL (provisioning never changes administrators)"
                )
        for service in services:
            url = make_url(service.database_url)
            done.append(await _ensure_role(connection, url, service.service, exists=_role(service) in existing))
        for database, members in databases.items():
            if not await connection.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", database):
                await _execute(connection, "CREATE DATABASE %I", database)
                done.append(f"created database {database}")
            await _execute(connection, "REVOKE ALL ON DATABASE %I FROM PUBLIC", database)
            for role in sorted({_role(member) for member in members}):
                await _execute(connection, "GRANT CONNECT ON DATABASE %I TO %I", database, role)
    finally:
        await connection.close()

    for database, members in databases.items():
        connection = await asyncpg.connect(asyncpg_dsn(admin.set(database=database).render_as_string(False)))
        try:
            # PostgreSQL 15 no longer lets PUBLIC create in `public`; older servers do, and nobody needs it.
            await _execute(connection, "REVOKE ALL ON SCHEMA public FROM PUBLIC")
            done.extend([await _ensure_schema(connection, database, member) for member in members])
        finally:
            await connection.close()
    return done


def _role(service: ServiceAccess) -> str:
    return str(make_url(service.database_url).username)


async def _ensure_role(connection: asyncpg.Connection, url: URL, service: str, *, exists: bool) -> str:
    role = str(url.username)
    verb = "ALTER" if exists else "CREATE"
    if url.password:
        await _execute(connection, f"{verb} ROLE %I WITH LOGIN PASSWORD %L", role, url.password)
    else:
        await _execute(connection, f"{verb} ROLE %I WITH LOGIN", role)
    return f"{'updated' if exists else 'created'} role {role} for {service}"


async def _ensure_schema(connection: asyncpg.Connection, database: str, service: ServiceAccess) -> str:
    role = _role(service)
    owner = await connection.fetchval(
        "SELECT pg_get_userbyid(nspowner) FROM pg_namespace WHERE nspname = $1", service.schema
    )
    if owner is None:
        await _execute(connection, "CREATE SCHEMA %I AUTHORIZATION %I", service.schema, role)
        outcome = "created"
    elif owner != role:
        # Tables made earlier by another role keep their owner: provision before the first migration.
        await _execute(connection, "ALTER SCHEMA %I OWNER TO %I", service.schema, role)
        outcome = f"handed over from {owner}"
    else:
        outcome = "kept"
    # Unqualified names resolve in the service's own schema only.
    await _execute(connection, "ALTER ROLE %I IN DATABASE %I SET search_path TO %I", role, database, service.schema)
    return f"schema {database}.{service.schema} {outcome}, owned by {role}"


async def _execute(connection: asyncpg.Connection, template: str, *values: str) -> None:
    """Run a utility statement whose identifiers (%I) and literals (%L) PostgreSQL quotes itself:
    CREATE ROLE and friends take no bind parameters."""
    arguments = "".join(f", ${n}::text" for n in range(2, len(values) + 2))
    statement = await connection.fetchval(f"SELECT format($1::text{arguments})", template, *values)
    await connection.execute(statement)


# RabbitMQ --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class BrokerPermissions:
    """RabbitMQ's three permission patterns for one user in one virtual host."""

    configure: str
    write: str
    read: str


def broker_permissions(queues: Iterable[str]) -> BrokerPermissions:
    """What a service consuming `queues` needs, and nothing more it could be refused without breaking.

    It declares the shared exchanges and its own queues at start (configure; read and write for the
    bindings and the dead-letter and alternate exchanges they name), publishes events and dead letters
    to the shared exchanges and retries through the default exchange (write), and consumes its queues
    (read). Another service's queue is neither declarable, bindable nor consumable. Publishing through
    the default exchange reaches any queue by name, which RabbitMQ cannot restrict per routing key.
    """
    own = [name for queue in queues for name in _queue_family(queue)]
    resources = list(dict.fromkeys([*SHARED_EXCHANGES, *own]))
    return BrokerPermissions(
        configure=_exactly(resources),
        write=_exactly([*resources, DEFAULT_EXCHANGE_RESOURCE]),
        read=_exactly(resources),
    )


def _queue_family(queue: str) -> tuple[str, str, str]:
    spec = ConsumerQueue(queue)
    return spec.name, spec.retry_queue, spec.dead_queue


def _exactly(names: Iterable[str]) -> str:
    return "^(" + "|".join(re.escape(name) for name in names) + ")$"


@dataclass(frozen=True)
class _BrokerAccount:
    user: str
    password: str | None
    vhost: str


def _broker_account(amqp_url: str) -> _BrokerAccount:
    parts = urlsplit(amqp_url)
    if not parts.username:
        raise ProvisioningError(f"no user in the AMQP URL for {parts.hostname}")
    return _BrokerAccount(
        user=unquote(parts.username),
        password=unquote(parts.password) if parts.password is not None else None,
        vhost=unquote(parts.path[1:]) or "/",
    )


def provision_broker(api_url: str, services: Sequence[ServiceAccess], *, timeout: float = 10) -> list[str]:
    """Create the virtual hosts, each service's user and its permissions through the management API.

    The administrator of the API gets full permissions on each virtual host, for the operators'
    dead-letter tools. Returns what it did, one line each.
    """
    api = httpx.URL(api_url)
    admin = api.username
    accounts: dict[tuple[str, str], tuple[_BrokerAccount, list[str]]] = {}
    for service in services:
        account = _broker_account(service.amqp_url)
        if account.user == admin:
            raise ProvisioningError(
                f"{service.service} connects to RabbitMQ as the administrator {admin!r}; give it a user of "
                f"its own in {service.service.upper()}_AMQP_URL"
            )
        key = (account.user, account.vhost)
        if key in accounts and accounts[key][0].password != account.password:
            raise ProvisioningError(f"two services use the RabbitMQ user {account.user!r} with different passwords")
        accounts.setdefault(key, (account, []))[1].extend(service.queues)

    done: list[str] = []
    everything = {"configure": ".*", "write": ".*", "read": ".*"}
    with httpx.Client(
        base_url=api.copy_with(username=None, password=None),
        auth=(admin, api.password or ""),
        timeout=timeout,
    ) as client:
        for account, _ in accounts.values():  # refuse before changing anything
            existing = client.get(f"/api/users/{_segment(account.user)}")
            if existing.status_code == 200 and "administrator" in str(existing.json().get("tags", "")):
                raise ProvisioningError(f"the RabbitMQ user {account.user!r} is an administrator; use another")
        for vhost in sorted({vhost for _, vhost in accounts}):
            _call(client, "PUT", f"/api/vhosts/{_segment(vhost)}", {})
            _call(client, "PUT", f"/api/permissions/{_segment(vhost)}/{_segment(admin)}", everything)
            done.append(f"virtual host {vhost} ready, {admin} may administer it")
        for account, queues in accounts.values():
            user: dict[str, str] = {"tags": ""}
            if account.password is not None:
                user["password"] = account.password
            _call(client, "PUT", f"/api/users/{_segment(account.user)}", user)
            permissions = broker_permissions(queues)
            _call(
                client,
                "PUT",
                f"/api/permissions/{_segment(account.vhost)}/{_segment(account.user)}",
                {"configure": permissions.configure, "write": permissions.write, "read": permissions.read},
            )
            done.append(f"user {account.user} may use {', '.join(queues) or 'no queue'} in {account.vhost}")
    return done


def _segment(name: str) -> str:
    return quote(name, safe="")


def _call(client: httpx.Client, method: str, path: str, body: dict[str, str]) -> None:
    response = client.request(method, path, json=body)
    if response.status_code >= 300:
        raise ProvisioningError(f"{method} {path}: {response.status_code} {response.text[:300]}")
