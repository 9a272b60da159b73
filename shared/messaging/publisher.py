"""Publishing, on a connection of its own.

RabbitMQ throttles a connection that publishes faster than the broker can take (flow control); a
consumer sharing that connection would be throttled with it. So each process publishes (its outbox,
its retries and dead letters) on one robust connection, with publisher confirms, and consumes on
FastStream's. Every message carries the `user_id` of the broker user it publishes as, which RabbitMQ
checks: a consumer knows who really sent it (shared/messaging/consumer.py).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from urllib.parse import unquote, urlsplit

import aio_pika
from aio_pika.abc import AbstractExchange, AbstractRobustChannel, AbstractRobustConnection, DateType

from shared.messaging import nodes


class Publisher:
    def __init__(self, amqp_url: str, *, name: str) -> None:
        self._amqp_url = amqp_url
        self._name = name
        self.user = broker_user(amqp_url)
        self._connection: AbstractRobustConnection | None = None
        self._channel: AbstractRobustChannel | None = None
        self._exchanges: dict[str, AbstractExchange] = {}

    async def start(self) -> None:
        self._connection = await nodes.connect_robust(
            self._amqp_url, client_properties={"connection_name": f"{self._name} publisher"}
        )
        self._channel = await self._connection.channel(publisher_confirms=True, on_return_raises=True)

    async def stop(self) -> None:
        if self._connection is not None:
            await self._connection.close()
        self._connection = self._channel = None
        self._exchanges.clear()

    @property
    def amqp_url(self) -> str:
        """Where it publishes: for a short connection of the same user's, to declare what it publishes to."""
        return self._amqp_url

    @property
    def connected(self) -> bool:
        return self._connection is not None and not self._connection.is_closed

    async def depth(self, queue: str) -> int:
        """How many messages wait in one of the process's own queues."""
        if self._connection is None or self._connection.is_closed:
            raise ConnectionError("the publisher is not connected")
        channel = await self._connection.channel()
        try:
            declared = await channel.declare_queue(queue, passive=True)
            return int(declared.declaration_result.message_count or 0)
        finally:
            await channel.close()

    async def publish(
        self,
        body: bytes,
        *,
        exchange: str,
        routing_key: str,
        message_id: str | None,
        correlation_id: str | None,
        message_type: str | None,
        headers: dict[str, Any] | None = None,
        content_type: str | None = "application/json",
        timestamp: DateType = None,
        expiration: timedelta | None = None,
        timeout: float = 10,
    ) -> None:
        """Send one persistent message and return once the broker confirmed it.

        Raises if the broker refuses it, or if no queue takes it (`mandatory`): nothing goes missing
        silently.
        """
        target = await self._exchange(exchange)
        await target.publish(
            aio_pika.Message(
                body,
                headers=headers,
                content_type=content_type,
                message_id=message_id,
                correlation_id=correlation_id,
                type=message_type,
                timestamp=timestamp,
                expiration=expiration,
                app_id=self._name,
                user_id=self.user,
                delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
            ),
            routing_key=routing_key,
            mandatory=True,
            timeout=timeout,
        )

    async def _exchange(self, name: str) -> AbstractExchange:
        if self._channel is None:
            raise ConnectionError("the publisher is not connected")
        if not name:
            return self._channel.default_exchange
        if name not in self._exchanges:
            self._exchanges[name] = await self._channel.get_exchange(name)
        return self._exchanges[name]


def broker_user(amqp_url: str) -> str:
    """The user an AMQP URL connects as (RabbitMQ's `guest` when it names none)."""
    return unquote(urlsplit(amqp_url).username or "guest")
