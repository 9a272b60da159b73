"""Each service's Alembic history builds exactly the schema its code declares, only in its own
schema, and can be undone."""

from __future__ import annotations

import asyncio

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import text

import services
from shared.persistence import migrations
from shared.persistence.database import create_engine, drop_database, ensure_database
from testkit.world import World


@pytest.mark.parametrize("name", services.NAMES)
async def test_the_migrated_schema_matches_the_code(world: World, name: str) -> None:
    definition = services.definition(name)
    schema = definition.metadata.schema

    def differences(connection):
        context = MigrationContext.configure(
            connection,
            opts={
                "include_schemas": True,
                "include_name": lambda n, kind, _: kind != "schema" or n == schema,
                "version_table_schema": schema,
            },
        )
        return compare_metadata(context, definition.metadata)

    engine = create_engine(world.database_url, pool_size=1)
    try:
        async with engine.connect() as connection:
            assert await connection.run_sync(differences) == []
            tables = await connection.execute(
                text("SELECT DISTINCT table_schema FROM information_schema.tables WHERE table_name = 'alembic_version'")
            )
            assert schema in {row[0] for row in tables}
    finally:
        await engine.dispose()


async def test_every_history_downgrades_to_nothing_and_back(world: World) -> None:
    scratch = f"{world.database_url}_migrations"
    await ensure_database(scratch)
    engine = create_engine(scratch, pool_size=1)
    try:
        for name in services.NAMES:
            directory = services.definition(name).migrations_dir
            await asyncio.to_thread(migrations.upgrade, directory, scratch)
            await asyncio.to_thread(migrations.downgrade, directory, scratch, "base")
            async with engine.connect() as connection:
                left = await connection.execute(
                    text(
                        "SELECT table_name FROM information_schema.tables WHERE table_schema = :s AND table_name != 'alembic_version'"
                    ),
                    {"s": name},
                )
                assert left.all() == []
            await asyncio.to_thread(migrations.upgrade, directory, scratch)
    finally:
        await engine.dispose()
        await drop_database(scratch)
