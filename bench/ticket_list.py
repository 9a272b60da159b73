"""The archive's ticket list under 100,000 tickets: lists, searches and an export through the HTTP API.

Loads 100,000 lines into archive.ticket_list (built as `TicketLine`s, turned into rows by `row_of`,
copied in with asyncpg, then ANALYZE) across 20 sites, the biggest with a fifth of them and some
2,000 open, and prints how long that took. Then times, one request after another through the
archive's app in process, at least 200 requests per case (p50, p95, p99, max): a filtered page (site,
status, priority), a site's open tickets by their next due clock, breached tickets of three months,
page 100, a Chinese word of 3 or 4 characters, one of 2 (too short for a trigram), a phone's digits,
a serial number, an English word at one site. Last, an export: 10,000 lines fetched as JSON
(limit=10000) and written to XLSX and to CSV by `shared.spreadsheets.write_sheet`, five times.
Targets: p99 under 300 ms for each case; a whole export (fetch and one file) under 5 s. Prints PASS
or MISS per figure; figures, not a test (exits 0).

    uv run python bench/ticket_list.py [--tickets 100000] [--requests 200] [--keep]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import random
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import asyncpg
import httpx

import services
from services.archive.db.ticket_list import row_of
from services.archive.domain.ticket_list import BREACHED, MET, RUNNING, ClockState, TicketLine
from shared.http import create_app
from shared.identity import Role
from shared.persistence.database import asyncpg_dsn
from shared.runtime import ServiceRuntime
from shared.spreadsheets import SheetFormat, write_sheet
from testkit.identities import bearer
from testkit.world import World, create_world, destroy_world

SITES = [(f"{city}{n:02d}", f"{name}{n}号广场") for n, (city, name) in enumerate(
    [("SH", "上海"), ("BJ", "北京"), ("GZ", "广州"), ("SZ", "深圳"), ("HZ", "杭州")] * 4, start=1)]  # fmt: skip
BIG = SITES[0][0]  # a fifth of the tickets
SUBSYSTEMS = {"bgm": 35, "av": 25, "signage": 25, "control": 15}
KINDS = {"fault": 60, "warranty_repair": 15, "technical_support": 12, "complaint": 5, "consultation": 8}
PRIORITIES = {"low": 15, "normal": 55, "high": 22, "critical": 8}
ON_SITE_HOURS = {"critical": 2, "high": 4, "normal": 24, "low": 48}
RESOLUTION_HOURS = {"critical": 8, "high": 24, "normal": 72, "low": 168}
OPEN = ("new", "awaiting_assignment", "assigned", "accepted", "on_site", "paused")
ENGINEERS = [(f"E{n:02d}", f"{'王李张刘陈杨黄赵'[n % 8]}{'伟磊军勇杰涛明超'[n // 8 % 8]}") for n in range(1, 41)]
PHRASES = (
    "中庭背景音乐没有声音", "电梯厅信息屏黑屏", "活动大厅投影机不亮", "中控主机无响应", "外立面LED屏局部花屏",
    "广播分区音量忽大忽小", "会议室麦克风有杂音", "停车场导视屏显示乱码", "消防广播联动测试失败", "功放过热自动关机",
    "触摸查询屏无法点击", "背景音乐定时播放不启动", "拼接屏有一块不亮", "无线话筒断断续续", "音箱有嗡嗡声",
    "请派工程师培训新员工", "客户投诉工程师迟到", "咨询延保价格", "更换投影机灯泡", "信息发布系统无法上传节目",
    "BGM zone 3 silent after power cut", "Signage screen at B1 entrance is dark", "Projector lamp warning in hall",
    "Control panel not responding in atrium", "Amplifier trips on startup", "Microphone crackles in meeting room",
    "LED wall shows dead pixels", "Paging microphone has no output", "Media player stuck on boot logo",
    "Ceiling speaker rattles at high volume", "Training on the scheduling software", "Warranty repair of the DSP",
)  # fmt: skip
DEVICES = {
    "bgm": ("Bosch PLENA", "TOA A-2240", "Yamaha MTX3"), "av": ("Epson EB-L1500", "Shure ULXD4", "Crestron DMPS"),
    "signage": ("LG 55XS4", "Samsung QM55", "Leyard TVF"), "control": ("Crestron CP4", "Extron IPCP", "AMX NX"),
}  # fmt: skip
NAMES = ("徐女士", "陈经理", "李工", "王先生", "张主管", "Ms. Lee", "Mr. Wong", "刘助理", "赵先生", "Anna Chen")
CHANNELS = ("hotline", "hotline", "hotline", "email", "on_site")
COPY_BATCH = 10_000
EXPORT_COLUMNS = ["ticket_id", "site_code", "site_name", "subsystem", "kind", "priority", "status", "description",
                  "reporter_name", "reporter_phone", "asset_tag", "serial_number", "engineer_name", "reported_at",
                  "next_due_at", "breached"]  # fmt: skip
ZONE = ZoneInfo("Asia/Shanghai")


def pick(rng: random.Random, weights: dict[str, int]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def places(rng: random.Random) -> dict[str, tuple[list[tuple[str, str]], list[tuple[str, str, str, str]]]]:
    """Per site, 25 people who call (name, phone) and 200 devices (subsystem, asset tag, model, serial)."""
    found = {}
    for code, _ in SITES:
        people = [(rng.choice(NAMES), f"+86 1{rng.choice('3589')}{rng.randrange(10)} {rng.randrange(10**4):04d} "
                   f"{rng.randrange(10**4):04d}") for _ in range(25)]  # fmt: skip
        devices = []
        for n in range(200):
            subsystem = pick(rng, SUBSYSTEMS)
            model = rng.choice(DEVICES[subsystem])
            serial = f"{model[:3].upper()}{rng.randrange(10**9):09d}"
            devices.append((subsystem, f"{code}-{subsystem.upper()}-{n:03d}", model, serial))
        found[code] = (people, devices)
    return found


def ticket(rng: random.Random, n: int, now: datetime, known: dict[str, Any]) -> TicketLine:
    code, name = SITES[0] if rng.random() < 0.2 else rng.choice(SITES[1:])
    is_open = rng.random() < (0.1 if code == BIG else 0.05)
    age = min(rng.expovariate(1 / 1.5), 30) if is_open else rng.uniform(1, 730)
    reported = now - timedelta(days=age)
    people, devices = known[code]
    reporter, phone = rng.choice(people)
    subsystem, tag, model, serial = (
        rng.choice(devices) if rng.random() < 0.85 else (pick(rng, SUBSYSTEMS),) + (None,) * 3
    )
    kind, priority = pick(rng, KINDS), pick(rng, PRIORITIES)
    if is_open:
        status = "with_quality_desk" if kind == "complaint" else rng.choice(OPEN)
    else:
        status = "closed" if rng.random() < 0.85 else "resolved"
    engineer = None if status in ("new", "awaiting_assignment", "with_quality_desk") else rng.choice(ENGINEERS)
    status_at = min(now, reported + timedelta(hours=rng.uniform(0.1, 6 if is_open else 60)))
    dues = {
        "response": reported + timedelta(minutes=30),
        "on_site": reported + timedelta(hours=ON_SITE_HOURS[priority]),
        "resolution": reported + timedelta(hours=RESOLUTION_HOURS[priority]),
    }
    clocks = {}
    for clock, due in dues.items():
        done = (
            not is_open
            or (clock == "response" and engineer)
            or (clock == "on_site" and status in ("on_site", "paused"))
        )
        late = rng.random() < 1 / 16 if done else due < now  # a finished clock: met, or one in sixteen late
        state = BREACHED if late else MET if done else RUNNING
        clocks[f"{clock}#1"] = ClockState(state, due, min(now, due if state != MET else status_at))
    return TicketLine(
        f"{code}-{reported.astimezone(ZONE):%Y%m%d}-{n:06d}", opened=True, site_code=code, site_name=name,
        subsystem=subsystem, kind=kind, priority=priority, channel=rng.choice(CHANNELS),
        description=f"{rng.choice(PHRASES)} #{rng.getrandbits(32):08x}", reporter_name=reporter,
        reporter_phone=phone, asset_tag=tag, device_model=model, serial_number=serial, reported_at=reported,
        status=status, status_at=status_at, engineer_id=engineer[0] if engineer else None,
        engineer_name=engineer[1] if engineer else None,
        resolved_at=status_at if not is_open else None, closed_at=status_at if status == "closed" else None,
        clocks=clocks,
    )  # fmt: skip


async def seed(world: World, count: int, rng: random.Random, known: dict[str, Any]) -> dict[str, float]:
    now = datetime.now(UTC)
    started = time.perf_counter()
    rows = [row_of(ticket(rng, n, now, known)) for n in range(count)]
    columns = list(rows[0])
    records = [tuple(json.dumps(row[c]) if c == "clocks" else row[c] for c in columns) for row in rows]
    built = time.perf_counter()
    connection = await asyncpg.connect(asyncpg_dsn(world.database_url))
    try:
        for start in range(0, count, COPY_BATCH):
            batch = records[start : start + COPY_BATCH]
            await connection.copy_records_to_table("ticket_list", schema_name="archive", records=batch, columns=columns)
        copied = time.perf_counter()
        await connection.execute("ANALYZE archive.ticket_list")
        analysed = time.perf_counter()
    finally:
        await connection.close()
    return {"build": built - started, "copy": copied - built, "analyze": analysed - copied}


def cases(rng: random.Random, known: dict[str, Any]) -> dict[str, Callable[[int], dict[str, Any]]]:
    """Each case's query parameters for its n-th request (a few values in turn, so not one query repeated)."""
    today = datetime.now(ZONE).date()
    codes = [code for code, _ in SITES]
    phones = [phone.removeprefix("+86 ").replace(" ", "") for people, _ in known.values() for _, phone in people[:3]]
    serials = [devices[rng.randrange(200)][3] for _, devices in known.values()]
    statuses, priorities = ("closed", "resolved", "assigned", "on_site"), ("normal", "high", "critical", "low")
    return {
        "filtered page (site, status, priority)": lambda n: {
            "site_code": codes[n % 5 * 4], "status": statuses[n % 4], "priority": priorities[n // 4 % 4]},
        "open at the biggest site by next due": lambda n: {"site_code": BIG, "open": "true", "sort": "next_due_at"},
        "breached, three months reported": lambda n: {
            "breached": "true", "reported_from": (today - timedelta(days=90 + 30 * (n % 6))).isoformat(),
            "reported_to": (today - timedelta(days=30 * (n % 6))).isoformat()},
        "deep page (page 100)": lambda n: {"page": 100 + n % 3},
        "search a Chinese word (3-4 characters)": lambda n: {"q": ("背景音乐", "投影机", "麦克风", "拼接屏")[n % 4]},
        "search a Chinese word (2 characters)": lambda n: {"q": ("黑屏", "花屏", "杂音", "乱码")[n % 4]},
        "search phone digits": lambda n: {"q": phones[n % len(phones)]},
        "search a serial number": lambda n: {"q": serials[n % len(serials)]},
        "search a word at one site": lambda n: {
            "q": ("projector", "speaker", "amplifier")[n % 3], "site_code": codes[n % 20]},
    }  # fmt: skip


def percentile(took: list[float], q: float) -> float:
    ordered = sorted(took)
    return ordered[max(0, math.ceil(q * len(ordered)) - 1)]


async def timed_case(
    client: httpx.AsyncClient, params: Callable[[int], dict[str, Any]], times: int
) -> tuple[list[float], int]:
    """Milliseconds per request (after 10 unmeasured), and the average total found."""
    took, found = [], 0
    for n in range(-10, times):
        started = time.perf_counter()
        response = await client.get("/tickets", params=params(n % 1000))
        elapsed = (time.perf_counter() - started) * 1000
        response.raise_for_status()
        if n >= 0:
            took.append(elapsed)
            found += response.json()["total"]
    return took, found // times


def cells(item: dict[str, Any], column: str) -> object:
    value = item[column]
    if column in ("reported_at", "next_due_at") and value:  # Excel keeps no time zone: the sites' time
        return datetime.fromisoformat(value).astimezone(ZONE).replace(tzinfo=None)
    return value


async def export(client: httpx.AsyncClient) -> dict[str, float]:
    started = time.perf_counter()
    response = await client.get("/tickets", params={"limit": 10_000, "site_code": BIG})
    answer = response.raise_for_status().json()
    items = answer["items"]
    assert len(items) == min(10_000, answer["total"]), len(items)
    took = {"fetch": time.perf_counter() - started}
    for sheet_format in SheetFormat:
        started = time.perf_counter()
        table = [[cells(item, column) for column in EXPORT_COLUMNS] for item in items]
        write_sheet(EXPORT_COLUMNS, table, sheet_format, title="tickets")
        took[sheet_format.value] = time.perf_counter() - started
    return took


def header(first: str, last: str = "") -> None:
    print(f"{first:<40} {'p50':>8} {'p95':>8} {'p99':>8} {'max':>8}  {'target':<9} verdict {last}")


def line(what: str, took: list[float], target: float, unit: str = "ms", note: str = "") -> None:
    p50, p95, p99, top = (percentile(took, q) for q in (0.5, 0.95, 0.99, 1.0))
    verdict = "PASS" if p99 <= target else "MISS"
    digits = 1 if unit == "ms" else 2
    figures = " ".join(f"{figure:8.{digits}f}" for figure in (p50, p95, p99, top))
    print(f"{what:<40} {figures}  {f'< {target:g} {unit}':<9} {verdict:<7} {note}")


async def main(count: int, times: int, keep: bool) -> None:
    world = await asyncio.to_thread(create_world)
    try:
        await run(world, count, times)
    finally:
        if keep:
            print(f"kept the database for a look: {world.database_url}")
        else:
            await asyncio.to_thread(destroy_world, world)


async def run(world: World, count: int, times: int) -> None:
    rng = random.Random(20261207)
    known = places(rng)
    seeding = await seed(world, count, rng, known)
    steps = ", ".join(f"{step} {seconds:.1f} s" for step, seconds in seeding.items())
    print(f"seeded {count} tickets in {sum(seeding.values()):.1f} s: {steps}")
    runtime = ServiceRuntime(services.definition("archive"), world.settings("archive", db_pool_size=2))
    await runtime.start()
    transport = httpx.ASGITransport(app=create_app(runtime, manage_lifecycle=False))
    headers = bearer("bench.manager", Role.MANAGER)
    try:
        async with httpx.AsyncClient(
            transport=transport, base_url="http://archive", timeout=120, headers=headers
        ) as client:
            print(
                f"\n{times} requests per case, one at a time; milliseconds; found: the total per answer, on average\n"
            )
            header("case", "found")
            for what, params in cases(rng, known).items():
                took, found = await timed_case(client, params, times)
                line(what, took, 300, note=f"{found}")
            rounds = [await export(client) for _ in range(5)]
            print(f"\nexport of 10,000 lines, {len(rounds)} rounds; seconds (p95 and p99: the slowest round)\n")
            header("step")
            for step in ("fetch", "xlsx", "csv"):
                line(f"{step} alone", [r[step] for r in rounds], 5, "s")
            for sheet_format in ("xlsx", "csv"):
                whole = [r["fetch"] + r[sheet_format] for r in rounds]
                line(f"whole export to {sheet_format} (fetch + write)", whole, 5, "s")
    finally:
        await runtime.stop()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tickets", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--keep", action="store_true", help="keep the database (until a later world's cleanup)")
    arguments = parser.parse_args()
    asyncio.run(main(arguments.tickets, arguments.requests, arguments.keep))
