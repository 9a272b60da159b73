"""One AMQP URL naming every node of a cluster: parsed into one URL per node; a connection goes to a
node that answers, and a robust one (the services' publisher, FastStream's consumers) moves to another
node when its own goes away. The nodes here are two proxies to the machine's broker that a test cuts."""

from __future__ import annotations

from urllib.parse import urlsplit

import aio_pika

from shared.messaging import nodes
from shared.messaging.publisher import Publisher
from shared.tests.conftest import Probe
from testkit.cut import Cuttable, cuttable
from testkit.processes import free_port
from testkit.waiting import eventually
from testkit.world import World


def test_a_url_naming_several_nodes_becomes_one_url_per_node() -> None:
    url = "amqp://dispatch:s%40cret@rabbit-0:5672, rabbit-1:5673,rabbit-2/aftercare?heartbeat=30"
    assert nodes.node_urls(url) == [
        "amqp://dispatch:s%40cret@rabbit-0:5672/aftercare?heartbeat=30",
        "amqp://dispatch:s%40cret@rabbit-1:5673/aftercare?heartbeat=30",
        "amqp://dispatch:s%40cret@rabbit-2/aftercare?heartbeat=30",
    ]
    assert nodes.node_urls("amqp://guest:guest@127.0.0.1:5672/") == ["amqp://guest:guest@127.0.0.1:5672/"]
    assert nodes.safe(url) == "amqp://dispatch@rabbit-0:5672, rabbit-1:5673,rabbit-2/aftercare?heartbeat=30"


def _through(world: World, *proxies: Cuttable | int) -> str:
    broker = urlsplit(world.amqp_url)
    hosts = ",".join(f"127.0.0.1:{p.port if isinstance(p, Cuttable) else p}" for p in proxies)
    return f"amqp://{broker.username}:{broker.password}@{hosts}{broker.path}"


async def test_a_connection_goes_to_a_node_that_answers(world: World) -> None:
    broker = urlsplit(world.amqp_url)
    async with cuttable(broker.hostname or "127.0.0.1", broker.port or 5672) as up:
        for _ in range(6):  # whichever node each starts at
            connection = await nodes.connect(_through(world, free_port(), up))
            await connection.close()
        robust = await nodes.connect_robust(_through(world, free_port(), up))
        await robust.close()


async def test_a_robust_connection_moves_to_another_node_when_its_own_goes_away(world: World) -> None:
    broker = urlsplit(world.amqp_url)
    host, port = broker.hostname or "127.0.0.1", broker.port or 5672
    async with cuttable(host, port) as first, cuttable(host, port) as second:
        publisher = Publisher(_through(world, first, second), name="nodes-test")
        await publisher.start()
        try:
            used = first if first.in_use else second
            other = second if used is first else first
            used.sever()  # the node goes away, and stays away
            await eventually(lambda: _connected_through(other), timeout=30, what="a connection through the other node")
            await eventually(lambda: _publishes(publisher), timeout=30, what="publishing again")
        finally:
            await publisher.stop()


async def _connected_through(proxy: Cuttable) -> bool:
    return proxy.in_use


async def _publishes(publisher: Publisher) -> bool:
    try:
        await publisher.publish(
            b"{}", exchange="", routing_key="nobody", message_id=None, correlation_id=None, message_type=None
        )
    except aio_pika.exceptions.DeliveryError:
        return True  # the broker answered: unroutable, as expected
    except (TimeoutError, ConnectionError, RuntimeError, aio_pika.exceptions.AMQPError):
        return False
    return True


async def test_a_service_starts_whichever_node_of_the_cluster_is_down(probe: Probe) -> None:
    """Started again and again with one of two nodes not answering: each start finds the other."""
    broker = urlsplit(probe.world.amqp_url)
    async with cuttable(broker.hostname or "127.0.0.1", broker.port or 5672) as up:
        for _ in range(4):
            runtime = probe.runtime(amqp_url=_through(probe.world, free_port(), up))
            await runtime.start()
            await runtime.stop()
