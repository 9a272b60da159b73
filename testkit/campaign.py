"""What the fault and failover tests share: the suite started as `aftercare up` starts it on servers of
a test's own, a steady stream of requests, and the check that every accepted request came out whole."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from collections import Counter

import httpx

import services
from shared.identity import one_line
from testkit.identities import ADMIN, PRIVATE_KEY, PUBLIC_KEY
from testkit.machine import LOAD_TEST_SITE
from testkit.processes import free_port, http_ports, is_ready
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


async def all_ready(urls: dict[str, str], since: float) -> float:
    async def ready() -> bool:
        return all([await is_ready(url) for url in urls.values()])

    await eventually(ready, timeout=120, interval=0.2, what="every service ready again")
    return time.monotonic() - since


def aftercare(*args: str, env: dict[str, str]) -> None:
    """One `aftercare` command, run to completion."""
    command = [sys.executable, "-m", "services", *args]
    subprocess.run(command, env=env, check=True, capture_output=True, timeout=300)  # noqa: S603 - our own CLI


# `aftercare up` on the private servers: their RabbitMQ runs without the management API that would make
# each service a user of its own, so the services connect as the private broker's administrator.
UP_ON_PRIVATE_SERVERS = ("up", "--no-broker-users")


def suite_environment(database_url: str, amqp_url: str) -> tuple[dict[str, str], dict[str, str]]:
    """The environment `aftercare up` runs the suite in on these servers, and each service's base URL."""
    ports = {name: free_port() for name in services.NAMES}
    env = {
        **os.environ,
        "AFTERCARE_DATABASE_URL": database_url,
        "AFTERCARE_AMQP_URL": amqp_url,
        "AFTERCARE_AUTH_PUBLIC_KEY": PUBLIC_KEY,
        "CONSOLE_SIGNING_KEY": one_line(PRIVATE_KEY),
        "AFTERCARE_LOG_FORMAT": "json",
        **http_ports(ports),
    }
    return env, {name: f"http://127.0.0.1:{port}" for name, port in ports.items()}


async def prepared(env: dict[str, str]) -> None:
    """The schemas migrated and the load-test site loaded, as before `up`."""
    await asyncio.to_thread(aftercare, "migrate", env=env)
    await asyncio.to_thread(aftercare, "seed", "--site", str(LOAD_TEST_SITE), env=env)


async def no_dead_letters(urls: dict[str, str]) -> None:
    async with httpx.AsyncClient(headers=ADMIN) as client:
        for name in ("intake", "dispatch", "sla", "vendor", "archive", "webhooks", "notify"):
            waiting = (await client.get(f"{urls[name]}/dead-letters")).json()
            assert all(queue["waiting"] == 0 for queue in waiting), (name, waiting)


async def every_ticket_whole(
    archive: str, tickets: list[str], *, may_wait_in_queue: bool = False, timeout: float = 300
) -> None:
    """Each ticket, as the archive's timeline of every event shows: opened once, assigned once (or, with
    `may_wait_in_queue`, waiting in the manager's queue by rule), its three clocks started in one
    `sla.clocks_started`, one request record (REC) and a dispatch order (DSP) for its assignment."""
    pending = set(tickets)
    async with httpx.AsyncClient(headers=ADMIN, timeout=30) as client:

        async def whole(ticket: str) -> bool:
            timeline = await client.get(f"{archive}/tickets/{ticket}/timeline")
            if timeline.status_code != 200:
                return False
            events = timeline.json()
            seen = Counter(event["type"] for event in events)
            clocks = [c["clock"] for e in events if e["type"] == "sla.clocks_started" for c in e["payload"]["clocks"]]
            documents = (await client.get(f"{archive}/documents", params={"ticket_id": ticket})).json()
            filed = Counter(document["category"] for document in documents)
            assigned = seen["ticket.assigned"]
            routed = assigned + (seen["ticket.awaiting_assignment"] if may_wait_in_queue else 0)
            if routed < 1 or not clocks or filed["REC"] < 1 or filed["DSP"] < assigned:
                return False
            assert seen["ticket.opened"] == 1, seen
            assert assigned <= 1 if may_wait_in_queue else assigned == 1, seen
            assert (seen["sla.clocks_started"], seen["sla.clock_started"]) == (1, 0), seen
            assert sorted(clocks) == ["on_site", "resolution", "response"], clocks
            assert (filed["REC"], filed["DSP"]) == (1, assigned), filed
            return True

        async def all_whole() -> bool:
            # A few at a time: a round over hundreds of tickets must not outlast the timeout on a busy box.
            waiting = sorted(pending)
            for start in range(0, len(waiting), 8):
                batch = waiting[start : start + 8]
                for ticket, done in zip(batch, await asyncio.gather(*map(whole, batch)), strict=True):
                    if done:
                        pending.discard(ticket)
            return not pending

        try:
            await eventually(all_whole, timeout=timeout, interval=1, what="every ticket whole")
        except AssertionError as failed:
            raise AssertionError(f"{failed}; not whole: {sorted(pending)[:20]} ({len(pending)})") from failed
