"""A probe service for testing the kernel alone: one event type, a table of effects, and a handler
whose failures each test can script."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any, ClassVar

import pytest
from sqlalchemy import Column, Integer, Table, Text, func, select

from shared.contracts import Envelope, Event
from shared.messaging.failures import PermanentFailure
from shared.messaging.unit_of_work import UnitOfWork
from shared.persistence.database import create_engine
from shared.runtime import ServiceRuntime
from shared.service import ServiceDefinition
from shared.settings import ServiceSettings
from testkit.scratch import scratch_service
from testkit.world import World


class ProbeHappened(Event):
    message_type: ClassVar[str] = "probe.happened"

    n: int
    fail_times: int = 0
    refuse: bool = False
    note: str | None = None


class ProbeEchoed(Event):
    message_type: ClassVar[str] = "probe.echoed"

    n: int


@dataclass
class Probe:
    """One probe service with a schema and queue of its own."""

    name: str
    world: World
    definition: ServiceDefinition
    effects: Table
    attempts: dict[int, int] = field(default_factory=dict)

    @property
    def queue(self) -> str:
        return f"{self.name}.inbox"

    def settings(self, **overrides: Any) -> ServiceSettings:
        values: dict[str, Any] = {
            "database_url": self.world.database_url,
            "amqp_url": self.world.amqp_url,
            "retry_delay_ms": 100,
            "max_attempts": 3,
            "outbox_poll_seconds": 1.0,
            "graceful_timeout_seconds": 5.0,
            "db_pool_size": 5,
        }
        values.update(overrides)
        return ServiceSettings(**values)

    def runtime(self, **overrides: Any) -> ServiceRuntime:
        return ServiceRuntime(self.definition, self.settings(**overrides))

    async def effect_counts(self) -> dict[int, int]:
        engine = create_engine(self.world.database_url, pool_size=1)
        try:
            async with engine.connect() as connection:
                rows = await connection.execute(select(self.effects.c.n, func.count()).group_by(self.effects.c.n))
                return {row[0]: row[1] for row in rows.all()}
        finally:
            await engine.dispose()


@pytest.fixture
async def probe(world: World) -> AsyncIterator[Probe]:
    async with scratch_service(world, "probe", Column("n", Integer, nullable=False), Column("note", Text)) as scratch:
        probe = Probe(name=scratch.name, world=world, definition=scratch.definition, effects=scratch.effects)

        @scratch.handlers.on(ProbeHappened)
        async def apply(message: Envelope[ProbeHappened], uow: UnitOfWork) -> None:
            event = message.payload
            probe.attempts[event.n] = probe.attempts.get(event.n, 0) + 1
            await uow.connection.execute(scratch.effects.insert().values(n=event.n, note=event.note))
            if event.refuse:
                raise PermanentFailure("probe_refused", f"probe {event.n} can never be applied")
            if probe.attempts[event.n] <= event.fail_times:
                raise RuntimeError(f"probe {event.n} failing on attempt {probe.attempts[event.n]}")
            uow.publish(ProbeEchoed(n=event.n))

        yield probe
