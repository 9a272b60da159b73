"""Throughput and latency under open-loop load: requests arrive at a fixed rate whether or not the suite
keeps up, as callers do, in steps of rising rate.

Starts every service as its own process the way `aftercare up` runs them (against a throwaway database
and virtual host, with the load-test site loaded), then for each rate runs a load client in a process
of its own: it POSTs to intake on keep-alive connections at that rate and times, on a queue bound to
`aftercare.events`, when each ticket is assigned, clocked and archived. Per step it prints accepted/s,
p50/p90/p99 of the POST and of POST -> ticket.assigned, sla.clocks_started and document.archived; the
CPU seconds per ticket of each process (from /proc, the broker, the database and the client included);
whether every ticket got its assignment, its three clocks and its record; and the resident memory of each
service process after the step. The last line names the highest rate whose p99 POST -> assigned stayed
under 250 ms with nothing left behind, and its CPU per ticket with typesetting.

    uv run python bench/load.py [--rates 20,50,100] [--seconds 15] [--dispatch 1] [--profile sla,intake]

With --stored 1000000, the steps run again once the tickets they made are copied, at sites of their own
and closed, until a million are stored (bench/stored.py), and each is printed beside its first run.

With --profile, py-spy samples the named services during each step and writes a flame graph of each
(build/flame/<service>-<rate>.svg); py-spy needs ptrace (root, or kernel.yama.ptrace_scope = 0).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncpg
import httpx
from load_figures import cpu_seconds, handled, percentile, pids_named, resident_mib, typesetters
from load_report import (
    SUSTAINED_P99_MS,
    cpu_with_typesetting,
    hot_path_cpu,
    report,
    report_idle,
    report_stored,
    summarise,
)
from stored import settled, store_copies

import services
from shared.identity import Role
from shared.persistence.database import asyncpg_dsn
from shared.service import seed_site
from testkit.identities import bearer
from testkit.processes import free_port
from testkit.world import World, create_world, destroy_world

LOAD_SITE = Path(__file__).resolve().parent.parent / "tests" / "sites" / "load-test.toml"
LOAD_SITE_CODE = "LOAD1"
CLIENT = Path(__file__).resolve().parent / "load_client.py"


@dataclass
class Suite:
    world: World
    processes: dict[str, list[subprocess.Popen[bytes]]]
    intake: str

    def cpu(self) -> dict[str, dict[int, float]]:
        sampled = {name: {p.pid: cpu_seconds(p.pid) for p in group} for name, group in self.processes.items()}
        sampled["rabbitmq"] = {pid: cpu_seconds(pid) for pid in pids_named("beam.smp")}
        sampled["postgres"] = {pid: cpu_seconds(pid) for pid in pids_named("postgres")}
        # The archive's PDFs are typeset after filing, off the hot path, by a thread it names `typesetter`.
        sampled["typesetting"] = {
            thread: cpu_seconds(p.pid, thread) for p in self.processes["archive"] for thread in typesetters(p.pid)
        }
        return sampled

    def resident(self) -> dict[str, float]:
        """MiB resident per service (its processes together)."""
        return {name: sum(resident_mib(p.pid) for p in group) for name, group in self.processes.items()}


async def start_suite(dispatch_processes: int) -> Suite:
    world = await asyncio.to_thread(create_world)
    for name in services.NAMES:
        await seed_site(services.definition(name), world.database_url, LOAD_SITE)
    processes, intake, ports = await asyncio.to_thread(spawn, world, dispatch_processes)
    async with httpx.AsyncClient() as client:
        for port in ports:
            while True:
                try:
                    if (await client.get(f"http://127.0.0.1:{port}/readyz")).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                await asyncio.sleep(0.1)
    return Suite(world, processes, intake)


def spawn(world: World, dispatch_processes: int) -> tuple[dict[str, list[subprocess.Popen[bytes]]], str, list[int]]:
    """Each service a process, as `aftercare up` runs them; returns them, intake's request URL and the ports."""
    env = {**os.environ, **world.environment(), "AFTERCARE_LOG_LEVEL": "WARNING"}
    count = {name: dispatch_processes if name == "dispatch" else 1 for name in services.NAMES}
    ports = {name: [free_port() for _ in range(count[name])] for name in services.NAMES}
    # The console's pages ask the services on their ports, as `aftercare up` tells it.
    env.update(
        {
            f"CONSOLE_{name.upper()}_URL": f"http://127.0.0.1:{ports[name][0]}"
            for name in services.NAMES
            if name != "console"
        }
    )
    processes: dict[str, list[subprocess.Popen[bytes]]] = {}
    for name in services.NAMES:
        for port in ports[name]:
            command = [sys.executable, "-m", "services", "run", name]
            spawned = subprocess.Popen(command, env={**env, f"{name.upper()}_HTTP_PORT": str(port)})
            processes.setdefault(name, []).append(spawned)
    intake = f"http://127.0.0.1:{ports['intake'][0]}/requests"
    return processes, intake, [port for group in ports.values() for port in group]


