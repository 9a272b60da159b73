"""The SLA scheduler under load: 1,000,000 pending timers, 50,000 of them falling due within a minute.

The SLA service runs as processes of its own (`--schedulers` of them, each with its scheduler and its
outbox relay), against a throwaway database and virtual host; each breach is timed where a consumer
gets it, on a queue of this process bound to `sla.breached`. Each timer is a clock's breach, the
heavier kind (its clock is recorded breached too). Prints:

- the claim: the scheduler's query for 100 due timers with 1,000 and with `--pending` pending, as the
  scheduler sees it and as the database spends it (median of 200, rolled back), and their ratios: its
  cost should follow what is due, not what is pending;
- a burst: `--due` overdue timers committed at once among the pending ones: fired, published by the
  outbox relay and delivered, per second;
- real time: `--due` timers falling due evenly over `--window` seconds: how late each was fired (the
  scheduler's stamp), published (the relay's stamp of its outbox row) and delivered (p50, p99, max);
- that each timer was announced once; the resident size of each SLA process after each step and
  their CPU per timer fired and published.

    uv run python bench/sla_timers.py --pending 1000000 --due 50000 --window 60 [--schedulers 1]

`--stacks DIR` samples the first SLA process with py-spy during the burst and the real-time step.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import quote

import aio_pika
import httpx
from sla_timer_figures import Consumer, Moments, analyze, claim_ms, fill, report_processes, sampled  # beside this file
from sqlalchemy import text

from shared.messaging.topology import declare_tap
from shared.persistence.database import create_engine
from testkit.machine import BROKER_ADMIN_URL
from testkit.processes import free_port
from testkit.world import World, create_world, destroy_world

FAR = timedelta(days=1)  # the pending timers fall due after the benchmark


def start_schedulers(
    world: World, count: int, relay_batch: int | None
) -> tuple[list[subprocess.Popen[bytes]], list[int]]:
    ports = [free_port() for _ in range(count)]
    env = {**os.environ, **world.environment(), "AFTERCARE_LOG_LEVEL": "WARNING"}
    if relay_batch is not None:
        env["SLA_OUTBOX_BATCH_SIZE"] = str(relay_batch)
    processes = [
        subprocess.Popen([sys.executable, "-m", "services", "run", "sla"], env={**env, "SLA_HTTP_PORT": str(port)})
        for port in ports
    ]
    return processes, ports


async def wait_ready(ports: list[int]) -> None:
    async with httpx.AsyncClient() as client:
        for port in ports:
            while True:
                try:
                    if (await client.get(f"http://127.0.0.1:{port}/readyz")).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                await asyncio.sleep(0.2)


def purge_queues(world: World) -> None:
    """Empty the services' queues the breaches were routed to: nobody consumes them here."""
    vhost = quote(world.vhost, safe="")
    with httpx.Client(base_url=BROKER_ADMIN_URL, timeout=30) as admin:
        for queue in admin.get(f"/api/queues/{vhost}").raise_for_status().json():
            admin.delete(f"/api/queues/{vhost}/{quote(queue['name'], safe='')}/contents")


