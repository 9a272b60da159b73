"""One transaction of a service: the state it changes and the events that change causes.

    async with database.unit_of_work() as uow:  # a ServiceDatabase (shared/persistence)
        await uow.connection.execute(...)
        uow.publish(TicketOpened(...), correlation_id=ticket_id)

On leaving the block the events are written to the outbox and everything commits together, or
nothing does. Inside a message handler the unit of work knows the incoming message, so what it
publishes carries the same correlation id and names that message as its cause.

Units of work run on SQLAlchemy Core connections, not ORM sessions: the services write with plain
statements, and a session's bookkeeping would cost more than the work on the hot path.
"""

from __future__ import annotations

from typing import Any, TypeVar

from sqlalchemy.ext.asyncio import AsyncConnection

from shared.contracts.envelope import Command, Envelope, EventT, seal
from shared.messaging.outbox import OutgoingMessage

CommandT = TypeVar("CommandT", bound=Command)


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

    def send(self, command: CommandT, *, to_queue: str, correlation_id: str) -> Envelope[CommandT]:
        """Queue a command for another service's command queue (`intake.requests`), sent only if this
        unit of work commits, like an event."""
        envelope = seal(
            command,
            producer=self._producer,
            correlation_id=correlation_id,
            causation_id=self.cause.message_id if self.cause else None,
        )
        self._outgoing.append(OutgoingMessage.command(envelope, to_queue))
        return envelope

    @property
    def outgoing(self) -> list[OutgoingMessage]:
        return list(self._outgoing)
