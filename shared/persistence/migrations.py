"""Alembic, once per service schema: each service keeps its own history and version table."""

from __future__ import annotations

import asyncio
from pathlib import Path

from alembic import command, context
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import MetaData, text
from sqlalchemy.engine import Connection
from sqlalchemy.exc import SQLAlchemyError

from shared.persistence.database import create_engine


def alembic_config(migrations_dir: Path, database_url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(migrations_dir))
    # configparser treats % as interpolation; URL-encoded passwords contain it.
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return config


def upgrade(migrations_dir: Path, database_url: str, revision: str = "head") -> None:
    """Apply a service's migrations. Blocking: call it from a thread inside an event loop."""
    command.upgrade(alembic_config(migrations_dir, database_url), revision)


async def at_head(migrations_dir: Path, database_url: str, schema: str) -> bool:
    """Whether the schema stands at this code's head revision, or beyond it (a later release migrated
    it; migrations add before they remove, so this code still works on it): what a service waits for
    while its release's migration step runs. A database it cannot reach yet counts as not."""
    scripts = ScriptDirectory.from_config(alembic_config(migrations_dir, database_url))
    heads = set(scripts.get_heads())
    known = {revision.revision for revision in scripts.walk_revisions()}

    def current(connection: Connection) -> set[str]:
        found = MigrationContext.configure(connection, opts={"version_table_schema": schema})
        return set(found.get_current_heads())

    engine = create_engine(database_url, pool_size=1)
    try:
        async with engine.connect() as connection:
            revisions = await connection.run_sync(current)
    except (OSError, SQLAlchemyError):
        return False
    finally:
        await engine.dispose()
    return revisions == heads or bool(revisions - known)


def downgrade(migrations_dir: Path, database_url: str, revision: str) -> None:
    command.downgrade(alembic_config(migrations_dir, database_url), revision)


def run_migrations_for(metadata: MetaData) -> None:
    """The body of every service's `env.py`: migrate only that service's schema, online."""
    schema = metadata.schema
    if schema is None:
        raise ValueError("a service's metadata must name its schema")
    url = context.config.get_main_option("sqlalchemy.url")
    if url is None:
        raise ValueError("sqlalchemy.url is not set")

    def include_name(name: str | None, type_: str, _parent: object) -> bool:
        return type_ != "schema" or name == schema

    def run(connection: Connection) -> None:
        # Look before creating: PostgreSQL checks the right to create schemas even for IF NOT EXISTS,
        # and a deployment's service role owns its schema without holding that right.
        exists = connection.execute(text("SELECT 1 FROM pg_namespace WHERE nspname = :schema"), {"schema": schema})
        if exists.scalar() is None:
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
        context.configure(
            connection=connection,
            target_metadata=metadata,
            version_table_schema=schema,
            include_schemas=True,
            include_name=include_name,
        )
        with context.begin_transaction():
            context.run_migrations()

    async def main() -> None:
        engine = create_engine(url, pool_size=1)
        try:
            async with engine.connect() as connection:
                await connection.run_sync(run)
                await connection.commit()
        finally:
            await engine.dispose()

    asyncio.run(main())
