"""What a vendor partner's broker user may do, and what the broker itself refuses it: another
partner's queue, declaring or binding anything, replying as another partner (by routing key or by
user_id), publishing anywhere but the replies exchange."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import aio_pika
from aio_pika.abc import AbstractChannel

from services.vendor.partner_topology import REPLIES_EXCHANGE, requests_queue
from shared.messaging.topology import EVENTS_EXCHANGE
from testkit.broker import refused_by_broker
from testkit.partners import onboarded
from testkit.world import World


def _publish(exchange: str, routing_key: str, user_id: str | None) -> Callable[[AbstractChannel], Awaitable[None]]:
    async def publish(channel: AbstractChannel) -> None:
        target = await channel.get_exchange(exchange, ensure=False) if exchange else channel.default_exchange
        await target.publish(aio_pika.Message(b"{}", user_id=user_id), routing_key=routing_key)

    return publish


async def test_a_partner_is_refused_everything_but_its_own_queue_and_its_own_replies(seeded: World) -> None:
    async with onboarded(seeded) as acme, onboarded(seeded) as other:

        async def read_own(channel: AbstractChannel) -> None:
            await (await channel.get_queue(requests_queue(acme.code), ensure=False)).get(fail=False)

        async def read_theirs(channel: AbstractChannel) -> None:
            await (await channel.get_queue(requests_queue(other.code), ensure=False)).get(fail=False)

        async def declare(channel: AbstractChannel) -> None:
            await channel.declare_queue(f"vendor.{acme.code}.mine", durable=True)

        async def bind(channel: AbstractChannel) -> None:
            queue = await channel.get_queue(requests_queue(acme.code), ensure=False)
            await queue.bind(REPLIES_EXCHANGE, routing_key="#")

        own_reply = _publish(REPLIES_EXCHANGE, f"{acme.code}.acknowledged", acme.user)
        assert not await refused_by_broker(acme.amqp_url, read_own)
        assert not await refused_by_broker(acme.amqp_url, own_reply, confirm=True)
        assert await refused_by_broker(acme.amqp_url, read_theirs)
        assert await refused_by_broker(acme.amqp_url, declare)
        assert await refused_by_broker(acme.amqp_url, bind)
        as_other_by_key = _publish(REPLIES_EXCHANGE, f"{other.code}.acknowledged", acme.user)
        assert await refused_by_broker(acme.amqp_url, as_other_by_key, confirm=True)
        as_other_by_user = _publish(REPLIES_EXCHANGE, f"{acme.code}.acknowledged", other.user)
        assert await refused_by_broker(acme.amqp_url, as_other_by_user, confirm=True)
        to_events = _publish(EVENTS_EXCHANGE, "ticket.closed", acme.user)
        assert await refused_by_broker(acme.amqp_url, to_events, confirm=True)
        into_their_queue = _publish("", requests_queue(other.code), acme.user)
        assert await refused_by_broker(acme.amqp_url, into_their_queue, confirm=True)
