"""Vendor partners under load: 20 partners, each running the example client of examples/vendor-partner
as a process of its own, and 2,000 escalations spread over them.

Against a throwaway database and virtual host (as the tests do), onboards the partners, starts the
vendor service as its own process(es), publishes every `ticket.escalation_needed` at once (as dispatch
would after a bad day) and times, on a tap bound to the events exchange, each case from its
`vendor.escalation.sent` to the `vendor.escalation.progressed` that says the partner acknowledged it:
the request crossing the partner's queue, the client's reply with a publisher confirm, and the vendor
service authenticating and recording it. Prints the throughput and the latency percentiles, the CPU
each process spent per escalation (from /proc: the vendor service, the partners' clients, and the broker
and the database, which other work on the box also uses) and the load average before and after.

Needs RabbitMQ's management API (`make test` or `scripts/local-services --management` enables it).

    uv run python bench/vendor_partners.py [--partners 20] [--escalations 2000] [--vendors 1]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import tempfile
import time
from collections.abc import Callable
from contextlib import AsyncExitStack, ExitStack
from datetime import UTC, datetime
from pathlib import Path

import aio_pika
from load_figures import cpu_seconds, pids_named  # beside this file

from shared.contracts import Contact, Envelope, SiteDescribed, TicketEscalationNeeded, seal
from shared.messaging.topology import EVENTS_EXCHANGE
from testkit.accounts import require_management_api
from testkit.broker import send_envelopes
from testkit.partners import Partner, example_client, onboarded, said
from testkit.processes import Process, free_port, is_ready, python_process
from testkit.waiting import eventually
from testkit.world import World, create_world, destroy_world

SITE = "BENCH1"
TIMED = ("vendor.escalation.sent", "vendor.escalation.progressed")


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


class Arrivals:
    """When each timed event of each ticket reached the tap."""

    def __init__(self) -> None:
        self.at: dict[tuple[str, str], float] = {}

    async def on_message(self, message: aio_pika.abc.AbstractIncomingMessage) -> None:
        now = time.perf_counter()
        if (
            message.type == "vendor.escalation.progressed"
            and json.loads(message.body)["payload"]["step"] != "acknowledged"
        ):
            return
        self.at.setdefault((message.type or "", message.correlation_id or ""), now)

    def acknowledged(self) -> int:
        return sum(1 for kind, _ in self.at if kind == "vendor.escalation.progressed")


async def measure(world: World, partners: int, escalations: int, rate: float, vendors: int, log_dir: Path) -> None:
    environment = {**os.environ, **world.environment(), "AFTERCARE_LOG_LEVEL": "WARNING"}
    async with AsyncExitStack() as stack:
        onboarded_partners: list[Partner] = [
            await stack.enter_async_context(onboarded(world, acknowledge_hours=1)) for _ in range(partners)
        ]
        with ExitStack() as processes:
            ports = [free_port() for _ in range(vendors)]
            vendor_processes = [
                processes.enter_context(
                    python_process(
                        "-m",
                        "services",
                        "run",
                        "vendor",
                        env={**environment, "VENDOR_HTTP_PORT": str(port)},
                        log_dir=log_dir,
                    )
                )
                for port in ports
            ]
            clients: list[Process] = [
                processes.enter_context(example_client(partner, log_dir, "--prefetch", "50"))
                for partner in onboarded_partners
            ]

            async def ready() -> bool:
                vendors_ready = [await is_ready(f"http://127.0.0.1:{port}") for port in ports]
                return all(vendors_ready) and all(said(client, "ready") for client in clients)

            await eventually(ready, timeout=60, what="the vendor service and the partner clients ready")
            cpu = Cpu(
                {
                    "the vendor service": lambda: [process.popen.pid for process in vendor_processes],
                    "the partners' clients": lambda: [client.popen.pid for client in clients],
                    "RabbitMQ (all its work on the box)": lambda: pids_named("beam.smp"),
                    "PostgreSQL (all its work on the box)": lambda: pids_named("postgres"),
                }
            )
            await _time_escalations(world, onboarded_partners, escalations, rate, cpu)


class Cpu:
    """CPU seconds spent by each group of processes since the last reading. A group's processes are
    looked up at each reading: the database starts a backend for each new connection."""

    def __init__(self, groups: dict[str, Callable[[], list[int]]]) -> None:
        self.groups = groups
        self.last = self._now()

    def _now(self) -> dict[str, dict[int, float]]:
        return {group: {pid: cpu_seconds(pid) for pid in pids()} for group, pids in self.groups.items()}

    def spent(self) -> dict[str, float]:
        now = self._now()
        spent = {
            group: sum(seconds - self.last[group].get(pid, 0.0) for pid, seconds in now[group].items()) for group in now
        }
        self.last = now
        return spent


async def _time_escalations(world: World, partners: list[Partner], escalations: int, rate: float, cpu: Cpu) -> None:
    arrivals = Arrivals()
    connection = await aio_pika.connect(world.amqp_url)
    async with connection:
        channel = await connection.channel()
        await channel.set_qos(prefetch_count=500)
        tap = await channel.declare_queue(exclusive=True)
        for kind in TIMED:
            await tap.bind(EVENTS_EXCHANGE, routing_key=kind)
        await tap.consume(arrivals.on_message, no_ack=True)
        await send_envelopes(world.amqp_url, [seal(_site(), producer="bench", correlation_id=SITE)])
        await asyncio.sleep(1)  # the directory hears of the site before the first escalation

        print(f"\n{escalations} escalations over {len(partners)} partners, each on the example client")
        print(f"{'':<34}{'escalations/s':>14}{'median':>9}{'p90':>9}{'p99':>9}{'max':>9}  (ms, request sent -> ack)")
        burst = _escalations("B", partners, escalations)
        cpu.spent()
        started = time.perf_counter()
        await send_envelopes(world.amqp_url, burst)
        _report("all published at once", arrivals, burst, started, await _acknowledged(arrivals, burst))
        burst_cpu = cpu.spent()
        paced = _escalations("P", partners, escalations)
        publishing = await connection.channel(publisher_confirms=True)
        events = await publishing.get_exchange(EVENTS_EXCHANGE)
        started = time.perf_counter()
        for n, envelope in enumerate(paced):
            await asyncio.sleep(max(0.0, started + n / rate - time.perf_counter()))
            await events.publish(
                aio_pika.Message(
                    envelope.model_dump_json().encode(),
                    message_id=str(envelope.message_id),
                    correlation_id=envelope.correlation_id,
                    type=envelope.type,
                    delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
                ),
                routing_key=envelope.type,
            )
        _report(f"published at {rate:g}/s", arrivals, paced, started, await _acknowledged(arrivals, paced))
        paced_cpu = cpu.spent()
    print(f"\nCPU per escalation, sent and acknowledged (ms){'':<4}{'at once':>10}{f'at {rate:g}/s':>10}")
    for group in burst_cpu:
        print(
            f"{group:<50}{burst_cpu[group] / escalations * 1000:>10.1f}{paced_cpu[group] / escalations * 1000:>10.1f}"
        )


def _escalations(batch: str, partners: list[Partner], count: int) -> list[Envelope[TicketEscalationNeeded]]:
    now = datetime.now(UTC)
    tickets = [f"{SITE}-{batch}{n:05d}" for n in range(count)]
    return [
        seal(
            TicketEscalationNeeded(
                ticket_id=ticket,
                site_code=SITE,
                subsystem="av",
                vendor_code=partners[n % len(partners)].code,
                reason="repair",
                requested_at=now,
                escalation_id=f"{ticket}-V1",
                findings=f"Benchmark fault {n}",
                engineer=Contact(name="Bench engineer", phone="+86 21 0000 0000"),
            ),
            producer="dispatch",
            correlation_id=ticket,
        )
        for n, ticket in enumerate(tickets)
    ]


async def _acknowledged(arrivals: Arrivals, batch: list[Envelope[TicketEscalationNeeded]]) -> float:
    """When the last of the batch was acknowledged."""
    keys = [("vendor.escalation.progressed", envelope.correlation_id) for envelope in batch]

    async def all_acknowledged() -> bool:
        return all(key in arrivals.at for key in keys)

    await eventually(all_acknowledged, timeout=900, interval=0.05, what=f"{len(batch)} acknowledgements")
    return max(arrivals.at[key] for key in keys)


def _report(
    label: str, arrivals: Arrivals, batch: list[Envelope[TicketEscalationNeeded]], started: float, finished: float
) -> None:
    tickets = [envelope.correlation_id for envelope in batch]
    round_trips = [
        (arrivals.at[("vendor.escalation.progressed", t)] - arrivals.at[("vendor.escalation.sent", t)]) * 1000
        for t in tickets
    ]
    print(
        f"{label:<34}{len(batch) / (finished - started):>14.1f}{statistics.median(round_trips):>9.1f}"
        f"{_percentile(round_trips, 0.9):>9.1f}{_percentile(round_trips, 0.99):>9.1f}{max(round_trips):>9.1f}"
    )


def _site() -> SiteDescribed:
    return SiteDescribed(
        site_code=SITE,
        name="Benchmark Plaza",
        address="1 Benchmark Road, Shanghai",
        timezone="Asia/Shanghai",
        customer="Benchmark Ltd",
        representative=Contact(name="Site manager", phone="+86 21 0000 0001"),
        contract_code=None,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--partners", type=int, default=20)
    parser.add_argument("--escalations", type=int, default=2000)
    parser.add_argument("--rate", type=float, default=20, help="Escalations per second in the paced run.")
    parser.add_argument("--vendors", type=int, default=1, help="Vendor service processes.")
    args = parser.parse_args()
    require_management_api()
    print(f"load average before: {_load_average()}")
    world = create_world()
    try:
        with tempfile.TemporaryDirectory() as log_dir:
            asyncio.run(measure(world, args.partners, args.escalations, args.rate, args.vendors, Path(log_dir)))
    finally:
        destroy_world(world)
    print(f"load average after:  {_load_average()}")


def _load_average() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


if __name__ == "__main__":
    main()
