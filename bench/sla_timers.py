"""The SLA scheduler under load: 100,000 pending clocks, 10,000 of them falling due within a minute.

Prints how many timers fire per second when many are due at once, how late timers fire when they
fall due one after another in real time (p50, p99, max), and how long the scheduler's query takes
with 1,000 and with 100,000 timers pending (its cost should follow the due timers, not the pending
ones: a ratio near 1).

    uv run python bench/sla_timers.py [--pending 100000] [--due 10000] [--window 60]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
from datetime import UTC, datetime, timedelta

from sqlalchemy import text

import services
from services.sla.db import repository
from services.sla.scheduler import TimerScheduler
from shared.persistence.database import create_engine
from shared.persistence.service_database import ServiceDatabase
from testkit.world import create_world, destroy_world

FILL = """
INSERT INTO sla.clocks (ticket_id, kind, cycle, site_code, timezone, policy_code, policy_version, counting,
                        started_at, due_at, target_minutes, day_type, calendar)
SELECT 'BENCH-' || n, 'on_site', 1, 'HH138', 'Asia/Shanghai', 'standard', 1, 'wall_clock',
       CAST(:base AS timestamptz) - interval '4 hours',
       CAST(:base AS timestamptz) + make_interval(secs => CAST(:offset AS float8) + n * CAST(:spacing AS float8)),
       240, 'working_day', 'CN'
FROM generate_series(CAST(:first AS int), CAST(:last AS int)) AS n;
INSERT INTO sla.timers (ticket_id, kind, cycle, fraction, due_at)
SELECT 'BENCH-' || n, 'on_site', 1, 1.0,
       CAST(:base AS timestamptz) + make_interval(secs => CAST(:offset AS float8) + n * CAST(:spacing AS float8))
FROM generate_series(CAST(:first AS int), CAST(:last AS int)) AS n;
"""


async def fill(
    database: ServiceDatabase, *, first: int, count: int, base: datetime, offset: float, spacing: float
) -> None:
    async with database.engine.begin() as connection:
        for statement in FILL.strip().split(";\n"):
            await connection.execute(
                text(statement),
                {"first": first, "last": first + count - 1, "base": base, "offset": offset, "spacing": spacing},
            )
        await connection.execute(text("ANALYZE sla.timers; "))


async def clear(database: ServiceDatabase) -> None:
    async with database.engine.begin() as connection:
        await connection.execute(text("TRUNCATE sla.timers, sla.clocks, sla.outbox"))


async def query_time(database: ServiceDatabase, *, repeats: int = 200, warm_up: int = 50) -> float:
    """Median milliseconds to claim the due timers (100 of them), rolled back each time, after a
    warm-up so that both sizes are measured with warm caches."""
    samples = []
    now = datetime.now(UTC)
    for run in range(warm_up + repeats):
        async with database.engine.connect() as connection, connection.begin() as transaction:
            started = time.perf_counter()
            await repository.claim_due_timers(connection, now, 500)
            if run >= warm_up:
                samples.append((time.perf_counter() - started) * 1000)
            await transaction.rollback()
    return statistics.median(samples)


async def run(pending: int, due: int, window: float) -> None:
    world = await asyncio.to_thread(create_world)
    engine = create_engine(world.database_url, pool_size=8)
    database = ServiceDatabase(engine, services.definition("sla").metadata, producer="sla")
    try:
        # 1. Query cost against what is pending: 100 timers due now, and 900 or 99,900 pending later.
        now = datetime.now(UTC)
        costs = {}
        for total in (1_000, pending):
            await clear(database)
            await fill(database, first=0, count=100, base=now, offset=-60, spacing=0.01)
            await fill(database, first=100, count=total - 100, base=now, offset=86_400, spacing=1)
            costs[total] = await query_time(database)

        # 2. Throughput: `due` timers all overdue, among `pending`, fired as fast as one scheduler can.
        await clear(database)
        now = datetime.now(UTC)
        await fill(database, first=0, count=due, base=now, offset=-600, spacing=0.01)
        await fill(database, first=due, count=pending - due, base=now, offset=86_400, spacing=1)
        scheduler = TimerScheduler(database)
        started = time.perf_counter()
        fired = await scheduler.fire_due()
        burst_rate = fired / (time.perf_counter() - started)

        # 3. Lateness: `due` timers falling due evenly over `window` seconds, in real time.
        await clear(database)
        now = datetime.now(UTC)
        await fill(database, first=0, count=due, base=now, offset=5, spacing=window / due)
        await fill(database, first=due, count=pending - due, base=now, offset=86_400, spacing=1)
        scheduler.start()
        deadline = now + timedelta(seconds=5 + window + 10)
        while datetime.now(UTC) < deadline:
            async with engine.connect() as connection:
                left = (
                    await connection.execute(
                        text(
                            "SELECT count(*) FROM sla.timers "
                            "WHERE fired_at IS NULL AND due_at <= now() + interval '1 hour'"
                        )
                    )
                ).scalar_one()
            if left == 0:
                break
            await asyncio.sleep(0.5)
        await scheduler.stop()
        async with engine.connect() as connection:
            lateness = [
                row[0]
                for row in await connection.execute(
                    text(
                        "SELECT extract(epoch FROM fired_at - due_at) FROM sla.timers "
                        "WHERE due_at <= now() + interval '1 hour' AND fired_at IS NOT NULL ORDER BY 1"
                    )
                )
            ]
    finally:
        await engine.dispose()
        await asyncio.to_thread(destroy_world, world)

    late_ms = sorted(float(seconds) * 1000 for seconds in lateness)
    print(f"\nSLA timers: {pending:,} pending clocks, {due:,} due")
    print(f"  burst: {fired:,} overdue timers fired by one scheduler at {burst_rate:,.0f} timers/s")
    print(
        f"  real time: {len(late_ms):,} of {due:,} fired as they fell due over {window:.0f} s; lateness "
        f"p50 {late_ms[len(late_ms) // 2]:.0f} ms, p99 {late_ms[int(len(late_ms) * 0.99) - 1]:.0f} ms, "
        f"max {late_ms[-1]:.0f} ms"
    )
    print(
        f"  claim query (100 due): {costs[1_000]:.2f} ms with 1,000 pending, {costs[pending]:.2f} ms with "
        f"{pending:,} pending; ratio {costs[pending] / costs[1_000]:.2f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pending", type=int, default=100_000)
    parser.add_argument("--due", type=int, default=10_000)
    parser.add_argument("--window", type=float, default=60.0)
    args = parser.parse_args()
    asyncio.run(run(args.pending, args.due, args.window))


if __name__ == "__main__":
    main()
