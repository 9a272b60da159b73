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

from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection

from shared.contracts.envelope import ContractT, Envelope, EventT, seal
from shared.messaging.outbox import OutgoingMessage
from shared.messaging.topology import QUEUES_EXCHANGE


@dataclass(frozen=True)
class Delivery:
    """How the incoming message arrived: the broker-validated `user_id` of its publisher (if it set
    one), the exchange it was published to and its routing key."""

    sender: str | None = None
    routing_key: str | None = None
    exchange: str | None = None


class UnitOfWork:
    def __init__(
        self,
        connection: AsyncConnection,
        *,
        producer: str,
        cause: Envelope[Any] | None,
        delivery: Delivery | None = None,
        publishes: frozenset[str] | None = None,
    ) -> None:
        self.connection = connection
        self._publishes = publishes
        self.cause = cause
        self.delivery = delivery or Delivery()
        self._producer = producer
        self._outgoing: list[OutgoingMessage] = []

    def publish(self, event: EventT, *, correlation_id: str | None = None) -> Envelope[EventT]:
        """Queue an event for the outbox; it is sent only if this unit of work commits. An event type the
        service does not declare it publishes is refused here: the broker would refuse it from the outbox."""
        if self._publishes is not None and event.message_type not in self._publishes:
            raise ValueError(f"{self._producer} does not publish {event.message_type}: declare it in its `publishes`")
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

    def send(
        self, message: ContractT, *, exchange: str = QUEUES_EXCHANGE, routing_key: str, correlation_id: str
    ) -> Envelope[ContractT]:
        """Queue a message for one addressee, sent only if this unit of work commits, like an event: a
        command to another service's queue (`routing_key="intake.requests"` on `aftercare.queues`, which
        the service must declare it `sends` to), or a request to a vendor partner's queue through its
        exchange."""
        envelope = seal(
            message,
            producer=self._producer,
            correlation_id=correlation_id,
            causation_id=self.cause.message_id if self.cause else None,
        )
        self._outgoing.append(OutgoingMessage.addressed(envelope, exchange, routing_key))
        return envelope

    @property
    def outgoing(self) -> list[OutgoingMessage]:
        return list(self._outgoing)
