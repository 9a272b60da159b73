"""The RabbitMQ topology every service declares, idempotently, when it starts.

- `aftercare.events`: durable topic exchange; the routing key is the event type. Messages no queue is
  bound for go to its alternate exchange and wait in `aftercare.unrouted` instead of vanishing.
- `<service>.inbox`: the service's durable quorum queue, bound to the event types it consumes, shared
  by its replicas (competing consumers), with a delivery limit as a backstop against crash loops.
- `aftercare.queues`: durable topic exchange that reaches one queue by its name: `<queue>.retries` (a
  retry or an operator's replay), `<queue>` (a command, such as one for `intake.requests`, or a retry
  coming back). Unlike the default exchange, RabbitMQ's topic permissions restrict who may publish
  with which of these keys: a service's user only to its own retry queues and to the command queues
  its service sends to. The services' users have no right on the default exchange at all.
- `<queue>.retries`: failed messages wait here for their own TTL (the retry delay), then return to
  their queue through `aftercare.queues`. (Releases before it used `<queue>.retry`, returning through
  the default exchange; `aftercare provision` removes those once they are empty.)

Queue arguments cannot change once a queue exists (RabbitMQ refuses the declaration), so they hold
only what is fixed by design; what operators tune, like the retry delay, travels on the message.
- `<queue>.dead`: messages that cannot be handled, with the reason in their headers, via the
  `aftercare.dead-letters` exchange (routing key: the source queue's name).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aio_pika.abc import AbstractChannel, AbstractQueue, ExchangeType

from shared.messaging import nodes

EVENTS_EXCHANGE = "aftercare.events"
DEAD_LETTER_EXCHANGE = "aftercare.dead-letters"
UNROUTED_EXCHANGE = "aftercare.unrouted"
UNROUTED_QUEUE = "aftercare.unrouted"
QUEUES_EXCHANGE = "aftercare.queues"
RETRY_QUEUE_TTL_MS = 3_600_000
UNROUTED_MAX_LENGTH = 100_000
DELIVERY_LIMIT = 20
MAX_MESSAGE_BYTES = 1024 * 1024
"""The largest message the suite sends or takes (the largest real one, a resolution with its customer's
signature, is under 400 KiB): larger ones are refused when published and dead-lettered when received,
and the deployment's broker refuses them too (`max_message_size` in deploy/rabbitmq/aftercare.conf)."""


@dataclass(frozen=True)
class ConsumerQueue:
    """One queue a service consumes, and what it is bound to."""

    name: str
    routing_keys: tuple[str, ...] = ()
    exchange: str = EVENTS_EXCHANGE
    extra_arguments: dict[str, Any] = field(default_factory=dict)
    retired_keys: tuple[str, ...] = ()
    """Keys an earlier release bound the queue to and this one handles no more: unbound when it is
    declared, so that an upgraded broker does not go on dead-lettering them as of an unknown type."""

    @property
    def retry_queue(self) -> str:
        return f"{self.name}.retries"

    @property
    def dead_queue(self) -> str:
        return f"{self.name}.dead"

    def arguments(self) -> dict[str, Any]:
        return {
            "x-queue-type": "quorum",
            "x-delivery-limit": DELIVERY_LIMIT,
            "x-dead-letter-exchange": DEAD_LETTER_EXCHANGE,
            "x-dead-letter-routing-key": self.name,
            # Dead-letter with publisher confirms inside the broker: never lose a dead letter.
            "x-dead-letter-strategy": "at-least-once",
            "x-overflow": "reject-publish",
            **self.extra_arguments,
        }


