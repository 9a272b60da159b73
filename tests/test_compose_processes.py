"""deploy/compose.yaml brought up as local processes, since no Docker engine runs here.

Each step and service of the compose file runs its own command with its own environment, moved onto
the local broker and database (a database, virtual host, roles and users of this run's own), in the
waves its `depends_on` conditions allow: `provision`, `migrate` and `seed` must exit 0, and each service
must pass its own health check command before anything waits on it. Dispatch runs at three replicas,
each on a port of its own (containers would each have their own network; processes share one).
300 requests go in through intake and one dispatch replica is stopped with SIGTERM while they flow:
every ticket must still be assigned exactly once, get its clocks (each announced once) and its two documents, and no
process may outgrow its container's memory limit.
"""

from __future__ import annotations

import asyncio
import os
import re
import signal
import subprocess
import uuid
from collections import Counter
from collections.abc import Sequence
from contextlib import ExitStack
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from urllib.parse import quote

import asyncpg
import httpx
import pytest
from sqlalchemy.engine import make_url

import services
from shared.persistence.database import asyncpg_dsn
from shared.provisioning import ServiceAccess
from testkit.accounts import removed_afterwards
from testkit.broker import EventTap, event_tap
from testkit.identities import ADMIN
from testkit.machine import AMQP_BASE_URL, LOAD_TEST_SITE, POSTGRES_URL
from testkit.processes import Process, aftercare_process, free_port
from testkit.waiting import eventually, stays
from testkit.world import World
from tests.compose import ComposeService, LocalMachine, env_with_passwords, load_compose, start_waves

DISPATCH_REPLICAS = 3
REQUESTS = 300
FIRST_BATCH = 100  # sent before the replica is stopped; the rest flow while it stops
CONCURRENT_REQUESTS = 8
PREFIXES = {name: str(services.definition(name).settings_class.model_config["env_prefix"]) for name in services.NAMES}
ONE_SHOT_ARGUMENTS = {"seed": ["--site", str(LOAD_TEST_SITE)]}  # the load-test site, whose engineers have room
CLEAN_EXIT = (0, -signal.SIGTERM)  # uvicorn re-raises SIGTERM once it has shut down cleanly
EVENTS = ("ticket.assigned", "sla.clocks_started", "document.archived")
DOCUMENTS_PER_TICKET = 2  # the service request record and the dispatch order


@dataclass
class Replica:
    service: ComposeService
    process: Process
    port: int

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


@dataclass
class LocalCompose:
    """The compose file's Aftercare services as processes on this machine; the machine's PostgreSQL
    and RabbitMQ stand in for the compose file's own."""

    machine: LocalMachine
    processes: ExitStack
    log_dir: Path
    replicas: dict[str, list[Replica]] = field(default_factory=dict)

    async def up(self, waves: Sequence[Sequence[ComposeService]], scale: dict[str, int]) -> None:
        for wave in waves:
            await asyncio.gather(*(self._bring_up(s, scale.get(s.name, 1)) for s in wave if s.ours))

    async def _bring_up(self, service: ComposeService, count: int) -> None:
        environment = {**_host_environment(), **self.machine.environment(service)}
        if service.one_shot:  # condition: service_completed_successfully
            step = self._start([*service.command, *ONE_SHOT_ARGUMENTS.get(service.name, [])], environment)
            returncode = await asyncio.to_thread(step.popen.wait, 180)
            assert returncode == 0, f"{service.name} exited {returncode}:\n{step.output()[-3000:]}"
            return
        started = []
        for _ in range(count):
            port = free_port()
            own_port = {f"{PREFIXES[service.name]}HTTP_PORT": str(port)}
            started.append(Replica(service, self._start(service.command, {**environment, **own_port}), port))
        self.replicas[service.name] = started
        for replica in started:  # condition: service_healthy
            await eventually(partial(self._healthy, replica), timeout=120, interval=0.5, what=f"{service.name} healthy")

    def _start(self, command: list[str], environment: dict[str, str]) -> Process:
        return self.processes.enter_context(aftercare_process(*command, env=environment, log_dir=self.log_dir))

    async def _healthy(self, replica: Replica) -> bool:
        if replica.process.popen.poll() is not None:
            raise RuntimeError(f"{replica.service.name} exited:\n{replica.process.output()[-3000:]}")
        check = self.machine.healthcheck(replica.service, replica.port)
        return (await asyncio.to_thread(subprocess.run, check, capture_output=True, timeout=30)).returncode == 0

    def running(self) -> list[Replica]:
        return [r for replicas in self.replicas.values() for r in replicas if r.process.popen.poll() is None]


