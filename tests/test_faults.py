"""A fault campaign: the suite, run as `aftercare up` runs it on a PostgreSQL server and a RabbitMQ node of
the test's own, takes a steady stream of requests while RabbitMQ is stopped and started, PostgreSQL is
restarted, each service in turn is killed (SIGKILL) and started again by `up`, and then, with three
dispatch and three SLA processes, two of each three are killed in turn. At the end every
accepted request has one ticket, one assignment, its three clocks and one request record, nothing twice,
and no dead letters. The time each fault took to recover from (every service ready again) is printed.
"""

from __future__ import annotations

import asyncio
import os
import signal
import time
from contextlib import ExitStack
from functools import partial
from pathlib import Path

import pytest

import services
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
from testkit.private_servers import PrivatePostgres, PrivateRabbit, private_postgres, private_rabbitmq
from testkit.processes import aftercare_process, free_port, is_ready, service_pids
from testkit.waiting import eventually


@pytest.mark.timeout(900)
async def test_nothing_accepted_is_lost_or_doubled_through_broker_database_and_process_faults(tmp_path: Path) -> None:
    with private_postgres() as postgres, private_rabbitmq(tmp_path) as rabbit:
        env, urls = suite_environment(postgres.url, rabbit.url)
        await prepared(env)
        with aftercare_process(*UP_ON_PRIVATE_SERVERS, env=env, log_dir=tmp_path) as up:
            await all_ready(urls, time.monotonic())
            load = SteadyLoad(urls["intake"])
            stream = asyncio.create_task(load.run())
            recovery = await _campaign(up.popen.pid, urls, postgres, rabbit)
            with ExitStack() as replicas:
                for name in ("dispatch", "sla"):
                    recovery |= await _two_of_three_killed(name, up.popen.pid, urls, env, replicas, tmp_path)
                await asyncio.sleep(3)
            load.running = False
            await stream
            report(
                f"{len(load.accepted)} requests accepted, refused: {dict(load.refused)}\n"
                + "".join(f"  {fault:<32} ready again after {seconds:5.1f} s\n" for fault, seconds in recovery.items())
            )
            await every_ticket_whole(urls["archive"], load.accepted)
            await no_dead_letters(urls)
            returncode, output = up.stop(signal.SIGINT)
            assert returncode == 0, output[-3000:]
        assert len(load.accepted) > 100, load.refused


async def _campaign(
    up: int, urls: dict[str, str], postgres: PrivatePostgres, rabbit: PrivateRabbit
) -> dict[str, float]:
    recovery: dict[str, float] = {}
    for server, name in ((rabbit, "RabbitMQ"), (postgres, "PostgreSQL")):
        await asyncio.sleep(3)
        await asyncio.to_thread(server.stop)
        await asyncio.sleep(2)
        await asyncio.to_thread(server.start)
        recovery[f"{name} stopped 2 s"] = await all_ready(urls, time.monotonic())
        print(f"{name}: ready again after {recovery[f'{name} stopped 2 s']:.1f} s", flush=True)  # seen if it fails
    for name in services.NAMES:
        await asyncio.sleep(2)
        killed = service_pids(up)[name]
        os.kill(killed, signal.SIGKILL)
        since = time.monotonic()

        await eventually(partial(_replaced, up, name, killed), timeout=30, what=f"{name} started again")
        recovery[f"{name} killed"] = await all_ready(urls, since)
        print(f"{name} killed: ready again after {recovery[f'{name} killed']:.1f} s", flush=True)
    await asyncio.sleep(3)
    return recovery


async def _two_of_three_killed(
    name: str, up: int, urls: dict[str, str], env: dict[str, str], replicas: ExitStack, log_dir: Path
) -> dict[str, float]:
    """Two more processes of the service beside `up`'s; then two of the three killed in turn (one of
    them for good), while the third carries on; how long until `up`'s own was ready again."""
    extra = []
    for _ in range(2):
        port = free_port()
        process = replicas.enter_context(
            aftercare_process("run", name, env={**env, f"{name.upper()}_HTTP_PORT": str(port)}, log_dir=log_dir)
        )
        extra.append(process)
        await eventually(partial(is_ready, f"http://127.0.0.1:{port}"), timeout=60, what=f"a {name} replica ready")
    await asyncio.sleep(3)
    extra[0].popen.kill()
    await asyncio.sleep(3)
    killed = service_pids(up)[name]
    os.kill(killed, signal.SIGKILL)
    since = time.monotonic()
    await eventually(partial(_replaced, up, name, killed), timeout=30, what=f"{name} started again")
    await eventually(partial(is_ready, urls[name]), timeout=60, what=f"{name} ready again")
    return {f"2 of 3 {name} killed": time.monotonic() - since}


async def _replaced(up: int, name: str, killed: int) -> bool:
    return service_pids(up).get(name, killed) != killed
