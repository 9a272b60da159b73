"""From an HTTP POST to intake until archive's `document.archived` is on the broker.

Starts the five services as separate processes against a throwaway database and virtual host (as
the tests do), submits requests one after another, and times each on a tap queue bound to the
events exchange. Prints median, p90, p99 and max, and the same for `ticket.assigned` and
`sla.clocks_started` (the ticket's three clocks, in one event).

    uv run python bench/request_latency.py [--requests 100]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import statistics
import subprocess
import sys
import time
import uuid
from pathlib import Path

import httpx

import services
from shared.service import seed_site
from testkit.broker import event_tap
from testkit.processes import free_port
from testkit.world import create_world, destroy_world

MILESTONES = ("ticket.opened", "ticket.assigned", "sla.clocks_started", "document.archived")
# Its engineers have room for every benchmark ticket; the demo site's five would fill up after 25.
LOAD_SITE = Path(__file__).resolve().parent.parent / "tests" / "sites" / "load-test.toml"


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


async def measure(requests: int) -> dict[str, list[float]]:
    world = await asyncio.to_thread(create_world)
    processes: list[subprocess.Popen[bytes]] = []
    try:
        for name in services.NAMES:
            await seed_site(services.definition(name), world.database_url, LOAD_SITE)
        ports = {name: free_port() for name in services.NAMES}
        env = {**os.environ, **world.environment(), "AFTERCARE_LOG_LEVEL": "WARNING"}
        env.update({f"{name.upper()}_HTTP_PORT": str(port) for name, port in ports.items()})
        processes = [
            subprocess.Popen([sys.executable, "-m", "services", "run", name], env=env)  # noqa: ASYNC220
            for name in services.NAMES
        ]
        async with httpx.AsyncClient() as client, event_tap(world.amqp_url) as tap:
            for port in ports.values():
                while True:
                    try:
                        if (await client.get(f"http://127.0.0.1:{port}/readyz")).status_code == 200:
                            break
                    except httpx.HTTPError:
                        pass
                    await asyncio.sleep(0.1)
            intake = f"http://127.0.0.1:{ports['intake']}/requests"
            latencies: dict[str, list[float]] = {milestone: [] for milestone in MILESTONES}
            for n in range(requests):
                body = {
                    "site_code": "LOAD1",
                    "subsystem": ("bgm", "control")[n % 2],
                    "description": f"Benchmark request {n} ({uuid.uuid4().hex[:8]})",
                    "channel": "hotline",
                    "reporter": {"name": "Bench", "phone": f"+86 21 0000 {n:04d}"},
                }
                started = time.perf_counter()
                response = await client.post(intake, json=body)
                response.raise_for_status()
                ticket = response.json()["ticket_id"]
                seen: dict[str, float] = {}
                give_up = started + 10
                while len(seen) < len(MILESTONES):
                    if time.perf_counter() > give_up:
                        raise TimeoutError(f"{ticket}: only {sorted(seen)} within 10 s")
                    for message in tap.messages:
                        if message.correlation_id == ticket and message.type in MILESTONES and message.type not in seen:
                            seen[message.type] = time.perf_counter() - started
                    await asyncio.sleep(0.0005)
                for milestone, elapsed in seen.items():
                    latencies[milestone].append(elapsed)
                tap.messages.clear()
            return latencies
    finally:
        for process in processes:
            process.send_signal(signal.SIGTERM)
        for process in processes:
            process.wait(timeout=30)
        await asyncio.to_thread(destroy_world, world)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=100)
    args = parser.parse_args()
    latencies = asyncio.run(measure(args.requests))
    print(f"\n{args.requests} requests, one at a time, five service processes, POST -> event on the broker (ms)")
    print(f"{'milestone':<20}{'median':>9}{'p90':>9}{'p99':>9}{'max':>9}")
    for milestone, values in latencies.items():
        ms = [v * 1000 for v in values]
        print(
            f"{milestone:<20}{statistics.median(ms):>9.1f}{_percentile(ms, 0.9):>9.1f}"
            f"{_percentile(ms, 0.99):>9.1f}{max(ms):>9.1f}"
        )


if __name__ == "__main__":
    main()