def _host_environment() -> dict[str, str]:
    """This process's environment without any Aftercare setting: only the compose file configures."""
    settings = ("AFTERCARE_", *PREFIXES.values())
    return {key: value for key, value in os.environ.items() if not key.upper().startswith(settings)}


def _accounts(machine: LocalMachine, compose: dict[str, ComposeService]) -> list[ServiceAccess]:
    """What the provisioning step will create, so that all of it is removed at the end."""
    environment = machine.environment(compose["provision"])
    return [
        ServiceAccess.of(
            services.definition(name),
            services.definition(name).settings_class(
                database_url=environment[f"{prefix}DATABASE_URL"], amqp_url=environment[f"{prefix}AMQP_URL"]
            ),
        )
        for name, prefix in PREFIXES.items()
    ]


async def _submit(client: httpx.AsyncClient, numbers: range, run: str) -> list[str]:
    """Hotline requests for faults at the load-test site, a few at a time; their ticket ids."""
    limit = asyncio.Semaphore(CONCURRENT_REQUESTS)

    async def submit(number: int) -> str:
        async with limit:
            response = await client.post(
                "/requests",
                json={
                    "site_code": "LOAD1",
                    "subsystem": ("bgm", "control")[number % 2],
                    "description": f"Zone {number} has had no output since this morning ({run})",
                    "channel": "hotline",
                    "reporter": {"name": "Plaza duty desk", "phone": "+86 21 5555 0199"},
                    "request_id": str(uuid.uuid4()),
                },
            )
            assert response.status_code == 201, response.text
            return str(response.json()["ticket_id"])

    return list(await asyncio.gather(*(submit(n) for n in numbers)))


def _counts(tap: EventTap, message_type: str) -> Counter[str]:
    """How many events (message ids) of this type each ticket had."""
    return Counter(str(event["correlation_id"]) for event in tap.events(message_type))


def _clocks_started(tap: EventTap) -> Counter[tuple[str, str, int]]:
    """How often each clock (ticket, kind, cycle) was announced; a fault gets several kinds, in one event."""
    started = (event["payload"] for event in tap.events("sla.clocks_started"))
    return Counter((p["ticket_id"], c["clock"], c["cycle"]) for p in started for c in p["clocks"])


async def _processed(replica: Replica) -> float:
    """Messages this dispatch replica has handled, from its own metrics."""
    async with httpx.AsyncClient() as client:
        metrics = (await client.get(f"{replica.url}/metrics", timeout=5)).text
    pattern = r'^aftercare_messages_consumed_total\{[^}]*outcome="processed"[^}]*\} (\S+)$'
    return sum(float(value) for value in re.findall(pattern, metrics, re.MULTILINE))


def _peak_memory_bytes(pid: int) -> int:
    status = Path(f"/proc/{pid}/status").read_text()
    match = re.search(r"^VmHWM:\s+(\d+) kB$", status, re.MULTILINE)
    assert match is not None
    return int(match[1]) * 1024


