"""One transaction of a service: the state it changes and the events that change causes.

    async with database.unit_of_work() as uow:
        await uow.connection.execute(...)
        uow.publish(TicketOpened(...), correlation_id=ticket_id)

On leaving the block the events are written to the outbox and everything commits together, or
nothing does. Inside a message handler the unit of work knows the incoming message, so what it
publishes carries the same correlation id and names that message as its cause.

Units of work run on SQLAlchemy Core connections, not ORM sessions: the services write with plain
statements, and a session's bookkeeping would cost more than the work on the hot path.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any

from sqlalchemy import MetaData
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from shared.contracts.envelope import Envelope, EventT, seal
from shared.messaging.inbox import Inbox
from shared.messaging.outbox import Outbox, OutgoingMessage


class UnitOfWork:
    def __init__(self, connection: AsyncConnection, *, producer: str, cause: Envelope[Any] | None) -> None:
        self.connection = connection
        self.cause = cause
        self._producer = producer
        self._outgoing: list[OutgoingMessage] = []

    def publish(self, event: EventT, *, correlation_id: str | None = None) -> Envelope[EventT]:
        """Queue an event for the outbox; it is sent only if this unit of work commits."""
        if correlation_id is None:
            if self.cause is None:
                raise ValueError("a first-cause event needs a correlation_id")
            correlation_id = self.cause.correlation_id
        envelope = seal(
            event,
            producer=self._producer,
            correlation_id=correlation_id,
            causation_id=self.cause.message_id if self.cause else None,
        )
        self._outgoing.append(OutgoingMessage.event(envelope))
        return envelope

    @property
    def outgoing(self) -> list[OutgoingMessage]:
        return list(self._outgoing)


class ServiceDatabase:
    """A service's own schema: connections, units of work, its outbox and its inbox."""

    def __init__(self, engine: AsyncEngine, metadata: MetaData, *, producer: str) -> None:
        if metadata.schema is None:
            raise ValueError("a service's metadata must name its schema")
        self.engine = engine
        self.schema = metadata.schema
        self.producer = producer
        self.outbox = Outbox(metadata.tables[f"{self.schema}.outbox"])
        self.inbox = Inbox(metadata.tables[f"{self.schema}.inbox"])
        self._on_events_committed: list[Callable[[], None]] = []

    def connect(self) -> AbstractAsyncContextManager[AsyncConnection]:
        """A connection for reading (no transaction is committed)."""
        return self.engine.connect()

    def on_events_committed(self, callback: Callable[[], None]) -> None:
        """Call `callback` after every commit that wrote events (the process's outbox relay)."""
        self._on_events_committed.append(callback)

    @asynccontextmanager
    async def unit_of_work(self, cause: Envelope[Any] | None = None) -> AsyncIterator[UnitOfWork]:
        async with self.engine.begin() as connection:
            uow = UnitOfWork(connection, producer=self.producer, cause=cause)
            yield uow
            outgoing = uow.outgoing
            await self.outbox.add(connection, outgoing)
        if outgoing:
            for callback in self._on_events_committed:
                callback()
