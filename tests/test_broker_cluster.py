"""The suite on a three-node RabbitMQ cluster of the test's own (beside the machine's broker, which is
not touched): every service queue is a quorum queue with a replica on each node, the services connect
through one URL naming the three nodes, and under a steady stream of requests the node that leads the
most service queues is stopped for good. Requests keep being accepted; every accepted one comes out
whole (one ticket, one assignment, three clocks, one request record and dispatch order), nothing twice,
no dead letters; the queues elect leaders on the two nodes left. The time until every service is ready
again is printed."""

from __future__ import annotations

import asyncio
import json
import signal
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

import services
from shared.service import consumer_queues
from testkit.campaign import (
    UP_ON_PRIVATE_SERVERS,
    SteadyLoad,
    all_ready,
    every_ticket_whole,
    no_dead_letters,
    prepared,
    suite_environment,
)
from testkit.figures import report
from testkit.private_servers import PrivateRabbit, private_postgres, private_rabbitmq_cluster
from testkit.processes import aftercare_process


def _service_queues() -> set[str]:
    return {
        queue.name
        for name in services.NAMES
        for queue in consumer_queues(services.definition(name), services.definition(name).settings_class())
    }


def _quorum_queues(node: PrivateRabbit) -> dict[str, dict[str, Any]]:
    listed = json.loads(node.ctl("list_queues", "name", "type", "leader", "members", "online", "--formatter", "json"))
    return {queue["name"]: queue for queue in listed}


@pytest.mark.timeout(900)
async def test_losing_the_node_that_leads_the_most_queues_loses_and_doubles_nothing(tmp_path: Path) -> None:
    with private_postgres() as postgres, private_rabbitmq_cluster(tmp_path, size=3) as nodes:
        cluster = "amqp://guest:guest@" + ",".join(f"127.0.0.1:{node.port}" for node in nodes) + "/"
        env, urls = suite_environment(postgres.url, cluster)
        await prepared(env)
        with aftercare_process(*UP_ON_PRIVATE_SERVERS, env=env, log_dir=tmp_path) as up:
            await all_ready(urls, time.monotonic())
            queues = _quorum_queues(nodes[0])
            for name in _service_queues():
                assert queues[name]["type"] == "quorum", queues[name]
                assert sorted(queues[name]["members"]) == sorted(n.node for n in nodes), queues[name]

            load = SteadyLoad(urls["intake"])
            stream = asyncio.create_task(load.run())
            await asyncio.sleep(8)
            leaders = Counter(str(queues[name]["leader"]) for name in _service_queues())
            victim = next(node for node in nodes if node.node == leaders.most_common(1)[0][0])
            survivor = next(node for node in nodes if node is not victim)
            accepted_before = len(load.accepted)
            since = time.monotonic()
            await asyncio.to_thread(victim.stop)
            await asyncio.sleep(1)  # the services notice the lost connections
            recovered = await all_ready(urls, since)
            await asyncio.sleep(12)
            load.running = False
            await stream

            after = _quorum_queues(survivor)
            moved = [name for name in _service_queues() if after[name]["leader"] != victim.node]
            report(
                f"{victim.node} led {leaders[victim.node]} of {len(_service_queues())} service queues; stopped"
                f"\n  every service ready {recovered:.1f} s after the stop"
                f"\n  {len(load.accepted)} requests accepted ({len(load.accepted) - accepted_before} after the stop),"
                f" refused: {dict(load.refused)}"
            )
            assert sorted(moved) == sorted(_service_queues())  # every queue led from the two nodes left
            assert len(load.accepted) - accepted_before > 40
            await every_ticket_whole(urls["archive"], load.accepted)
            await no_dead_letters(urls)
            returncode, output = up.stop(signal.SIGINT)
            assert returncode == 0, output[-3000:]