async def run(
    pending: int, due: int, window: float, schedulers: int, relay_batch: int | None, stacks: Path | None
) -> None:
    world = await asyncio.to_thread(create_world)
    engine = create_engine(world.database_url, pool_size=4)
    processes: list[subprocess.Popen[bytes]] = []
    load = ", ".join(f"{figure:.1f}" for figure in os.getloadavg())
    print(f"\nSLA timers: {pending:,} pending, {due:,} due; {schedulers} SLA process(es); load average {load}")
    try:
        # 1. The claim with 1,000 and with `pending` timers pending, the same 100 due among them.
        now = datetime.now(UTC)
        await fill(engine, "CLAIM-", 100, now - timedelta(minutes=1), 0.01)
        await fill(engine, "PENDING-", 900, now + FAR, 0.001)
        await analyze(engine)
        small = await claim_ms(engine)
        started = time.perf_counter()
        await fill(engine, "MORE-", pending - 1_000, now + FAR + timedelta(seconds=1), 0.001)
        print(f"  loaded {pending - 1_000:,} more pending clocks and timers in {time.perf_counter() - started:.1f} s")
        await analyze(engine)
        large = await claim_ms(engine)
        for label, few, many in (("by the scheduler", small[0], large[0]), ("in the database", small[1], large[1])):
            print(f"  claim of 100 due, {label}: {few:.2f} ms with 1,000 pending, {many:.2f} ms with {pending:,} "
                  f"pending; ratio {many / few:.2f}", flush=True)  # fmt: skip
        async with engine.begin() as connection:
            await connection.execute(text("DELETE FROM sla.clocks WHERE ticket_id LIKE 'CLAIM-%'"))

        processes, ports = start_schedulers(world, schedulers, relay_batch)
        pids = [process.pid for process in processes]
        await wait_ready(ports)
        cpu = report_processes("starting", pids)
        consumer = Consumer()
        async with await aio_pika.connect(world.amqp_url) as broker:
            channel = await broker.channel()
            await channel.set_qos(prefetch_count=10 * consumer.ACK_EVERY)
            await (await declare_tap(channel, "sla.breached")).consume(consumer.take)

            # 2. A burst: `due` timers overdue at once.
            with sampled(pids[0], stacks, "sla-burst"):
                await fill(engine, "BURST-", due, datetime.now(UTC) - timedelta(minutes=10), 0.0001)
                await consumer.wait_for("BURST-", due, timeout=max(120.0, due / 50))
            burst = await Moments.of(engine, consumer, "BURST-")
            print(f"  burst: {len(burst.due):,} of {due:,} overdue timers fired at {burst.rate(burst.fired)}, "
                  f"published at {burst.rate(burst.published)}, delivered at {burst.rate(burst.delivered)}",
                  flush=True)  # fmt: skip
            cpu = report_processes("the burst", pids, due, cpu)
            purge_queues(world)

            # 3. Real time: `due` timers falling due evenly over `window` seconds, from 5 s from now.
            with sampled(pids[0], stacks, "sla-real-time"):
                await fill(engine, "LIVE-", due, datetime.now(UTC) + timedelta(seconds=5), window / due)
                await consumer.wait_for("LIVE-", due, timeout=5 + window + 120)
            live = await Moments.of(engine, consumer, "LIVE-")
            print(f"  real time: {len(live.due):,} of {due:,} falling due over {window:.0f} s, late when fired "
                  f"{live.late(live.fired)}; published {live.late(live.published)}; delivered "
                  f"{live.late(live.delivered)}", flush=True)  # fmt: skip
            report_processes("real time", pids, due, cpu)
            purge_queues(world)

        async with engine.connect() as connection:
            query = (
                "SELECT count(*), count(DISTINCT correlation_id) FROM sla.outbox WHERE message_type = 'sla.breached'"
            )
            announced, clocks = (await connection.execute(text(query))).one()
        twice = sum(1 for copies in consumer.copies.values() if copies > 1)
        print(f"  once: {announced:,} breaches announced for {clocks:,} clocks ({2 * due:,} timers fired); "
              f"{twice} message(s) delivered twice", flush=True)  # fmt: skip
    finally:
        for process in processes:
            process.send_signal(signal.SIGTERM)
        for process in processes:
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        await engine.dispose()
        await asyncio.to_thread(destroy_world, world)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pending", type=int, default=1_000_000)
    parser.add_argument("--due", type=int, default=50_000)
    parser.add_argument("--window", type=float, default=60.0)
    parser.add_argument("--schedulers", type=int, default=1, help="SLA processes, each with its scheduler")
    parser.add_argument("--relay-batch", type=int, help="outbox rows the SLA processes' relays publish at a time")
    parser.add_argument("--stacks", type=Path, help="a folder: py-spy samples the first SLA process into it")
    args = parser.parse_args()
    asyncio.run(run(args.pending, args.due, args.window, args.schedulers, args.relay_batch, args.stacks))


if __name__ == "__main__":
    main()
