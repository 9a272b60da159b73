"""A service's own schema as its code uses it: connections for reading, units of work for changing
state and publishing the events that change causes, and the schema's outbox, inbox and idempotency keys."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any

from sqlalchemy import MetaData
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from shared.contracts.envelope import Envelope
from shared.messaging.inbox import Inbox
from shared.messaging.outbox import Outbox, OutgoingMessage
from shared.messaging.unit_of_work import Delivery, UnitOfWork
from shared.persistence.idempotency import IdempotencyKeys


class ServiceDatabase:
    """A service's own schema: connections, units of work, its outbox and its inbox."""

    def __init__(
        self, engine: AsyncEngine, metadata: MetaData, *, producer: str, publishes: frozenset[str] | None = None
    ) -> None:
        """`publishes`: the event types the service may publish (what the broker lets its user publish);
        None when unchecked (a scratch service in a test)."""
        if metadata.schema is None:
            raise ValueError("a service's metadata must name its schema")
        self.engine = engine
        self._autocommit = engine.execution_options(isolation_level="AUTOCOMMIT")
        self.schema = metadata.schema
        self.producer = producer
        self.publishes = publishes
        self.outbox = Outbox(metadata.tables[f"{self.schema}.outbox"])
        self.inbox = Inbox(metadata.tables[f"{self.schema}.inbox"])
        self.idempotency = IdempotencyKeys(engine, metadata.tables[f"{self.schema}.idempotency_keys"])
        self._on_events_committed: list[Callable[[Sequence[OutgoingMessage] | None], None]] = []

    def connect(self) -> AbstractAsyncContextManager[AsyncConnection]:
        """A connection for reading (no transaction is committed)."""
        return self.engine.connect()

    def glance(self) -> AbstractAsyncContextManager[AsyncConnection]:
        """A connection for a single quick read on a hot path: no transaction is begun or rolled back
        around it, which would cost two more round trips than the read itself."""
        return self._autocommit.connect()

    def on_events_committed(self, callback: Callable[[Sequence[OutgoingMessage] | None], None]) -> None:
        """Call `callback` after every commit that wrote events, with them where the committer has them
        (the process's outbox relay publishes those as they are)."""
        self._on_events_committed.append(callback)

    @asynccontextmanager
    async def unit_of_work(
        self, cause: Envelope[Any] | None = None, delivery: Delivery | None = None
    ) -> AsyncIterator[UnitOfWork]:
        async with self.engine.begin() as connection:
            uow = self.unit_of_work_on(connection, cause, delivery)
            yield uow
            outgoing = uow.outgoing
            await self.outbox.add(connection, outgoing)
        if outgoing:
            self.events_committed(outgoing)

    def unit_of_work_on(
        self, connection: AsyncConnection, cause: Envelope[Any] | None = None, delivery: Delivery | None = None
    ) -> UnitOfWork:
        """A unit of work inside a transaction the caller runs (a window of deliveries committed together):
        the caller writes its outgoing messages to the outbox before the commit and calls `events_committed`."""
        return UnitOfWork(connection, producer=self.producer, cause=cause, delivery=delivery, publishes=self.publishes)

    def events_committed(self, messages: Sequence[OutgoingMessage] | None = None) -> None:
        """Tell the process's relay that events were just committed: by a unit of work, a window of them, or
        written with `outbox.add` in a transaction of one's own (the archive's sequencer announces documents
        of many causes at once)."""
        for callback in self._on_events_committed:
            callback(messages)