async def declare_exchanges(channel: AbstractChannel) -> None:
    unrouted = await channel.declare_exchange(UNROUTED_EXCHANGE, ExchangeType.FANOUT, durable=True)
    queue = await channel.declare_queue(
        UNROUTED_QUEUE,
        durable=True,
        arguments={"x-queue-type": "quorum", "x-max-length": UNROUTED_MAX_LENGTH},
    )
    await queue.bind(unrouted)
    await channel.declare_exchange(
        EVENTS_EXCHANGE,
        ExchangeType.TOPIC,
        durable=True,
        arguments={"alternate-exchange": UNROUTED_EXCHANGE},
    )
    await channel.declare_exchange(DEAD_LETTER_EXCHANGE, ExchangeType.DIRECT, durable=True)
    await channel.declare_exchange(QUEUES_EXCHANGE, ExchangeType.TOPIC, durable=True)


async def declare_consumer_queue(channel: AbstractChannel, spec: ConsumerQueue) -> None:
    """Declare a service queue with its retry and dead-letter queues and bind its routing keys.

    The exchanges must exist already (`declare_exchanges`).
    """
    dead_letters = await channel.get_exchange(DEAD_LETTER_EXCHANGE)
    by_name = await channel.get_exchange(QUEUES_EXCHANGE)
    dead = await channel.declare_queue(spec.dead_queue, durable=True, arguments={"x-queue-type": "quorum"})
    await dead.bind(dead_letters, routing_key=spec.name)
    retry = await channel.declare_queue(
        spec.retry_queue,
        durable=True,
        arguments={
            "x-queue-type": "quorum",
            # Back to this queue only, not to every subscriber of the event.
            "x-dead-letter-exchange": QUEUES_EXCHANGE,
            "x-dead-letter-routing-key": spec.name,
            "x-dead-letter-strategy": "at-least-once",
            "x-overflow": "reject-publish",
            # A message expires only at the head of the queue: one sent here without its own delay
            # (the kernel always gives one) would hold the others back for at most this long.
            "x-message-ttl": RETRY_QUEUE_TTL_MS,
        },
    )
    await retry.bind(by_name, routing_key=spec.retry_queue)
    queue = await channel.declare_queue(spec.name, durable=True, arguments=spec.arguments())
    await queue.bind(by_name, routing_key=spec.name)
    if spec.routing_keys:
        source = (
            await channel.get_exchange(spec.exchange)
            if spec.exchange == EVENTS_EXCHANGE
            else await channel.declare_exchange(spec.exchange, ExchangeType.TOPIC, durable=True)
        )
        for key in spec.routing_keys:
            await queue.bind(source, routing_key=key)
    if spec.retired_keys:
        retired_from = await channel.get_exchange(spec.exchange)
        for key in spec.retired_keys:
            await queue.unbind(retired_from, routing_key=key)  # nothing happens where it was never bound


async def declare(amqp_url: str, *specs: ConsumerQueue) -> None:
    """Declare the exchanges and the given queues over a short-lived connection."""
    connection = await nodes.connect(amqp_url)
    async with connection:
        channel = await connection.channel()
        await declare_exchanges(channel)
        for spec in specs:
            await declare_consumer_queue(channel, spec)


async def declare_tap(channel: AbstractChannel, pattern: str = "#", name: str = "") -> AbstractQueue:
    """A private queue receiving a copy of every event matching `pattern`; it takes nothing from the
    services' queues and disappears with its connection. Unnamed, the broker names it."""
    await declare_exchanges(channel)
    queue = await channel.declare_queue(name, exclusive=True, auto_delete=True)
    await queue.bind(await channel.get_exchange(EVENTS_EXCHANGE), routing_key=pattern)
    return queue


async def watch_events(amqp_url: str, pattern: str, show: Callable[[dict[str, Any]], None]) -> None:
    """Hand a copy of every event matching `pattern` to `show`, until cancelled."""
    connection = await nodes.connect(amqp_url)
    async with connection:
        queue = await declare_tap(await connection.channel(), pattern)
        async with queue.iterator() as messages:
            async for message in messages:
                async with message.process():
                    try:
                        event = json.loads(message.body)
                    except ValueError:
                        event = {"type": message.type, "payload": {"unreadable": message.body[:200].decode("latin-1")}}
                    show(event)
