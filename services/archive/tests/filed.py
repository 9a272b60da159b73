"""Events handed to the archive's consumer over FastStream's in-memory broker, then their drafts numbered,
chained and filed as the sequencer of a running archive would (it is not running in a contract test)."""

from __future__ import annotations

from typing import Any

from services.archive.db.tables import metadata
from services.archive.sequencing import sequence_waiting
from shared.contracts.envelope import Envelope
from shared.persistence.database import create_engine
from shared.persistence.service_database import ServiceDatabase
from testkit.in_process import deliver_in_memory
from testkit.world import World

QUEUE = "archive.inbox"


async def file_waiting(world: World, batch: int = 500) -> int:
    """Number, chain and file every draft waiting; how many were filed or dropped."""
    engine = create_engine(world.database_url, pool_size=1)
    try:
        database = ServiceDatabase(engine, metadata, producer="archive")
        total = 0
        while True:
            taken, _ = await sequence_waiting(database, batch)
            if not taken:
                return total
            total += taken
    finally:
        await engine.dispose()


async def deliver_and_file(world: World, *envelopes: Envelope[Any]) -> None:
    """Hand each envelope to the archive's consumer in turn, then file what they drafted."""
    await deliver_in_memory(world, "archive", QUEUE, *envelopes)
    await file_waiting(world)
