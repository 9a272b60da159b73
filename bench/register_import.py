"""Importing an equipment register: a 5,000-row file through intake's HTTP API and the real database.

Prints, for CSV and XLSX, how long the whole request takes: a dry run, the first import (every device
new), the same file again (every device unchanged) and a changed file (every device updated), and
how long reading the file alone takes. The target: a 5,000-row import in under 10 s on this machine.

    uv run python bench/register_import.py [--rows 5000]
"""

from __future__ import annotations

import argparse
import asyncio
import time
from datetime import date, timedelta
from typing import Any

import httpx

from shared.http import create_app
from shared.runtime import ServiceRuntime
from shared.spreadsheets import SheetFormat, read_sheet, write_sheet
from testkit.sites import fresh_site
from testkit.world import World, create_world, destroy_world

HEADER = ["asset_tag", "subsystem", "model", "manufacturer", "serial_number", "vendor_code", "install_date",
          "warranty_until", "location", "quantity", "status"]  # fmt: skip
SUBSYSTEMS = ("bgm", "av", "signage", "control")


def register_file(site: str, rows: int, sheet_format: SheetFormat, *, location: str) -> bytes:
    installed = date(2024, 1, 1)
    return write_sheet(
        HEADER,
        [
            [
                f"{site}-DEV-{n:05d}",
                SUBSYSTEMS[n % 4],
                f"Model {n % 37}",
                "benchco",
                f"{site}-SN-{n:06d}",
                "benchco",
                installed + timedelta(days=n % 300),
                installed + timedelta(days=1095 + n % 300),
                f"{location} {n % 50}",
                1 + n % 3,
                "in_service",
            ]
            for n in range(rows)
        ],
        sheet_format,
    )


async def timed(
    client: httpx.AsyncClient, site: str, body: bytes, media_type: str, **params: str
) -> tuple[float, dict[str, Any]]:
    started = time.perf_counter()
    response = await client.post(
        f"/sites/{site}/equipment/import", content=body, headers={"content-type": media_type}, params=params
    )
    elapsed = time.perf_counter() - started
    response.raise_for_status()
    return elapsed, response.json()


async def main(rows: int) -> None:
    world = await asyncio.to_thread(create_world)
    try:
        await run(world, rows)
    finally:
        await asyncio.to_thread(destroy_world, world)


async def run(world: World, rows: int) -> None:
    runtime = ServiceRuntime(__import__("services").definition("intake"), world.settings("intake", db_pool_size=2))
    await runtime.start()
    transport = httpx.ASGITransport(app=create_app(runtime, manage_lifecycle=False))
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://intake", timeout=120) as client:
            print(f"{rows} rows per file; seconds for the whole request")
            for sheet_format in SheetFormat:
                site = await fresh_site(world, names=("intake",))
                first = register_file(site, rows, sheet_format, location="Level")
                changed = register_file(site, rows, sheet_format, location="Floor")
                started = time.perf_counter()
                read_sheet(first, sheet_format)
                reading = time.perf_counter() - started
                dry, _ = await timed(client, site, first, sheet_format.media_type, dry_run="true")
                created, report = await timed(client, site, first, sheet_format.media_type)
                assert len(report["created"]) == rows, report
                unchanged, report = await timed(client, site, first, sheet_format.media_type)
                assert report["unchanged"] == rows, report
                updated, report = await timed(client, site, changed, sheet_format.media_type)
                assert len(report["updated"]) == rows, report
                print(
                    f"{sheet_format.value:<5} {len(first) / 1024:7.0f} KiB  read {reading:5.2f}  dry run {dry:5.2f}  "
                    f"all new {created:5.2f}  unchanged {unchanged:5.2f}  all changed {updated:5.2f}"
                )
    finally:
        await runtime.stop()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=5000)
    asyncio.run(main(parser.parse_args().rows))
