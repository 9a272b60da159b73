"""What bench/sla_timers.py loads and reads: clocks and their breach timers made by the database, the
claim timed, when each breach reached a consumer, and the SLA processes' memory and CPU."""

from __future__ import annotations

import asyncio
import signal
import statistics
import subprocess
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from aio_pika.abc import AbstractIncomingMessage
from load_figures import cpu_seconds, percentile  # beside this file
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from services.sla.db.firing import CLAIM, claim_due_timers

# One clock per timer, its breach; the n-th falls due `first_due + n * spacing` seconds. Made in the
# database from generate_series: a million of each in about a minute, indexes and foreign key included.
FILL = [
    """
    INSERT INTO sla.clocks (ticket_id, kind, cycle, site_code, timezone, policy_code, policy_version, counting,
                            started_at, due_at, target_minutes, day_type, calendar)
    SELECT :prefix || n, 'on_site', 1, 'HH138', 'Asia/Shanghai', 'standard', 1, 'wall_clock',
           due - interval '4 hours', due, 240, 'working_day', 'CN'
    FROM (SELECT n, CAST(:first_due AS timestamptz) + make_interval(secs => n * CAST(:spacing AS float8)) AS due
          FROM generate_series(0, CAST(:count AS int) - 1) AS n) AS planned
    """,
    """
    INSERT INTO sla.timers (ticket_id, kind, cycle, fraction, due_at)
    SELECT :prefix || n, 'on_site', 1, 1.0,
           CAST(:first_due AS timestamptz) + make_interval(secs => n * CAST(:spacing AS float8))
    FROM generate_series(0, CAST(:count AS int) - 1) AS n
    """,
]


async def fill(engine: AsyncEngine, prefix: str, count: int, first_due: datetime, spacing: float) -> None:
    async with engine.begin() as connection:
        for statement in FILL:
            values = {"prefix": prefix, "count": count, "first_due": first_due, "spacing": spacing}
            await connection.execute(text(statement), values)


async def analyze(engine: AsyncEngine) -> None:
    async with engine.execution_options(isolation_level="AUTOCOMMIT").connect() as connection:
        await connection.execute(text("VACUUM ANALYZE sla.timers, sla.clocks"))


async def claim_ms(engine: AsyncEngine, *, repeats: int = 200, warm_up: int = 50) -> tuple[float, float]:
    """Median milliseconds of the scheduler's claim (100 timers due) as the scheduler sees it and as the
    database spends it (EXPLAIN ANALYZE's execution time), rolled back each time, after a warm-up so
    that both sizes are measured with warm caches."""
    seen, spent = [], []
    now = datetime.now(UTC)
    async with engine.connect() as connection:
        await connection.exec_driver_sql(f"PREPARE claim(timestamptz, int) AS {CLAIM.sql}")
        await connection.commit()
        try:
            for run in range(warm_up + repeats):
                async with connection.begin() as transaction:
                    await connection.exec_driver_sql("SELECT 1")  # the transaction begun: only the claim is timed
                    started = time.perf_counter()
                    claimed = await claim_due_timers(connection, now, 500)
                    took = (time.perf_counter() - started) * 1000
                    assert len(claimed) == 100, len(claimed)
                    await transaction.rollback()
                async with connection.begin() as transaction:
                    explain = f"EXPLAIN (ANALYZE, FORMAT JSON) EXECUTE claim('{now.isoformat()}', 500)"
                    execution = (await connection.exec_driver_sql(explain)).scalar_one()[0]["Execution Time"]
                    await transaction.rollback()
                if run >= warm_up:
                    seen.append(took)
                    spent.append(execution)
        finally:
            await connection.exec_driver_sql("DEALLOCATE claim")  # the connection goes back to the pool
            await connection.commit()
    return statistics.median(seen), statistics.median(spent)


