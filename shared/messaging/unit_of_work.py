"""One transaction of a service: the state it changes and the events that change causes.

    async with database.unit_of_work() as uow:
        uow.session.add(...)
        uow.publish(TicketOpened(...), correlation_id=ticket_id)

On leaving the block the events are written to the outbox and everything commits together, or
nothing does. Inside a message handler the unit of work knows the incoming message, so what it
publishes carries the same correlation id and names that message as its cause.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy import MetaData
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from shared.contracts.envelope import Envelope, EventT, seal
from shared.messaging.inbox import Inbox
from shared.messaging.outbox import Outbox, OutgoingMessage


class UnitOfWork:
    def __init__(self, session: AsyncSession, *, producer: str, cause: Envelope[Any] | None) -> None:
        self.session = session
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
    """A service's own schema: sessions, its outbox and its inbox."""

    def __init__(self, engine: AsyncEngine, metadata: MetaData, *, producer: str) -> None:
        if metadata.schema is None:
            raise ValueError("a service's metadata must name its schema")
        self.engine = engine
        self.schema = metadata.schema
        self.producer = producer
        self.sessions = async_sessionmaker(engine, expire_on_commit=False)
        self.outbox = Outbox(metadata.tables[f"{self.schema}.outbox"])
        self.inbox = Inbox(metadata.tables[f"{self.schema}.inbox"])

    @asynccontextmanager
    async def unit_of_work(self, cause: Envelope[Any] | None = None) -> AsyncIterator[UnitOfWork]:
        async with self.sessions() as session, session.begin():
            uow = UnitOfWork(session, producer=self.producer, cause=cause)
            yield uow
            await self.outbox.add(session, uow.outgoing)
