"""The suite as operators run it: `aftercare up` starts the services' processes that answer health and
readiness and carry a request through, each connected to RabbitMQ as a user of its own; SIGTERM lets a busy service finish what it holds and lose
nothing."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import uuid
from functools import partial
from pathlib import Path
from urllib.parse import quote

import httpx

import services
from services.broker_users import broker_user
from services.launcher import pause_after
from testkit.broker import EventTap, send_envelopes
from testkit.identities import ADMIN
from testkit.machine import BROKER_ADMIN_URL
from testkit.processes import aftercare_process, free_port, http_ports, is_ready, service_pids
from testkit.samples import opened_at_load_site
from testkit.waiting import eventually, stays
from testkit.world import World


async def _broker_users_connected(vhost: str) -> set[str]:
    """Who the connections to the world's virtual host are logged in as."""
    async with httpx.AsyncClient(base_url=BROKER_ADMIN_URL) as admin:
        connections = await admin.get(f"/api/vhosts/{quote(vhost, safe='')}/connections")
    return {connection["user"] for connection in connections.json()}


def _environment(world: World, ports: dict[str, int]) -> dict[str, str]:
    env = {
        **os.environ,
        **world.environment(),
        "AFTERCARE_LOG_FORMAT": "json",
        "AFTERCARE_GRACEFUL_TIMEOUT_SECONDS": "10",
    }
    return env | http_ports(ports)


async def test_aftercare_up_runs_the_suite_and_stops_it_cleanly(seeded: World, tmp_path: Path) -> None:
    ports = {name: free_port() for name in services.NAMES}
    urls = {name: f"http://127.0.0.1:{port}" for name, port in ports.items()}
    misspelt = {"DISPATCH_PREFECTH": "9"}  # pydantic-settings alone would ignore it without a word
    with aftercare_process("up", env=_environment(seeded, ports) | misspelt, log_dir=tmp_path) as up:
        for name, url in urls.items():
            await eventually(partial(is_ready, url), timeout=60, what=f"{name} ready")
        async with httpx.AsyncClient(headers=ADMIN) as client:
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
                filed = {document["category"] for document in documents}
                return filed == {"REC", "DSP"} and assigned.get("status") == "assigned" and clocks.status_code == 200

            await eventually(archived, timeout=30)  # after what earlier tests left in the inboxes
            own_users = {broker_user(name, seeded.vhost) for name in services.NAMES}

            async def each_connected_as_its_own_user() -> bool:  # the broker lists a connection soon after
                return await _broker_users_connected(seeded.vhost) == own_users  # no guest among them

            await eventually(each_connected_as_its_own_user, timeout=10)
            second = await asyncio.to_thread(
                subprocess.run,
                [sys.executable, "-m", "services", "up"],
                env=_environment(seeded, {name: free_port() for name in services.NAMES}),
                capture_output=True,
                text=True,
                timeout=120,
            )  # a second suite in the same virtual host would change the first one's passwords
            assert second.returncode == 1, second.stdout[-2000:] + second.stderr[-2000:]
            assert "another suite runs as the RabbitMQ users" in second.stderr
            metrics = (await client.get(f"{urls['dispatch']}/metrics")).text
            assert (
                'aftercare_messages_consumed_total{outcome="processed",queue="dispatch.inbox",type="ticket.opened"}'
                in metrics
            )

        returncode, output = up.stop(signal.SIGINT)
        assert returncode == 0, output[-3000:]
        assert output.count('"event": "service stopped"') == len(services.NAMES)
        assert output.count('"variable": "DISPATCH_PREFECTH"') == len(services.NAMES)  # each names it once
        for url in urls.values():
            assert not await is_ready(url)