async def stop_suite(suite: Suite) -> None:
    for group in suite.processes.values():
        for process in group:
            process.send_signal(signal.SIGTERM)
    for group in suite.processes.values():
        for process in group:
            await asyncio.to_thread(process.wait, 30)
    await asyncio.to_thread(destroy_world, suite.world)


def sample(pid: int, seconds: float, output: Path) -> subprocess.Popen[bytes]:
    """py-spy samples the process for `seconds` (without pausing it) into a flame graph, or into collapsed
    stacks (one line per stack and its count) when `output` ends in .txt."""
    command = ["py-spy", "record", "--nonblocking", "--rate", "50", "--duration", str(int(seconds))]
    command += ["--pid", str(pid), "--output", str(output)] + (["--format", "raw"] if output.suffix == ".txt" else [])
    return subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def step(
    suite: Suite, rate: float, seconds: float, drain: float, profile: list[str], to: Path, flame_format: str = "svg"
) -> dict[str, Any]:
    with tempfile.NamedTemporaryFile(suffix=".json") as out:
        samplers = [
            sample(suite.processes[name][0].pid, seconds, to / f"{name}-{rate:.0f}.{flame_format}") for name in profile
        ]
        before, handled_before = suite.cpu(), handled(suite.world.database_url)
        client = subprocess.Popen(
            [sys.executable, str(CLIENT), suite.intake, suite.world.amqp_url, str(rate), str(seconds),
             str(drain), out.name],
            env={**os.environ, "LOAD_AUTHORIZATION": bearer("load.client", Role.OPERATOR)["Authorization"]},
        )  # fmt: skip
        client.wait()
        after, handled_after = suite.cpu(), handled(suite.world.database_url)
        for sampler in samplers:
            sampler.wait()
        result = json.loads(Path(out.name).read_text())
    cpu = spent(before, after)
    cpu["client"] = result["cpu"]
    result["handled"] = {
        q: n - handled_before.get(q, 0) for q, n in handled_after.items() if n > handled_before.get(q, 0)
    }
    return {**summarise(result, cpu, rate, seconds), "resident": suite.resident()}


def idle_cpu(suite: Suite, seconds: float) -> dict[str, float]:
    """CPU seconds each process spends over `seconds` with nothing offered: its pollers, timers and
    heartbeats, which every ticket pays a share of at a low rate."""
    before = suite.cpu()
    time.sleep(seconds)
    return spent(before, suite.cpu())


def spent(before: dict[str, dict[int, float]], after: dict[str, dict[int, float]]) -> dict[str, float]:
    """CPU seconds of each process group between two samples, the archive's without its typesetting
    (counted apart)."""
    cpu = {
        name: sum(after[name].get(pid, 0.0) - before.get(name, {}).get(pid, 0.0) for pid in after[name])
        for name in after
    }
    cpu["archive"] -= cpu["typesetting"]
    return cpu


async def store(suite: Suite, tickets: int) -> None:
    """Copies of the tickets the steps left, at sites of their own, until some `tickets` are stored."""
    dsn = asyncpg_dsn(suite.world.database_url)
    connection = await asyncpg.connect(dsn)
    try:
        made = int(await connection.fetchval("SELECT count(*) FROM dispatch.tickets"))
    finally:
        await connection.close()
    copies = max(1, round(tickets / max(made, 1)) - 1)
    started = time.monotonic()
    written = await store_copies(dsn, LOAD_SITE_CODE, copies)
    print(
        f"\nstored {made * (copies + 1):,} tickets ({copies} copies of the {made} the steps made), written, vacuumed "
        f"and checkpointed in {time.monotonic() - started:.0f} s: "
        + ", ".join(f"{table} {rows:,}" for table, rows in written.items())
    )
    waited = await settled()
    print(f"the load average {os.getloadavg()[0]:.1f} after {waited:.0f} s")
    report_idle(await asyncio.to_thread(idle_cpu, suite, 20), 20)
    print("the same steps again:")