@pytest.mark.timeout(300)  # ten processes start in waves, then 300 requests: 60 to 100 s on this machine
async def test_the_compose_file_as_processes_carries_300_requests_while_a_dispatch_replica_stops(
    world: World, tmp_path: Path
) -> None:
    compose = load_compose(env_with_passwords())
    machine = LocalMachine(place=f"{world.name}_compose")
    run = uuid.uuid4().hex[:8]
    async with removed_afterwards(_accounts(machine, compose)):
        with ExitStack() as processes:
            local = LocalCompose(machine, processes, tmp_path)
            await local.up(start_waves(compose, profiles={"demo"}), scale={"dispatch": DISPATCH_REPLICAS})
            assert {name: len(local.replicas[name]) for name in services.NAMES} == {
                name: DISPATCH_REPLICAS if name == "dispatch" else 1 for name in services.NAMES
            }

            broker = f"{AMQP_BASE_URL.rstrip('/')}/{quote(machine.place, safe='')}"
            intake = local.replicas["intake"][0].url
            async with (
                event_tap(broker) as tap,
                httpx.AsyncClient(base_url=intake, timeout=30, headers=ADMIN) as client,
            ):
                tickets = await _submit(client, range(FIRST_BATCH), run)
                stopped = local.replicas["dispatch"][1]

                async def stopped_replica_is_busy() -> bool:
                    return await _processed(stopped) > 0 and len(_counts(tap, "ticket.assigned")) >= 30

                await eventually(stopped_replica_is_busy, timeout=60, what="the replica to stop has work")
                rest = asyncio.create_task(_submit(client, range(FIRST_BATCH, REQUESTS), run))
                returncode, output = await asyncio.to_thread(stopped.process.stop, signal.SIGTERM)
                assert returncode in CLEAN_EXIT, output[-3000:]
                assert '"event": "service stopped"' in output
                assert len(_counts(tap, "ticket.assigned")) < REQUESTS, "the stop came after the run"
                tickets += await rest
                assert len(set(tickets)) == REQUESTS

                async def every_ticket_went_all_the_way() -> bool:
                    return all(set(tickets) <= set(_counts(tap, event)) for event in EVENTS)

                await eventually(every_ticket_went_all_the_way, timeout=120, interval=0.5)

                async def each_effect_once() -> bool:
                    once_each = (
                        ("ticket.assigned", 1),
                        ("sla.clocks_started", 1),
                        ("document.archived", DOCUMENTS_PER_TICKET),
                    )
                    for event, once in once_each:
                        counts = _counts(tap, event)
                        assert {counts[ticket] for ticket in tickets} == {once}, f"{event} not {once} per ticket"
                    clocks = _clocks_started(tap)
                    doubled = {key: n for key, n in clocks.items() if n > 1}
                    assert doubled == {}, f"clocks started more than once: {doubled}"
                    assert {(ticket, "on_site", 1) for ticket in tickets} <= set(clocks)
                    return True

                await eventually(each_effect_once)
                await stays(each_effect_once, what="no duplicate effect")

            database = make_url(POSTGRES_URL).set(database=machine.place).render_as_string(hide_password=False)
            connection = await asyncpg.connect(asyncpg_dsn(database))
            try:
                assigned = await connection.fetch(
                    "SELECT ticket_id FROM dispatch.assignments WHERE ticket_id = ANY($1)", tickets
                )
                documents = await connection.fetch(
                    "SELECT ticket_id, count(*) AS n FROM archive.documents WHERE ticket_id = ANY($1) GROUP BY 1",
                    tickets,
                )
            finally:
                await connection.close()
            assert sorted(row["ticket_id"] for row in assigned) == sorted(tickets)
            assert len(documents) == REQUESTS
            assert {row["n"] for row in documents} == {DOCUMENTS_PER_TICKET}

            for replica in local.running():
                peak = _peak_memory_bytes(replica.process.popen.pid)
                assert peak < replica.service.memory_limit_bytes, f"{replica.service.name} peaked at {peak} bytes"
            stops = await asyncio.gather(
                *(asyncio.to_thread(replica.process.stop, signal.SIGTERM) for replica in local.running())
            )
            assert [code for code, _ in stops if code not in CLEAN_EXIT] == []