async def test_a_service_that_dies_under_aftercare_up_is_started_again_and_the_others_keep_serving(
    seeded: World, tmp_path: Path
) -> None:
    ports = {name: free_port() for name in services.NAMES}
    urls = {name: f"http://127.0.0.1:{port}" for name, port in ports.items()}
    with aftercare_process("up", env=_environment(seeded, ports), log_dir=tmp_path) as up:
        for name, url in urls.items():
            await eventually(partial(is_ready, url), timeout=60, what=f"{name} ready")
        killed = service_pids(up.popen.pid)["dispatch"]
        os.kill(killed, signal.SIGKILL)
        async with httpx.AsyncClient(headers=ADMIN) as client:
            request = {
                "site_code": "LOAD1", "subsystem": "bgm", "channel": "hotline", "reporter": {"name": "Duty desk"},
                "description": f"Atrium speakers silent while dispatch is down ({uuid.uuid4().hex[:6]})",
            }  # fmt: skip
            accepted = await client.post(f"{urls['intake']}/requests", json=request)
            assert accepted.status_code == 201, accepted.text  # intake did not go down with dispatch
            ticket = accepted.json()["ticket_id"]
            await eventually(partial(is_ready, urls["dispatch"]), timeout=60, what="dispatch started again")
            assert service_pids(up.popen.pid)["dispatch"] != killed

            async def assigned() -> bool:
                answer = await client.get(f"{urls['dispatch']}/tickets/{ticket}")
                return answer.status_code == 200 and answer.json()["status"] == "assigned"

            await eventually(assigned, timeout=30, what="the request made meanwhile assigned")
        returncode, output = up.stop(signal.SIGINT)
    assert returncode == 0, output[-3000:]
    assert "dispatch exited with -9; starting it again in 1s" in output
    assert "dispatch started again" in output


def test_a_service_dying_again_and_again_is_started_after_longer_pauses_then_given_up() -> None:
    deaths, pauses = 0, []
    for _ in range(5):
        deaths, pause = pause_after(deaths, lived=6.0)  # each time dead six seconds after starting
        pauses.append(pause)
    assert pauses == [1, 2, 4, 8, 16]
    assert pause_after(deaths, lived=6.0)[1] is None  # a sixth death in a row: something is wrong
    assert pause_after(deaths, lived=600.0) == (1, 1)  # after ten minutes of work, a death starts afresh


async def test_sigterm_drains_in_flight_messages_and_loses_none(seeded: World, tap: EventTap, tmp_path: Path) -> None:
    ports = {"dispatch": free_port()}
    url = f"http://127.0.0.1:{ports['dispatch']}"
    env = _environment(seeded, ports)
    tickets = [f"LOAD1-20261125-S{n:03d}{uuid.uuid4().hex[:3]}" for n in range(300)]
    with aftercare_process("run", "dispatch", env=env, log_dir=tmp_path) as dispatch:
        await eventually(lambda: is_ready(url), timeout=60, what="dispatch ready")
        await send_envelopes(seeded.amqp_url, [opened_at_load_site(ticket) for ticket in tickets])
        await eventually(lambda: _count_assigned(tap, tickets, at_least=20), timeout=20)
        returncode, output = dispatch.stop(signal.SIGTERM)
        # uvicorn re-raises the signal once shut down, as a process manager expects: -15 is a clean stop
        assert returncode in (0, -signal.SIGTERM), output[-3000:]
        assert '"event": "service stopped"' in output
    done_before_restart = await _count_assigned(tap, tickets, at_least=0)
    assert done_before_restart < len(tickets), "stop came too late to be a mid-run stop"

    with aftercare_process("run", "dispatch", env=env, log_dir=tmp_path) as restarted:
        await eventually(lambda: is_ready(url), timeout=60, what="dispatch ready again")
        await eventually(lambda: _count_assigned(tap, tickets, at_least=len(tickets)), timeout=60)
        await stays(lambda: _each_assigned_once(tap, tickets), what="each ticket assigned once")
        returncode, _ = restarted.stop(signal.SIGTERM)
        assert returncode in (0, -signal.SIGTERM)


async def _each_assigned_once(tap: EventTap, tickets: list[str]) -> bool:
    return all(len(tap.of_type("ticket.assigned", t)) == 1 for t in tickets)


async def _count_assigned(tap: EventTap, tickets: list[str], *, at_least: int) -> int:
    wanted = set(tickets)
    done = len({e["correlation_id"] for e in tap.of_type("ticket.assigned") if e["correlation_id"] in wanted})
    return done if done >= at_least else 0
