"""A partner cannot fill the broker, over the real broker: a message past the suite's 1 MiB is refused by
the broker itself (the partner's channel closes saying so), a partner's user opens at most its share of
connections and channels, and a broker configured without the limit still keeps no more than the start
of a huge reply among the dead letters, the partner told why."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime

import aio_pika
import pytest

from services.vendor.onboarding import PARTNER_LIMITS
from services.vendor.partner_topology import REPLIES_EXCHANGE
from shared.contracts import seal
from shared.contracts.partners import Acknowledged
from shared.messaging.dead_letters import list_dead_letters
from shared.messaging.topology import MAX_MESSAGE_BYTES
from testkit.in_process import running
from testkit.machine import broker_taking_up_to
from testkit.partners import Partner, onboarded, refused_connection
from testkit.world import World


def _huge_reply(partner: Partner) -> aio_pika.Message:
    """A reply of 2 MiB: a real one with a field grown past any bound, as a system gone wrong sends."""
    reply = Acknowledged(case_number="VC-000001", estimate="soon", acknowledged_at=datetime.now(UTC))
    envelope = json.loads(seal(reply, producer=partner.user, correlation_id="VC-000001").model_dump_json())
    envelope["payload"]["estimate"] = "x" * (2 * MAX_MESSAGE_BYTES)
    return aio_pika.Message(
        json.dumps(envelope).encode(), message_id=envelope["message_id"], type=envelope["type"],
        user_id=partner.user, content_type="application/json",
    )  # fmt: skip


async def test_a_message_past_the_limit_is_refused_by_the_broker(seeded: World) -> None:
    async with onboarded(seeded) as partner:
        connection = await aio_pika.connect(partner.amqp_url)
        async with connection:
            channel = await connection.channel(publisher_confirms=True)
            exchange = await channel.get_exchange(REPLIES_EXCHANGE, ensure=False)
            with pytest.raises(aio_pika.exceptions.ChannelPreconditionFailed, match="larger than configured max size"):
                await exchange.publish(_huge_reply(partner), routing_key=f"{partner.code}.acknowledged")


async def test_a_partner_opens_only_its_share_of_connections_and_channels(seeded: World) -> None:
    async with onboarded(seeded) as partner:
        opened = [await aio_pika.connect(partner.amqp_url) for _ in range(PARTNER_LIMITS["max-connections"])]
        try:
            await refused_connection(partner.amqp_url)  # one more than its share
            channels = [await opened[0].channel() for _ in range(PARTNER_LIMITS["max-channels"])]
            assert all(not channel.is_closed for channel in channels)
            with pytest.raises(aio_pika.exceptions.AMQPError):
                await opened[1].channel()
        finally:
            for connection in opened:
                await connection.close()


async def test_a_huge_reply_a_broker_let_through_is_kept_cut_and_the_partner_told(seeded: World) -> None:
    async with onboarded(seeded) as partner, running(seeded, "vendor"):
        with broker_taking_up_to(4 * MAX_MESSAGE_BYTES):  # a broker configured otherwise than ours
            connection = await aio_pika.connect(partner.amqp_url)
            async with connection:
                channel = await connection.channel(publisher_confirms=True)
                exchange = await channel.get_exchange(REPLIES_EXCHANGE, ensure=False)
                huge = _huge_reply(partner)
                await exchange.publish(huge, routing_key=f"{partner.code}.acknowledged")
        [refusal] = await partner.take_errors(1, timeout=20)
        assert (refusal["payload"]["reason"], refusal["payload"]["refused_message_id"]) == (
            "too_large",
            huge.message_id,
        )
        [letter] = [
            d for d in await list_dead_letters(seeded.amqp_url, "vendor.replies") if d.message_id == huge.message_id
        ]
        assert (letter.reason, letter.cut, letter.body_bytes) == ("too_large", True, len(huge.body))
        assert len(letter.body) <= 64 * 1024
        assert uuid.UUID(huge.message_id or "")  # the partner's id kept to match its error notice
