"""What bench/load.py reads off the machine: CPU per process and thread from /proc, and the messages each
consumer handled, from the inbox rows of every service schema."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

import asyncpg

TICK = os.sysconf("SC_CLK_TCK")


def percentile(values: list[float], fraction: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def cpu_seconds(pid: int, thread: int | None = None) -> float:
    stat = Path(f"/proc/{pid}/stat") if thread is None else Path(f"/proc/{pid}/task/{thread}/stat")
    try:
        fields = stat.read_text().rsplit(")", 1)[1].split()
    except (FileNotFoundError, ProcessLookupError):
        return 0.0
    return (int(fields[11]) + int(fields[12])) / TICK  # utime, stime


def resident_mib(pid: int) -> float:
    """The process's resident set size (VmRSS), in MiB; 0 once it is gone."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except (FileNotFoundError, ProcessLookupError):
        pass
    return 0.0


def pids_named(*names: str) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if (entry / "comm").read_text().strip() in names:
                    found.append(int(entry.name))
            except OSError:
                continue
    return found


def typesetters(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            if (task / "comm").read_text().strip() == "typesetter":
                found.append(int(task.name))
        except OSError:
            continue
    return found


def handled(database_url: str) -> dict[str, int]:
    """Messages each consumer has processed, from the inbox rows of every service schema."""

    async def count() -> dict[str, int]:
        connection = await asyncpg.connect(database_url.replace("+asyncpg", ""))
        try:
            schemas = await connection.fetch(
                "SELECT table_schema FROM information_schema.tables WHERE table_name = 'inbox'"
            )
            query = " UNION ALL ".join(
                f'SELECT consumer, count(*) AS n FROM "{row[0]}".inbox GROUP BY consumer' for row in schemas
            )
            return {row["consumer"]: row["n"] for row in await connection.fetch(query)}
        finally:
            await connection.close()

    return asyncio.run(count())
