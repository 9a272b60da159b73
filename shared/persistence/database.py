"""Engines and schema-scoped metadata for a service's own PostgreSQL schema."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import asyncpg
from sqlalchemy import ClauseElement, CursorResult, MetaData, Result, Table
from sqlalchemy.dialects.postgresql.asyncpg import dialect as asyncpg_dialect
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def schema_metadata(schema: str) -> MetaData:
    """Metadata whose tables all live in one service's schema, with predictable constraint names."""
    return MetaData(schema=schema, naming_convention=NAMING_CONVENTION)


def create_engine(database_url: str, *, pool_size: int = 10) -> AsyncEngine:
    return create_async_engine(
        database_url,
        pool_size=pool_size,
        max_overflow=pool_size,
        # No pre-ping: it costs a round trip per transaction. A connection broken by a database restart
        # fails its statement; the message is retried and the pool replaces the connection.
        pool_recycle=1800,
        # A statement's parameters are the people's data (names, phone numbers): never in an error's text,
        # where they would reach the logs and dead letters.
        hide_parameters=True,
    )


def dicts_of(result: Result[Any]) -> list[dict[str, Any]]:
    """A result's rows as dicts, for long lists: the keys are read once and are plain strings, where
    `dict(row._mapping)` builds a key view for every row (three times slower over the board's 4,500
    clocks) and keeps SQLAlchemy's subclass of str, which pydantic-core serialises slowly."""
    keys = list(map(str, result.keys()))
    return [dict(zip(keys, row, strict=True)) for row in result]


def asyncpg_dsn(database_url: str) -> str:
    """The plain libpq URL asyncpg wants, from SQLAlchemy's `postgresql+asyncpg://` form. Several hosts
    (`?host=a:5432&host=b:5432`, SQLAlchemy's way) go into the address as `a:5432,b:5432`, asyncpg's
    way: its own reading of repeated `host` parameters keeps only the last."""
    url = make_url(database_url).set(drivername="postgresql")
    hosts = url.query.get("host")
    if not isinstance(hosts, tuple):
        return url.render_as_string(hide_password=False)
    parts = urlsplit(url.difference_update_query(["host"]).render_as_string(hide_password=False))
    credentials = parts.netloc.rpartition("@")[0]
    return urlunsplit(parts._replace(netloc=(f"{credentials}@" if credentials else "") + ",".join(hosts)))


async def ensure_database(database_url: str) -> bool:
    """Create the database named in the URL if it does not exist; True when it was created.

    It connects to that database first and is done if it answers, so a deployment's service role,
    which may neither create databases nor connect to the maintenance database, never needs to.
    Only when the database is missing does it connect to `postgres` and create it.
    """
    url = make_url(database_url)
    name = url.database
    if not name:
        raise ValueError(f"no database name in {url.render_as_string(hide_password=True)}")
    try:
        await (await asyncpg.connect(asyncpg_dsn(database_url))).close()
        return False
    except asyncpg.InvalidCatalogNameError:
        pass  # missing: create it below
    maintenance = asyncpg_dsn(url.set(database="postgres").render_as_string(hide_password=False))
    try:
        connection = await asyncpg.connect(maintenance)
        try:
            await connection.execute(f'CREATE DATABASE "{name}"')
        finally:
            await connection.close()
    except asyncpg.DuplicateDatabaseError:
        return False  # another migrator created it a moment ago
    except asyncpg.InsufficientPrivilegeError as refused:
        raise PermissionError(
            f"database {name!r} does not exist and role {url.username!r} may not create it; "
            "create it first (`aftercare provision` creates it with every service's role)"
        ) from refused
    return True


async def drop_database(database_url: str) -> None:
    """Drop the database named in the URL, disconnecting its sessions (tests and benchmarks only)."""
    url = make_url(database_url)
    connection = await asyncpg.connect(asyncpg_dsn(url.set(database="postgres").render_as_string(hide_password=False)))
    try:
        await connection.execute(f'DROP DATABASE IF EXISTS "{url.database}" WITH (FORCE)')
    finally:
        await connection.close()


class PrecompiledStatement:
    """A Core statement compiled once for asyncpg and executed as driver SQL.

    For the kernel's per-message statements (inbox claim, outbox insert): SQLAlchemy still writes the
    SQL and runs it in the caller's transaction, but skips compiling and caching it on every message,
    which costs more than the database round trip.
    """

    def __init__(self, statement: ClauseElement) -> None:
        compiled = statement.compile(dialect=_ASYNCPG_DIALECT)
        self.sql = str(compiled)
        self._names: list[str] = list(getattr(compiled, "positiontup", None) or ())

    def parameters(self, values: Mapping[str, Any]) -> tuple[Any, ...]:
        return tuple(values[name] for name in self._names)

    async def execute(self, connection: AsyncConnection, values: Mapping[str, Any]) -> CursorResult[Any]:
        return await connection.exec_driver_sql(self.sql, self.parameters(values))

    async def execute_many(self, connection: AsyncConnection, rows: Sequence[Mapping[str, Any]]) -> None:
        await connection.exec_driver_sql(self.sql, [self.parameters(row) for row in rows])


_ASYNCPG_DIALECT = asyncpg_dialect()  # type: ignore[no-untyped-call]


def quoted_table(table: Table) -> str:
    """A table's schema-qualified name as driver SQL must write it."""
    return str(_ASYNCPG_DIALECT.identifier_preparer.format_table(table))