async def measure(
    rates: list[float],
    seconds: float,
    drain: float,
    dispatch_processes: int,
    profile: list[str],
    to: Path,
    flame_format: str,
    idle: float = 0.0,
    stored: int = 0,
) -> list[dict[str, Any]]:
    suite = await start_suite(dispatch_processes)
    rows = []
    try:
        if idle:
            report_idle(await asyncio.to_thread(idle_cpu, suite, idle), idle)
        for rate in rates:
            row = await asyncio.to_thread(step, suite, rate, seconds, drain, profile, to, flame_format)
            report(row)
            rows.append(row)
        if stored:
            await store(suite, stored)
            for before in rows:
                row = await asyncio.to_thread(step, suite, before["rate"], seconds, drain, [], to, flame_format)
                report(row)
                report_stored(before, row)
    finally:
        await stop_suite(suite)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rates", default="20,50,100", help="requests per second, one step each")
    parser.add_argument("--seconds", type=float, default=15, help="how long each step offers its rate")
    parser.add_argument("--drain", type=float, default=120, help="how long to wait for the last tickets")
    parser.add_argument("--dispatch", type=int, default=1, help="dispatch processes")
    parser.add_argument(
        "--profile", default="", help="services to sample with py-spy during each step, e.g. sla,intake"
    )
    parser.add_argument("--flame-graphs", type=Path, default=Path("build/flame"), help="where py-spy writes them")
    parser.add_argument("--idle", type=float, default=0, help="seconds to measure the idle suite's CPU first")
    parser.add_argument(
        "--stored", type=int, default=0, help="then store copies of the tickets made up to this many, and step again"
    )
    parser.add_argument("--stacks", action="store_true", help="collapsed stacks (.txt) instead of flame graphs")
    args = parser.parse_args()
    profile = [name for name in args.profile.split(",") if name]
    if profile:
        args.flame_graphs.mkdir(parents=True, exist_ok=True)
    rates = [float(r) for r in args.rates.split(",")]
    print(
        f"Open-loop load: {args.seconds:.0f} s per step, {args.dispatch} dispatch process(es), {os.cpu_count()} cores"
    )
    flame_format = "txt" if args.stacks else "svg"
    flames = (profile, args.flame_graphs, flame_format)
    rows = asyncio.run(measure(rates, args.seconds, args.drain, args.dispatch, *flames, args.idle, args.stored))
    good = [r for r in rows if r["behind"] == 0 and r["refused"] == 0
            and percentile(r["latency"]["ticket.assigned"], 0.99) < SUSTAINED_P99_MS]  # fmt: skip
    growth = [
        f"{name} {row['resident'][name] - rows[0]['resident'][name]:+.0f}"
        for row in rows[-1:]
        for name in row["resident"]
    ]
    print(f"\nresident MiB from the first step to the last (before any stored): {', '.join(growth)}")
    best = max(good, key=lambda r: r["rate"], default=None)
    if best is None:
        print(
            f"sustained: none of the steps kept p99 POST->assigned under {SUSTAINED_P99_MS} ms with nothing left behind"
        )
        return
    tickets = max(best["accepted"], 1)
    cpu, with_typesetting = hot_path_cpu(best) * 1000 / tickets, cpu_with_typesetting(best) * 1000 / tickets
    p99 = percentile(best["latency"]["ticket.assigned"], 0.99)
    print(
        f"sustained (before any stored): {best['rate']:.0f} tickets/s at p99 POST->assigned {p99:.0f} ms "
        f"(bound {SUSTAINED_P99_MS} ms), "
        f"CPU per ticket {with_typesetting:.1f} ms with typesetting ({cpu:.1f} without)"
    )


if __name__ == "__main__":
    main()
