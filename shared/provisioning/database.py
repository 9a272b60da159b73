"""PostgreSQL: each service's login role, owning its own schema and nothing else."""

from __future__ import annotations

from collections.abc import Sequence

import asyncpg
from sqlalchemy.engine import URL, make_url

from shared.persistence.database import asyncpg_dsn
from shared.provisioning.accounts import ProvisioningError, ServiceAccess


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
    for extension in service.extensions:
        await _ensure_extension(connection, database, extension, service.schema)
    extensions = f", with {', '.join(service.extensions)}" if service.extensions else ""
    taken = [name for name in service.takes_over if await _take_over(connection, name, service.schema, role)]
    handed = f", taking over {', '.join(taken)}" if taken else ""
    return f"schema {database}.{service.schema} {outcome}, owned by {role}{extensions}{handed}"


async def _take_over(connection: asyncpg.Connection, qualified: str, schema: str, role: str) -> bool:
    """Move another schema's table, rows and all, into the service's schema and give it to its role, if
    it is still there and the service has no such table yet (its own migration then keeps it)."""
    source, table = qualified.split(".", 1)
    if await connection.fetchval("SELECT to_regclass($1)", f'"{source}"."{table}"') is None:
        return False
    if await connection.fetchval("SELECT to_regclass($1)", f'"{schema}"."{table}"') is not None:
        return False
    await _execute(connection, "ALTER TABLE %I.%I SET SCHEMA %I", source, table, schema)
    await _execute(connection, "ALTER TABLE %I.%I OWNER TO %I", schema, table, role)
    return True


async def _ensure_extension(connection: asyncpg.Connection, database: str, extension: str, schema: str) -> None:
    """The extension in the service's schema, where its role's search path finds it. One that is already
    installed elsewhere is not moved: something else may use it there."""
    installed_in = await connection.fetchval(
        "SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = $1",
        extension,
    )
    if installed_in is None:
        await _execute(connection, "CREATE EXTENSION %I WITH SCHEMA %I", extension, schema)
    elif installed_in != schema:
        raise ProvisioningError(
            f"{extension} is installed in schema {installed_in} of database {database}, but the {schema} service "
            f"needs it in its own schema: if nothing else uses it, ALTER EXTENSION {extension} SET SCHEMA {schema}"
        )


async def _execute(connection: asyncpg.Connection, template: str, *values: str) -> None:
    """Run a utility statement whose identifiers (%I) and literals (%L) PostgreSQL quotes itself:
    CREATE ROLE and friends take no bind parameters."""
    arguments = "".join(f", ${n}::text" for n in range(2, len(values) + 2))
    statement = await connection.fetchval(f"SELECT format($1::text{arguments})", template, *values)
    await connection.execute(statement)