class Consumer:
    """When each breach first reached a consumer (wall clock), per ticket, and how often each message came.

    It acknowledges what it took every `ACK_EVERY` messages, within its prefetch: the broker sends no
    more than it can take. Unacknowledged, the broker pushed a burst faster than this process read it,
    and closed the connection when its writes timed out."""

    ACK_EVERY = 100

    def __init__(self) -> None:
        self.arrived: dict[str, float] = {}
        self.copies: Counter[str] = Counter()
        self._awaited: tuple[str, int, asyncio.Event] | None = None

    async def take(self, message: AbstractIncomingMessage) -> None:
        ticket = message.correlation_id or ""
        self.arrived.setdefault(ticket, time.time())
        self.copies[message.message_id or ""] += 1
        if message.delivery_tag is not None and message.delivery_tag % self.ACK_EVERY == 0:
            await message.ack(multiple=True)
        if (
            self._awaited is not None
            and ticket.startswith(self._awaited[0])
            and self.count(self._awaited[0]) >= self._awaited[1]
        ):
            self._awaited[2].set()  # fmt: skip

    def count(self, prefix: str) -> int:
        return sum(1 for ticket in self.arrived if ticket.startswith(prefix))

    async def wait_for(self, prefix: str, count: int, timeout: float) -> None:
        """Until `count` breaches of tickets named `prefix...` came, or `timeout` seconds passed."""
        self._awaited = (prefix, count, asyncio.Event())
        if self.count(prefix) < count:
            with suppress(TimeoutError):
                await asyncio.wait_for(self._awaited[2].wait(), timeout)
        self._awaited = None


@dataclass
class Moments:
    """When each timer of a phase was due, fired (the scheduler's stamp), published (the relay's stamp of
    its outbox row, once the broker confirmed it) and delivered (to this process's consumer), in seconds
    since the epoch."""

    due: list[float]
    fired: list[float]
    published: list[float]
    delivered: list[float]

    @staticmethod
    async def of(engine: AsyncEngine, consumer: Consumer, prefix: str) -> Moments:
        async with engine.connect() as connection:
            rows = await connection.execute(
                text(
                    "SELECT t.ticket_id, t.due_at, t.fired_at, o.published_at FROM sla.timers t "
                    "JOIN sla.outbox o ON o.correlation_id = t.ticket_id AND o.message_type = 'sla.breached' "
                    "WHERE t.ticket_id LIKE :prefix || '%' AND o.published_at IS NOT NULL"
                ),
                {"prefix": prefix},
            )
            seen = [row for row in rows if row.ticket_id in consumer.arrived]
        return Moments(
            due=[row.due_at.timestamp() for row in seen],
            fired=[row.fired_at.timestamp() for row in seen],
            published=[row.published_at.timestamp() for row in seen],
            delivered=[consumer.arrived[row.ticket_id] for row in seen],
        )

    @staticmethod
    def rate(moments: list[float]) -> str:
        if len(moments) < 2:
            return "(too few)"
        return f"{len(moments) / (max(moments) - min(moments)):,.0f}/s"

    def late(self, moments: list[float]) -> str:
        late = [(moment - due) * 1000 for moment, due in zip(moments, self.due, strict=True)] or [float("nan")]
        return f"p50 {percentile(late, 0.5):,.0f}, p99 {percentile(late, 0.99):,.0f}, max {max(late):,.0f} ms"


def resident_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def report_processes(label: str, pids: list[int], timers: int = 0, cpu_before: float = 0.0) -> float:
    """Prints each SLA process's resident memory (and their CPU per timer of the phase); returns their CPU."""
    cpu = sum(cpu_seconds(pid) for pid in pids)
    per_timer = f"; {(cpu - cpu_before) / timers * 1000:.2f} ms of their CPU per timer" if timers else ""
    memory = ", ".join(f"{resident_mib(pid):.0f} MiB" for pid in pids)
    print(f"  resident size of the SLA process(es) after {label}: {memory}{per_timer}", flush=True)
    return cpu


@contextmanager
def sampled(pid: int, stacks: Path | None, name: str) -> Iterator[None]:
    """With `--stacks`, py-spy samples the process meanwhile into collapsed stacks (`name`.txt)."""
    if stacks is None:
        yield
        return
    command = ["py-spy", "record", "--nonblocking", "--rate", "100", "--format", "raw", "--pid", str(pid)]
    sampler = subprocess.Popen([*command, "--output", str(stacks / f"{name}.txt")], stdout=subprocess.DEVNULL)
    try:
        yield
    finally:
        sampler.send_signal(signal.SIGINT)  # py-spy writes what it sampled and stops
        sampler.wait(timeout=60)
