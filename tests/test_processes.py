"""The suite as operators run it: `aftercare up` starts five processes that answer health and
readiness and carry a request through; SIGTERM lets a busy service finish what it holds and lose
nothing."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import httpx

import services
from shared.contracts import Envelope, ServiceKind, TicketOpened
from shared.testing import EventTap, World, eventually, opened_envelope, send_envelopes


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _environment(world: World, ports: dict[str, int]) -> dict[str, str]:
    env = {
        **os.environ,
        **world.environment(),
        "AFTERCARE_LOG_FORMAT": "json",
        "AFTERCARE_GRACEFUL_TIMEOUT_SECONDS": "10",
    }
    env.update({f"{name.upper()}_HTTP_PORT": str(port) for name, port in ports.items()})
    return env


@dataclass
class Process:
    """An `aftercare` command running as its own process, its output kept in a file (a pipe nobody
    reads would fill up and block the process's logging)."""

    popen: subprocess.Popen[bytes]
    log: Path

    def stop(self, sig: signal.Signals, timeout: float = 60) -> tuple[int, str]:
        self.popen.send_signal(sig)
        returncode = self.popen.wait(timeout=timeout)
        return returncode, self.log.read_text(errors="replace")


@contextmanager
def _process(*args: str, env: dict[str, str], tmp_path: Path) -> Iterator[Process]:
    log = tmp_path / f"{'-'.join(args)}-{uuid.uuid4().hex[:6]}.log"
    with log.open("wb") as output:
        popen = subprocess.Popen(
            [sys.executable, "-m", "services", *args], env=env, stdout=output, stderr=subprocess.STDOUT
        )
    try:
        yield Process(popen, log)
    finally:
        if popen.poll() is None:
            popen.kill()
            popen.wait()


async def _ready(url: str) -> bool:
    try:
        async with httpx.AsyncClient() as client:
            return (await client.get(f"{url}/readyz", timeout=1)).status_code == 200
    except httpx.HTTPError:
        return False


async def test_aftercare_up_runs_the_suite_and_stops_it_cleanly(seeded: World, tmp_path: Path) -> None:
    ports = {name: _free_port() for name in services.NAMES}
    urls = {name: f"http://127.0.0.1:{port}" for name, port in ports.items()}
    with _process("up", env=_environment(seeded, ports), tmp_path=tmp_path) as up:
        for name, url in urls.items():
            await eventually(partial(_ready, url), timeout=60, what=f"{name} ready")
        async with httpx.AsyncClient() as client:
            assert (await client.get(f"{urls['sla']}/healthz")).json() == {"status": "alive", "service": "sla"}
            response = await client.post(
                f"{urls['intake']}/requests",
                json={
                    "site_code": "HH138",
                    "subsystem": "signage",
                    "asset_tag": "HH138-SIG-LED-01",
                    "description": f"Facade LED wall shows a black band ({uuid.uuid4().hex[:6]})",
                    "channel": "hotline",
                    "reporter": {"name": "Facade team", "phone": "+86 21 5555 0177"},
                },
            )
            assert response.status_code == 201, response.text
            ticket = response.json()["ticket_id"]

            async def archived() -> bool:
                documents = (await client.get(f"{urls['archive']}/documents", params={"ticket_id": ticket})).json()
                assigned = (await client.get(f"{urls['dispatch']}/tickets/{ticket}")).json()
                clocks = await client.get(f"{urls['sla']}/tickets/{ticket}/clocks")
                return len(documents) == 1 and assigned.get("status") == "assigned" and clocks.status_code == 200

            await eventually(archived, timeout=10)
            metrics = (await client.get(f"{urls['dispatch']}/metrics/")).text
            assert (
                'aftercare_messages_consumed_total{outcome="processed",queue="dispatch.inbox",type="ticket.opened"}'
                in metrics
            )

        returncode, output = up.stop(signal.SIGINT)
        assert returncode == 0, output[-3000:]
        assert output.count('"event": "service stopped"') == len(services.NAMES)
        for url in urls.values():
            assert not await _ready(url)


def _opened(ticket: str) -> Envelope[TicketOpened]:
    """A bgm fault at the load-test site, whose engineers can take many tickets."""
    return opened_envelope(
        ticket, site_code="LOAD1", site_name="Load test plaza", subsystem="bgm", kind=ServiceKind.FAULT
    )


async def test_sigterm_drains_in_flight_messages_and_loses_none(seeded: World, tap: EventTap, tmp_path: Path) -> None:
    ports = {"dispatch": _free_port()}
    url = f"http://127.0.0.1:{ports['dispatch']}"
    env = _environment(seeded, ports)
    tickets = [f"LOAD1-20261125-S{n:03d}{uuid.uuid4().hex[:3]}" for n in range(300)]
    with _process("run", "dispatch", env=env, tmp_path=tmp_path) as dispatch:
        await eventually(lambda: _ready(url), timeout=60, what="dispatch ready")
        await send_envelopes(seeded.amqp_url, [_opened(ticket) for ticket in tickets])
        await eventually(lambda: _count_assigned(tap, tickets, at_least=20), timeout=20)
        returncode, output = dispatch.stop(signal.SIGTERM)
        # uvicorn re-raises the signal once shut down, as a process manager expects: -15 is a clean stop
        assert returncode in (0, -signal.SIGTERM), output[-3000:]
        assert '"event": "service stopped"' in output
    done_before_restart = await _count_assigned(tap, tickets, at_least=0)
    assert done_before_restart < len(tickets), "stop came too late to be a mid-run stop"

    with _process("run", "dispatch", env=env, tmp_path=tmp_path) as restarted:
        await eventually(lambda: _ready(url), timeout=60, what="dispatch ready again")
        await eventually(lambda: _count_assigned(tap, tickets, at_least=len(tickets)), timeout=60)
        await asyncio.sleep(0.5)
        assert all(len(tap.of_type("ticket.assigned", t)) == 1 for t in tickets)
        returncode, _ = restarted.stop(signal.SIGTERM)
        assert returncode in (0, -signal.SIGTERM)


async def _count_assigned(tap: EventTap, tickets: list[str], *, at_least: int) -> int:
    wanted = set(tickets)
    done = len({e["correlation_id"] for e in tap.of_type("ticket.assigned") if e["correlation_id"] in wanted})
    return done if done >= at_least else 0
