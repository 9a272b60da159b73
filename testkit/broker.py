"""The broker as a test sees it: a tap that keeps a copy of every event, publishing as another service
(or a misbehaving client) would, and how many messages wait in a queue."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import aio_pika
from aio_pika.abc import AbstractChannel, AbstractIncomingMessage
from aiormq.exceptions import ChannelAccessRefused, ChannelPreconditionFailed

from shared.contracts.envelope import Envelope
from shared.messaging.topology import EVENTS_EXCHANGE, declare_tap
from testkit.waiting import eventually


@dataclass
class EventTap:
    """Copies of every event published on `aftercare.events`, from a queue of the test's own.

    Delivery is at least once: a relay that dies (or loses a confirm) after the broker took a message
    sends it again under the same message id, and consumers drop the copy. `of_type` returns every copy
    the tap received; `events` one per message id, which is what "announced once" counts.
    """

    messages: list[AbstractIncomingMessage] = field(default_factory=list)

    def of_type(self, message_type: str, correlation_id: str | None = None) -> list[dict[str, Any]]:
        return [
            json.loads(m.body)
            for m in self.messages
            if m.type == message_type and (correlation_id is None or m.correlation_id == correlation_id)
        ]

    def events(self, message_type: str, correlation_id: str | None = None) -> list[dict[str, Any]]:
        """One envelope per message id, in the order first received."""
        unique = {envelope["message_id"]: envelope for envelope in reversed(self.of_type(message_type, correlation_id))}
        return list(reversed(unique.values()))

    async def wait_for(
        self, message_type: str, correlation_id: str | None = None, *, count: int = 1, timeout: float = 10.0
    ) -> list[dict[str, Any]]:
        async def seen() -> list[dict[str, Any]]:
            found = self.of_type(message_type, correlation_id)
            return found if len(found) >= count else []

        return await eventually(seen, timeout=timeout, what=f"{count} x {message_type} for {correlation_id}")


@asynccontextmanager
async def event_tap(amqp_url: str, routing_key: str = "#") -> AsyncIterator[EventTap]:
    connection = await aio_pika.connect(amqp_url)
    async with connection:
        queue = await declare_tap(await connection.channel(), routing_key)
        tap = EventTap()

        async def keep(message: AbstractIncomingMessage) -> None:
            tap.messages.append(message)
            await message.ack()

        await queue.consume(keep)
        yield tap


async def send(
    amqp_url: str,
    body: bytes,
    *,
    routing_key: str,
    exchange: str = EVENTS_EXCHANGE,
    message_id: str | None = None,
    message_type: str | None = None,
    copies: int = 1,
    user_id: str | None = None,
    headers: dict[str, Any] | None = None,
) -> None:
    """Publish raw bytes, persistent and confirmed, as another service or a misbehaving client would
    (`user_id`: the broker user it connects as, which RabbitMQ checks)."""
    connection = await aio_pika.connect(amqp_url)
    async with connection:
        channel = await connection.channel(publisher_confirms=True)
        target = await channel.get_exchange(exchange) if exchange else channel.default_exchange
        message = aio_pika.Message(
            body,
            message_id=message_id,
            type=message_type,
            content_type="application/json",
            delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
            user_id=user_id,
            headers=headers,
        )
        await asyncio.gather(*(target.publish(message, routing_key=routing_key) for _ in range(copies)))


async def send_envelope(amqp_url: str, envelope: Envelope[Any], *, copies: int = 1) -> None:
    await send_envelopes(amqp_url, [envelope] * copies)


async def send_envelopes(amqp_url: str, envelopes: list[Envelope[Any]]) -> None:
    """Publish envelopes on `aftercare.events` as their producer's relay would, over one connection."""
    connection = await aio_pika.connect(amqp_url)
    async with connection:
        channel = await connection.channel(publisher_confirms=True)
        exchange = await channel.get_exchange(EVENTS_EXCHANGE)
        await asyncio.gather(
            *(
                exchange.publish(
                    aio_pika.Message(
                        envelope.model_dump_json().encode(),
                        message_id=str(envelope.message_id),
                        correlation_id=envelope.correlation_id,
                        type=envelope.type,
                        content_type="application/json",
                        delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
                    ),
                    routing_key=envelope.type,
                )
                for envelope in envelopes
            )
        )


async def queue_depth(amqp_url: str, queue: str) -> int:
    connection = await aio_pika.connect(amqp_url)
    async with connection:
        channel = await connection.channel()
        declared = await channel.declare_queue(queue, passive=True)
        return int(declared.declaration_result.message_count or 0)


async def refused_by_broker(
    amqp_url: str, operation: Callable[[AbstractChannel], Awaitable[Any]], *, confirm: bool = False
) -> bool:
    """Whether the broker itself refuses `operation` to this user: access refused, or (a message whose
    `user_id` is not the publisher's) a failed precondition. Each attempt runs on a channel of its own,
    since a refusal closes the channel; `confirm` makes publishes wait for the broker's answer."""
    connection = await aio_pika.connect(amqp_url)
    async with connection:
        try:
            await operation(await connection.channel(publisher_confirms=confirm))
        except (ChannelAccessRefused, ChannelPreconditionFailed):
            return True
        return False
