"""Reading a world's tables directly: what a service stored, and the events it left in its outbox."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import Row, Select, select

import services
from shared.contracts.envelope import RawEnvelope
from shared.persistence.database import create_engine
from testkit.world import World


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
