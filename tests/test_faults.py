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
import subprocess
import sys
import time
from collections import Counter
from contextlib import ExitStack
from functools import partial
from pathlib import Path

import httpx
import pytest

import services
from shared.identity import one_line
from testkit.identities import ADMIN, PRIVATE_KEY, PUBLIC_KEY
from testkit.machine import LOAD_TEST_SITE
from testkit.private_servers import PrivatePostgres, PrivateRabbit, private_postgres, private_rabbitmq
from testkit.processes import aftercare_process, free_port, http_ports, is_ready, service_pids
from testkit.waiting import eventually

RATE = 5.0  # requests per second, all the way through


class SteadyLoad:
    """Hotline requests at the load-test site at a fixed rate; which were accepted, which refused."""

    def __init__(self, intake: str) -> None:
        self.intake = intake
        self.accepted: list[str] = []
        self.refused: Counter[str] = Counter()
        self.running = True

    async def run(self) -> None:
        async with httpx.AsyncClient(headers=ADMIN, timeout=10) as client:
            n = 0
            while self.running:
                n += 1
                asyncio.get_running_loop().create_task(self._one(client, n))
                await asyncio.sleep(1 / RATE)
            await asyncio.sleep(10)  # the last answers

    async def _one(self, client: httpx.AsyncClient, n: int) -> None:
        request = {
            "site_code": "LOAD1", "subsystem": ("bgm", "control")[n % 2], "channel": "hotline",
            "description": f"Zone {n} silent during the fault campaign", "reporter": {"name": "Campaign desk"},
        }  # fmt: skip
        try:
            answer = await client.post(f"{self.intake}/requests", json=request)
        except httpx.HTTPError as error:
            self.refused[type(error).__name__] += 1
            return
        if answer.status_code == 201:
            self.accepted.append(answer.json()["ticket_id"])
        else:
            self.refused[str(answer.status_code)] += 1


async def _all_ready(urls: dict[str, str], since: float) -> float:
    async def ready() -> bool:
        return all([await is_ready(url) for url in urls.values()])

    await eventually(ready, timeout=120, interval=0.2, what="every service ready again")
    return time.monotonic() - since


def _aftercare(*args: str, env: dict[str, str]) -> None:
    subprocess.run([sys.executable, "-m", "services", *args], env=env, check=True, capture_output=True, timeout=300)


@pytest.mark.timeout(900)
async def test_nothing_accepted_is_lost_or_doubled_through_broker_database_and_process_faults(tmp_path: Path) -> None:
    with private_postgres() as postgres, private_rabbitmq(tmp_path) as rabbit:
        ports = {name: free_port() for name in services.NAMES}
        urls = {name: f"http://127.0.0.1:{port}" for name, port in ports.items()}
        env = {
            **os.environ,
            "AFTERCARE_DATABASE_URL": postgres.url,
            "AFTERCARE_AMQP_URL": rabbit.url,
            "AFTERCARE_AUTH_PUBLIC_KEY": PUBLIC_KEY,
            "CONSOLE_SIGNING_KEY": one_line(PRIVATE_KEY),
            "AFTERCARE_LOG_FORMAT": "json",
            **http_ports(ports),
        }
        await asyncio.to_thread(_aftercare, "migrate", env=env)
        await asyncio.to_thread(_aftercare, "seed", "--site", str(LOAD_TEST_SITE), env=env)
        with aftercare_process("up", env=env, log_dir=tmp_path) as up:
            await _all_ready(urls, time.monotonic())
            load = SteadyLoad(urls["intake"])
            stream = asyncio.create_task(load.run())
            recovery = await _campaign(up.popen.pid, urls, postgres, rabbit)
            with ExitStack() as replicas:
                for name in ("dispatch", "sla"):
                    recovery |= await _two_of_three_killed(name, up.popen.pid, urls, env, replicas, tmp_path)
                await asyncio.sleep(3)
            load.running = False
            await stream
            print(f"\n{len(load.accepted)} requests accepted, refused: {dict(load.refused)}")
            for fault, seconds in recovery.items():
                print(f"  {fault:<32} ready again after {seconds:5.1f} s")
            await _every_ticket_whole(urls, load.accepted)
            async with httpx.AsyncClient(headers=ADMIN) as client:
                for name in ("intake", "dispatch", "sla", "vendor", "archive", "webhooks"):
                    waiting = (await client.get(f"{urls[name]}/dead-letters")).json()
                    assert all(queue["waiting"] == 0 for queue in waiting), (name, waiting)
            returncode, output = up.stop(signal.SIGINT)
            assert returncode == 0, output[-3000:]
        assert len(load.accepted) > 100, load.refused


async def _campaign(
    up: int, urls: dict[str, str], postgres: PrivatePostgres, rabbit: PrivateRabbit
) -> dict[str, float]:
    recovery: dict[str, float] = {}
    await asyncio.sleep(3)
    await asyncio.to_thread(rabbit.stop)
    await asyncio.sleep(2)
    await asyncio.to_thread(rabbit.start)
    recovery["RabbitMQ stopped 2 s"] = await _all_ready(urls, time.monotonic())
    print(f"RabbitMQ: ready again after {recovery['RabbitMQ stopped 2 s']:.1f} s", flush=True)
    await asyncio.sleep(3)
    await asyncio.to_thread(postgres.stop)
    await asyncio.sleep(2)
    await asyncio.to_thread(postgres.start)
    recovery["PostgreSQL stopped 2 s"] = await _all_ready(urls, time.monotonic())
    print(f"PostgreSQL: ready again after {recovery['PostgreSQL stopped 2 s']:.1f} s", flush=True)
    for name in services.NAMES:
        await asyncio.sleep(2)
        killed = service_pids(up)[name]
        os.kill(killed, signal.SIGKILL)
        since = time.monotonic()

        await eventually(partial(_replaced, up, name, killed), timeout=30, what=f"{name} started again")
        recovery[f"{name} killed"] = await _all_ready(urls, since)
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


async def _every_ticket_whole(urls: dict[str, str], tickets: list[str]) -> None:
    """Each ticket: opened and assigned once, three clocks, one request record (REC) and one dispatch
    order (DSP), as the archive's timeline of every event shows."""
    pending = set(tickets)
    async with httpx.AsyncClient(headers=ADMIN, timeout=30) as client:

        async def whole(ticket: str) -> bool:
            timeline = await client.get(f"{urls['archive']}/tickets/{ticket}/timeline")
            if timeline.status_code != 200:
                return False
            seen = Counter(event["type"] for event in timeline.json())
            documents = (await client.get(f"{urls['archive']}/documents", params={"ticket_id": ticket})).json()
            filed = Counter(document["category"] for document in documents)
            if seen["ticket.assigned"] < 1 or seen["sla.clock_started"] < 3 or filed["REC"] < 1 or filed["DSP"] < 1:
                return False
            assert (seen["ticket.opened"], seen["ticket.assigned"], seen["sla.clock_started"]) == (1, 1, 3), seen
            assert (filed["REC"], filed["DSP"]) == (1, 1), filed
            return True

        async def all_whole() -> bool:
            for ticket in sorted(pending):
                if await whole(ticket):
                    pending.discard(ticket)
            return not pending

        await eventually(all_whole, timeout=180, interval=1, what=f"{len(pending)} tickets whole")
