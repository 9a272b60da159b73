"""A throwaway service for exercising the kernel alone: its own schema with the kernel's tables and one
`effects` table, its own queue, and a handler registry the test fills in."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fastapi import APIRouter
from sqlalchemy import Column, Table, text

from shared.messaging.routes import MessageHandlers
from shared.persistence.database import create_engine, schema_metadata
from shared.persistence.kernel_tables import idempotency_table, inbox_table, outbox_table
from shared.service import ServiceDefinition, Subscription
from shared.settings import ServiceSettings
from testkit.world import World


@dataclass
class ScratchService:
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
    idempotency_table(metadata)
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
