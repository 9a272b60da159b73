"""Filing documents: 10,000 requests opened at one site reach the archive over the broker, and each is
kept in the timeline and filed as its service request record, typeset to PDF, chained and indexed.

Prints documents filed per second (from the first to the last commit), the p50 and p99 of the site's
catalogue for the year (every document), of a word search and of a serial number search through the
HTTP API (once every document.archived is published), and the time `aftercare archive verify` takes
to walk the site's chain of 10,000 links. All documents are at one site, whose numbering and chain the
sequencer moves on for many at a time: the case that once filed one document at a time. The PDFs,
typeset after filing, wait while the burst is filed; how long after the last filing the last is
typeset is printed too.

    uv run python bench/archive_filing.py [--documents 10000] [--queries 50] [--stored 1000000] [--keep]

With --stored, the site's documents (and their timeline, index and renditions) are then copied at sites
of their own (bench/stored.py) until that many are stored, and as many are filed and queried again at
another site, printed beside the first run.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import time
import uuid
from datetime import UTC, datetime

import asyncpg
import httpx
from load_figures import cpu_seconds, typesetters  # beside this file
from stored import settled, store_copies

import services
from services.archive.verification import verify_chains
from shared.contracts import DeviceRef
from shared.http import create_app
from shared.identity import Role
from shared.persistence.database import asyncpg_dsn
from shared.runtime import ServiceRuntime
from testkit.broker import send_envelopes
from testkit.identities import bearer
from testkit.samples import opened_envelope
from testkit.waiting import eventually
from testkit.world import World, create_world, destroy_world

SITE = "BENCH1"
STORED_BESIDE = "BENCH2"
"""Where documents are filed again once a million are stored at other sites (--stored)."""
DESCRIPTIONS = ("中庭背景音乐无声", "活动大厅投影机不亮", "电梯厅信息屏黑屏", "中控主机无响应", "外立面LED屏局部花屏")


async def main(documents: int, queries: int, keep: bool, stored: int) -> None:
    world = await asyncio.to_thread(create_world)
    runtime = ServiceRuntime(services.definition("archive"), world.settings("archive", db_pool_size=4))
    try:
        await runtime.start()
        before = await run(world, runtime, SITE, documents, queries)
        if stored:
            copies = max(1, round(stored / documents) - 1)
            started = time.monotonic()
            written = await store_copies(asyncpg_dsn(world.database_url), SITE, copies, schemas=["archive"])
            took, waited = time.monotonic() - started, await settled()
            print(
                f"\nstored {documents * (copies + 1):,} documents ({copies} copies of {SITE}'s at sites of their own) "
                f"written, vacuumed and checkpointed in {took:.0f} s ({written['archive.timeline']:,} timeline rows); "
                f"the load average {os.getloadavg()[0]:.1f} after {waited:.0f} s; the same at {STORED_BESIDE}:"
            )
            after = await run(world, runtime, STORED_BESIDE, documents, queries)
            print(", ".join(f"{name} {after[name] / before[name]:.2f}x" for name in before) + " of the first run")
    finally:
        await runtime.stop()
        if keep:
            print(f"kept the database for a look: {world.database_url}")
        else:
            await asyncio.to_thread(destroy_world, world)


async def run(world: World, runtime: ServiceRuntime, site: str, count: int, queries: int) -> dict[str, float]:
    """File `count` documents at the site and time its queries; returns the figures compared with stored data."""
    envelopes = [
        opened_envelope(
            f"{site}-20261127-{n:05d}",
            site_code=site,
            site_name="Bench plaza",
            description=f"{DESCRIPTIONS[n % len(DESCRIPTIONS)]} #{n}",
            device=DeviceRef(asset_tag=f"{site}-DEV-{n % 500:03d}", serial_number=f"SN-{site}-{n % 500:05d}"),
        )
        for n in range(count)
    ]
    cpu_before = _cpu()
    for start in range(0, count, 1000):
        await send_envelopes(world.amqp_url, envelopes[start : start + 1000])
    filed_per_second, pdf_bytes, cpu_filed = await _filed(world, site, count)
    cpu_after = _cpu()
    print(f"{count} documents with PDFs at one site: {filed_per_second:.1f} documents/s")
    print(
        f"CPU of this process (the archive, and the sending) per document: {_per(cpu_filed, cpu_before, count)} "
        f"until the last was filed, typesetting apart; typesetting {_per(cpu_after, cpu_before, count, 1)}; "
        f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"
    )
    print(f"average PDF {pdf_bytes / 1024:.1f} KiB")
    transport = httpx.ASGITransport(app=create_app(runtime, manage_lifecycle=False))
    manager = bearer("bench", Role.MANAGER)  # the archive answers nobody without a token
    figures = {"documents/s": filed_per_second}
    async with httpx.AsyncClient(
        transport=transport, base_url="http://archive", headers=manager, timeout=120
    ) as client:
        year = str(datetime.now(UTC).year)
        figures["catalogue p99"] = await _timed(
            client, "catalogue for the year (JSON)", f"/sites/{site}/catalogue", queries, year=year
        )
        figures["words p99"] = await _timed(
            client, "words (Chinese)", "/documents", queries, site_code=site, q="投影机 不亮"
        )
        figures["serial number p99"] = await _timed(
            client, "serial number", "/documents", queries, serial_number=f"SN-{site}-00042"
        )
    started = time.perf_counter()
    async with runtime.database.connect() as connection:
        verified = await verify_chains(connection, site)
    elapsed = time.perf_counter() - started
    assert verified[site].first_break is None, verified[site]
    print(f"verify the chain of {verified[site].links} links: {elapsed:.2f} s")
    return figures


def _cpu() -> tuple[float, float]:
    """CPU seconds of this process without its typesetting thread, and of that thread."""
    typesetting = sum(cpu_seconds(os.getpid(), thread) for thread in typesetters(os.getpid()))
    return cpu_seconds(os.getpid()) - typesetting, typesetting


def _per(after: tuple[float, float], before: tuple[float, float], count: int, part: int = 0) -> str:
    return f"{(after[part] - before[part]) * 1000 / count:.1f} ms"


async def _filed(world: World, site: str, count: int) -> tuple[float, float, tuple[float, float]]:
    """Wait for every document; documents per second between the first and the last filing, the average
    PDF's size, and the CPU spent when the last was filed."""
    connection = await asyncpg.connect(asyncpg_dsn(world.database_url))
    try:

        async def all_filed() -> bool:
            filed = await connection.fetchval("SELECT count(*) FROM archive.documents WHERE site_code = $1", site)
            return int(filed) >= count

        await eventually(all_filed, timeout=3600, interval=1)
        cpu_filed = _cpu()

        async def all_announced() -> bool:  # queries are timed once the relay has gone quiet
            return not await connection.fetchval("SELECT count(*) FROM archive.outbox WHERE published_at IS NULL")

        await eventually(all_announced, timeout=600, interval=1)
        first, last = await connection.fetchrow(
            "SELECT min(archived_at), max(archived_at) FROM archive.documents WHERE site_code = $1", site
        )

        async def all_typeset() -> bool:  # the PDFs are typeset after filing (renditions)
            return not await connection.fetchval("SELECT count(*) FROM archive.renditions WHERE pdf IS NULL")

        await eventually(all_typeset, timeout=3600, interval=1)
        typeset_last = await connection.fetchval(
            "SELECT max(typeset_at) FROM archive.renditions WHERE code LIKE $1 || '-%'", site
        )
        print(f"the last PDF typeset {(typeset_last - last).total_seconds():.1f} s after the last filing")
        average = await connection.fetchval(
            "SELECT avg(length(pdf)) FROM archive.renditions WHERE code LIKE $1 || '-%'", site
        )
    finally:
        await connection.close()
    return (count - 1) / (last - first).total_seconds(), float(average), cpu_filed


async def _timed(client: httpx.AsyncClient, what: str, path: str, times: int, **params: str) -> float:
    took = []
    rows = 0
    for _ in range(times):
        started = time.perf_counter()
        response = await client.get(path, params={**params, "_": uuid.uuid4().hex[:4]})
        took.append((time.perf_counter() - started) * 1000)
        response.raise_for_status()
        rows = len(response.json())
    took.sort()
    p99 = took[min(len(took) - 1, round(0.99 * (len(took) - 1)))]
    print(f"{what}: {rows} rows, p50 {statistics.median(took):.1f} ms, p99 {p99:.1f} ms")
    return p99


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--documents", type=int, default=10000)
    parser.add_argument("--queries", type=int, default=50)
    parser.add_argument(
        "--stored", type=int, default=0, help="then copy the documents until this many are stored, and file again"
    )
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards (drop it yourself)")
    arguments = parser.parse_args()
    asyncio.run(main(arguments.documents, arguments.queries, arguments.keep, arguments.stored))
