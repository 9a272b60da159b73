"""A queue's bindings follow its release: a key an earlier release bound it to and this one handles no
more is unbound when the queue is declared again, so that those events stop reaching it (they would be
dead-lettered there as of an unknown type)."""

from __future__ import annotations

import uuid

from shared.messaging.topology import ConsumerQueue, declare
from testkit.broker import queue_depth, send
from testkit.waiting import eventually, stays
from testkit.world import World


async def test_a_retired_key_is_unbound_when_the_queue_is_declared_again(world: World) -> None:
    name = f"retiring-{uuid.uuid4().hex[:6]}"
    await declare(world.amqp_url, ConsumerQueue(name, routing_keys=("probe.kept", "probe.retired")))
    await declare(world.amqp_url, ConsumerQueue(name, routing_keys=("probe.kept",), retired_keys=("probe.retired",)))
    await declare(world.amqp_url, ConsumerQueue(name, routing_keys=("probe.kept",), retired_keys=("probe.retired",)))
    await send(world.amqp_url, b"{}", routing_key="probe.retired", message_id="retired")
    await send(world.amqp_url, b"{}", routing_key="probe.kept", message_id="kept")

    async def only_the_kept_one() -> bool:
        return await queue_depth(world.amqp_url, name) == 1

    await eventually(only_the_kept_one, what="the kept key's event in the queue")
    await stays(only_the_kept_one, what="the retired key's event not routed to it")
