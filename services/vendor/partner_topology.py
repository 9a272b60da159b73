"""Where vendor partners meet Aftercare on the broker.

- `aftercare.vendors` (direct exchange): the vendor service publishes each escalation request with the
  partner's code as routing key, into that partner's own durable quorum queue `vendor.<code>.escalations`.
- `aftercare.vendor-replies` (topic exchange): partners publish their replies with routing keys that
  start with their own code (`acme.acknowledged`); RabbitMQ's topic permissions refuse any other prefix.
  The vendor service consumes them all from `vendor.replies`.
- `vendor.<code>.errors`: what a partner is told when a reply is refused, and why; published on
  `aftercare.vendors` too, with `<code>.errors` as routing key.

A partner's messages wait in its queues, however long it is offline.
"""

from __future__ import annotations

import re

from aio_pika.abc import ExchangeType

from shared.messaging import nodes
from shared.messaging.topology import DEAD_LETTER_EXCHANGE, DELIVERY_LIMIT, declare_exchanges

REQUESTS_EXCHANGE = "aftercare.vendors"
REPLIES_EXCHANGE = "aftercare.vendor-replies"
REPLIES_QUEUE = "vendor.replies"
PARTNER_CODE = re.compile(r"^[a-z][a-z0-9-]{1,30}$")


def requests_queue(code: str) -> str:
    return f"vendor.{code}.escalations"


def errors_queue(code: str) -> str:
    return f"vendor.{code}.errors"


def errors_key(code: str) -> str:
    """The routing key of a partner's error queue on `aftercare.vendors` (a code has no dot)."""
    return f"{code}.errors"


def broker_user(code: str) -> str:
    return f"partner-{code}"


async def declare_partner(amqp_url: str, code: str) -> None:
    """Declare a partner's queues (idempotent), over the vendor service's own connection."""
    connection = await nodes.connect(amqp_url)
    async with connection:
        channel = await connection.channel()
        await declare_exchanges(channel)
        requests = await channel.declare_exchange(REQUESTS_EXCHANGE, ExchangeType.DIRECT, durable=True)
        await channel.declare_exchange(REPLIES_EXCHANGE, ExchangeType.TOPIC, durable=True)
        dead_letters = await channel.get_exchange(DEAD_LETTER_EXCHANGE)
        for name in (requests_queue(code), errors_queue(code)):
            dead = await channel.declare_queue(f"{name}.dead", durable=True, arguments={"x-queue-type": "quorum"})
            await dead.bind(dead_letters, routing_key=name)
            await channel.declare_queue(
                name,
                durable=True,
                arguments={
                    "x-queue-type": "quorum",
                    "x-delivery-limit": DELIVERY_LIMIT,
                    "x-dead-letter-exchange": DEAD_LETTER_EXCHANGE,
                    "x-dead-letter-routing-key": name,
                },
            )
        queue = await channel.get_queue(requests_queue(code), ensure=False)
        await queue.bind(requests, routing_key=code)
        errors = await channel.get_queue(errors_queue(code), ensure=False)
        await errors.bind(requests, routing_key=errors_key(code))
