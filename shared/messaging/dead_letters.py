"""Operator tools for `<queue>.dead`: see what is there and why, send it back when fixed."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import aio_pika
from aio_pika.abc import AbstractIncomingMessage

from shared.messaging import nodes
from shared.messaging.consumer import (
    ATTEMPT_HEADER,
    DEAD_AT_HEADER,
    DEAD_BODY_BYTES_HEADER,
    DEAD_DETAIL_HEADER,
    DEAD_QUEUE_HEADER,
    DEAD_REASON_HEADER,
    FORGED,
    LAST_ERROR_HEADER,
)
from shared.messaging.topology import QUEUES_EXCHANGE, ConsumerQueue

_KERNEL_HEADERS = {
    ATTEMPT_HEADER,
    LAST_ERROR_HEADER,
    DEAD_REASON_HEADER,
    DEAD_DETAIL_HEADER,
    DEAD_QUEUE_HEADER,
    DEAD_AT_HEADER,
    DEAD_BODY_BYTES_HEADER,
    "x-death",
    "x-first-death-exchange",
    "x-first-death-queue",
    "x-first-death-reason",
    "x-last-death-exchange",
    "x-last-death-queue",
    "x-last-death-reason",
    "x-delivery-count",
}


@dataclass(frozen=True)
class DeadLetter:
    message_id: str | None
    message_type: str | None
    correlation_id: str | None
    reason: str
    detail: str
    dead_at: str | None
    body: bytes
    body_bytes: int  # the whole body's length: more than `body` holds when it was cut (too large to keep)

    @property
    def cut(self) -> bool:
        return self.body_bytes > len(self.body)


def describe(message: AbstractIncomingMessage) -> DeadLetter:
    headers: dict[str, Any] = dict(message.headers or {})
    reason = headers.get(DEAD_REASON_HEADER)
    if reason is None:  # dead-lettered by the broker itself, e.g. delivery_limit
        deaths = headers.get("x-death") or [{}]
        reason = f"broker:{deaths[0].get('reason', 'unknown')}"
    return DeadLetter(
        message_id=message.message_id,
        message_type=message.type,
        correlation_id=message.correlation_id,
        reason=str(reason),
        detail=str(headers.get(DEAD_DETAIL_HEADER, "")),
        dead_at=str(headers[DEAD_AT_HEADER]) if DEAD_AT_HEADER in headers else None,
        body=message.body,
        body_bytes=int(headers.get(DEAD_BODY_BYTES_HEADER) or len(message.body)),
    )


async def list_dead_letters(amqp_url: str, queue: str, *, limit: int = 100) -> list[DeadLetter]:
    """Read up to `limit` dead letters of `queue` without removing them."""
    connection = await nodes.connect(amqp_url)
    async with connection:
        channel = await connection.channel()
        dead = await channel.declare_queue(f"{queue}.dead", passive=True)
        found: list[DeadLetter] = []
        held: list[AbstractIncomingMessage] = []
        while len(found) < limit and (message := await dead.get(no_ack=False, fail=False)) is not None:
            held.append(message)
            found.append(describe(message))
        for message in held:
            await message.nack(requeue=True)
        return found


async def replay_dead_letters(
    amqp_url: str,
    queue: str,
    *,
    limit: int = 100,
    message_id: str | None = None,
    message_type: str | None = None,
    to: str | None = None,
    on_replayed: Callable[[], object] | None = None,
) -> int:
    """Send dead letters back to the queue they died on (only that queue), with a fresh attempt count:
    through the queue's own retry queue, with no delay, as a service's user may (shared/messaging/topology.py).

    With `message_id` or `message_type`, only those are replayed; the others stay where they are. `to`
    sends them to another consumer queue instead, one that now handles what this one no longer does
    (an event type that moved to another service). A letter refused as forged (sent by a broker user
    that is not its producer) is replayed only when named by its `message_id`: an operator vouches for
    that one message, never for a batch. `on_replayed` is called after each (a progress bar).
    """
    connection = await nodes.connect(amqp_url)
    replayed = 0
    async with connection:
        channel = await connection.channel(publisher_confirms=True, on_return_raises=True)
        dead = await channel.declare_queue(ConsumerQueue(queue).dead_queue, passive=True)
        target = ConsumerQueue(to or queue)
        await channel.declare_queue(target.name, passive=True)
        by_name = await channel.get_exchange(QUEUES_EXCHANGE, ensure=False)
        skipped: list[AbstractIncomingMessage] = []
        while replayed < limit and (message := await dead.get(no_ack=False, fail=False)) is not None:
            unasked = (message_id is not None and message.message_id != message_id) or (
                message_type is not None and message.type != message_type
            )
            letter = describe(message)
            unvouched = letter.reason == FORGED and message_id is None
            if unasked or unvouched or letter.cut:
                skipped.append(message)  # another one's, forged, or cut for its size: never whole again
                continue
            headers = {k: v for k, v in (message.headers or {}).items() if k not in _KERNEL_HEADERS}
            await by_name.publish(
                aio_pika.Message(
                    body=message.body,
                    headers=headers,
                    content_type=message.content_type,
                    message_id=message.message_id,
                    correlation_id=message.correlation_id,
                    type=message.type,
                    timestamp=message.timestamp,
                    expiration=timedelta(0),
                    delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
                ),
                routing_key=target.retry_queue,
            )
            await message.ack()
            if on_replayed is not None:
                on_replayed()
            replayed += 1
        for message in skipped:
            await message.nack(requeue=True)
    return replayed
