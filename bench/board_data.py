"""The data bench/board.py loads: sites, engineers with Chinese names, open and closed tickets and their
clocks, written straight into dispatch's and the SLA service's tables (see bench/board.py)."""

from __future__ import annotations

import json
import random
import time
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import asyncpg

from services.sla.domain.policy import DEFAULT_POLICY
from shared.persistence.database import asyncpg_dsn
from testkit.sites import fresh_site
from testkit.world import World

OTHER_SITES = 4
OPEN_ELSEWHERE = 150  # open tickets at each other site
CLOSED = 10_000  # closed tickets, a third of them at the biggest site
ENGINEERS = {"big": 30, "other": 6}
SUBSYSTEMS = {"bgm": 35, "av": 25, "signage": 25, "control": 15}
KINDS = {"fault": 60, "warranty_repair": 15, "technical_support": 12, "complaint": 5, "consultation": 8}
PRIORITIES = {"low": 15, "normal": 55, "high": 22, "critical": 8}
# Where the open tickets stand: resolved ones wait for their follow-up call, still on the board.
OPEN_STATUSES = {"new": 2, "awaiting_assignment": 6, "assigned": 22, "accepted": 20, "on_site": 25, "paused": 12,
                 "resolved": 13}  # fmt: skip
TARGET_MINUTES = {  # response, on site, resolution
    "critical": (15, 120, 480), "high": (30, 240, 1440), "normal": (30, 1440, 4320), "low": (60, 2880, 10080),
}  # fmt: skip
SURNAMES = "王李张刘陈杨黄赵周吴徐孙马朱胡郭何高林罗"
GIVEN = ("伟", "磊", "军", "勇", "杰", "涛", "明", "超", "静", "敏", "丽", "强", "洋", "峰", "婷", "浩", "建华", "志强")
PHRASES = (
    "中庭背景音乐没有声音", "电梯厅信息屏黑屏", "活动大厅投影机不亮", "中控主机无响应", "外立面LED屏局部花屏",
    "广播分区音量忽大忽小", "会议室麦克风有杂音", "停车场导视屏显示乱码", "消防广播联动测试失败", "功放过热自动关机",
    "触摸查询屏无法点击", "背景音乐定时播放不启动", "拼接屏有一块不亮", "无线话筒断断续续", "音箱有嗡嗡声",
)  # fmt: skip
DEVICES = {
    "bgm": (("Bosch", "PLENA"), ("TOA", "A-2240"), ("Yamaha", "MTX3")),
    "av": (("Epson", "EB-L1500"), ("Shure", "ULXD4"), ("Crestron", "DMPS")),
    "signage": (("LG", "55XS4"), ("Samsung", "QM55"), ("Leyard", "TVF")),
    "control": (("Crestron", "CP4"), ("Extron", "IPCP"), ("AMX", "NX")),
}  # fmt: skip
REPORTERS = ("徐女士", "陈经理", "李工", "王先生", "张主管", "刘助理", "赵先生", "物业前台", "商场值班经理")
WHY = ("nobody on duty with room for {s}: {e} on leave", "no engineer of this site has the skill {s}")
PASSWORD = "correct horse battery staple"  # the bench's manager's, in a throwaway world
ZONE = ZoneInfo("Asia/Shanghai")
TICKET_COLUMNS = ["ticket_id", "site_code", "subsystem", "kind", "priority", "status", "paused_from", "queue",
                  "waiting_since", "waiting_why", "at_risk_since", "appointment_starts", "appointment_ends",
                  "appointment_agreed_with", "reported_at", "reporter", "device", "coverage", "opened_at"]  # fmt: skip
CLOCK_COLUMNS = ["ticket_id", "kind", "cycle", "site_code", "timezone", "policy_code", "policy_version", "counting",
                 "started_at", "due_at", "target_minutes", "day_type", "calendar", "stopped_at", "outcome",
                 "breached_at"]  # fmt: skip


def pick(rng: random.Random, weights: dict[str, int]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def engineers_of(rng: random.Random, site: str, count: int) -> list[tuple[str, str, str, list[str], int]]:
    """(id, name, phone, skills, max open tickets) of a site's engineers."""
    return [
        (
            f"{site}-G{n:02d}",
            f"{rng.choice(SURNAMES)}{rng.choice(GIVEN)}",
            f"+86 13{rng.randrange(10)} {rng.randrange(10**4):04d} {rng.randrange(10**4):04d}",
            sorted(rng.sample(list(SUBSYSTEMS), rng.randint(2, 4))),
            120,
        )
        for n in range(1, count + 1)
    ]


def ticket(
    rng: random.Random, site: str, n: int, now: datetime, engineers: list[str], policy: tuple[str, int], is_open: bool
) -> tuple[tuple[Any, ...], tuple[Any, ...] | None, list[tuple[Any, ...]]]:
    """A ticket's row, its assignment's (if anyone holds it) and its three clocks' rows."""
    age = min(rng.expovariate(1 / 2), 30) if is_open else rng.uniform(1, 365)
    reported = now - timedelta(days=age)
    subsystem, kind, priority = pick(rng, SUBSYSTEMS), pick(rng, KINDS), pick(rng, PRIORITIES)
    status = (
        ("with_quality_desk" if kind == "complaint" and rng.random() < 0.5 else pick(rng, OPEN_STATUSES))
        if is_open
        else "closed"
    )
    held = status not in ("new", "awaiting_assignment", "with_quality_desk")
    engineer = rng.choice(engineers) if held else None
    waiting = status == "awaiting_assignment"
    queue = {"new": "dispatch", "awaiting_assignment": "service_manager", "with_quality_desk": "quality_desk"}
    maker, model = rng.choice(DEVICES[subsystem])
    device = {
        "asset_tag": f"{site}-{subsystem.upper()}-{rng.randrange(200):03d}", "model": model, "manufacturer": maker,
        "serial_number": f"{maker[:3].upper()}{rng.randrange(10**9):09d}", "subsystem": subsystem,
    } if rng.random() < 0.85 else None  # fmt: skip
    appointment = reported + timedelta(hours=rng.uniform(2, 30)) if is_open and rng.random() < 0.15 else None
    ticket_id = f"{site}-{reported.astimezone(ZONE):%Y%m%d}-{n:05d}"
    row = (
        ticket_id, site, subsystem, kind, priority, status, "on_site" if status == "paused" else None,
        queue.get(status, "engineer"), reported + timedelta(minutes=2) if waiting else None,
        rng.choice(WHY).format(s=subsystem, e=rng.choice(engineers)) if waiting else None,
        reported + timedelta(minutes=22) if status in ("awaiting_assignment", "assigned") and rng.random() < 0.3
        else None,
        appointment, appointment + timedelta(hours=2) if appointment else None,
        rng.choice(REPORTERS) if appointment else None, reported,
        json.dumps({"name": rng.choice(REPORTERS), "phone": f"+86 1{rng.choice('3589')}{rng.randrange(10)} "
                    f"{rng.randrange(10**4):04d} {rng.randrange(10**4):04d}"}, ensure_ascii=False),
        json.dumps(device) if device else None,
        json.dumps({"basis": "maintenance_contract", "reason": f"{site}-MC-2026 维保合同", "contract_code":
                    f"{site}-MC-2026", "sla_policy": policy[0]}, ensure_ascii=False),
        reported + timedelta(seconds=1),
    )  # fmt: skip
    assigned_at = min(now, reported + timedelta(minutes=rng.uniform(1, 40)))
    assignment = (ticket_id, engineer, rng.choice(("skill_and_load", "owner", "manual")), assigned_at)
    # Which clocks still run: response until someone accepts, on site until they arrive, resolution until
    # resolved (paused: running with no deadline); every clock of a closed ticket has stopped.
    stops = {
        "response": status not in ("new", "awaiting_assignment", "assigned", "with_quality_desk"),
        "on_site": status in ("on_site", "paused", "resolved", "closed"),
        "resolution": status in ("resolved", "closed"),
    }
    clocks = []
    for (clock, done), minutes in zip(stops.items(), TARGET_MINUTES[priority], strict=True):
        due = reported + timedelta(minutes=minutes)
        stopped = min(now, reported + timedelta(minutes=minutes * rng.uniform(0.2, 1.1))) if done else None
        late = due < (stopped or now)
        paused = clock == "resolution" and status == "paused"
        clocks.append((
            ticket_id, clock, 1, site, "Asia/Shanghai", policy[0], policy[1], "wall_clock", reported,
            None if paused else due, minutes, "working_day", "CN", stopped,
            ("breached" if late else "met") if done else None, due if late else None,
        ))  # fmt: skip
    return row, assignment if engineer else None, clocks


async def seed(world: World, count: int, rng: random.Random) -> tuple[list[str], dict[str, float]]:
    """The sites (the biggest first), and how long each step took."""
    started = time.perf_counter()
    sites = [await fresh_site(world) for _ in range(1 + OTHER_SITES)]
    loaded = time.perf_counter()
    now = datetime.now(UTC)
    connection = await asyncpg.connect(asyncpg_dsn(world.database_url))
    try:
        policies = dict(await connection.fetch("SELECT site_code, policy_code FROM sla.site_policies"))
        versions = dict(await connection.fetch("SELECT code, max(version) FROM sla.policies GROUP BY code"))
        staff: dict[str, list[str]] = {}
        engineer_rows, serving_rows = [], []
        for index, site in enumerate(sites):
            found = engineers_of(rng, site, ENGINEERS["big" if index == 0 else "other"])
            engineer_rows += found
            serving_rows += [(site, e[0]) for e in found]
            staff[site] = [e[0] for e in found]
        ticket_rows, assignment_rows, clock_rows = [], [], []
        n = 0
        for index, site in enumerate(sites):
            code = policies.get(site, DEFAULT_POLICY)
            policy = (code, versions[code])
            opened = count if index == 0 else OPEN_ELSEWHERE
            closed = CLOSED // 3 if index == 0 else (CLOSED - CLOSED // 3) // OTHER_SITES
            for is_open in [True] * opened + [False] * closed:
                n += 1
                row, assignment, clocks = ticket(rng, site, n, now, staff[site], policy, is_open)
                ticket_rows.append(row)
                if assignment:
                    assignment_rows.append(assignment)
                clock_rows += clocks
        built = time.perf_counter()
        async with connection.transaction():
            # The demo's engineers leave these sites: only the bench's serve them, on no shift.
            await connection.execute("DELETE FROM dispatch.ownerships WHERE site_code = ANY($1)", sites)
            await connection.execute("DELETE FROM dispatch.site_engineers WHERE site_code = ANY($1)", sites)
            await connection.executemany(
                "INSERT INTO dispatch.engineers (engineer_id, name, phone, skills, max_open_tickets) "
                "VALUES ($1, $2, $3, $4, $5)",
                engineer_rows,
            )
            await connection.executemany(
                "INSERT INTO dispatch.site_engineers (site_code, engineer_id) VALUES ($1, $2)", serving_rows
            )
            await connection.copy_records_to_table(
                "tickets", schema_name="dispatch", records=ticket_rows, columns=TICKET_COLUMNS
            )
            await connection.copy_records_to_table(
                "assignments",
                schema_name="dispatch",
                records=assignment_rows,
                columns=["ticket_id", "engineer_id", "rule", "assigned_at"],
            )
            await connection.copy_records_to_table(
                "clocks", schema_name="sla", records=clock_rows, columns=CLOCK_COLUMNS
            )
        copied = time.perf_counter()
        for table in ("dispatch.engineers", "dispatch.site_engineers", "dispatch.tickets", "dispatch.assignments",
                      "sla.clocks"):  # fmt: skip
            await connection.execute(f"ANALYZE {table}")
        analysed = time.perf_counter()
        running = await connection.fetchval("SELECT count(*) FROM sla.clocks WHERE stopped_at IS NULL")
    finally:
        await connection.close()
    print(
        f"{len(ticket_rows)} tickets ({count} open at {sites[0]}, {OPEN_ELSEWHERE} at each of {OTHER_SITES} other "
        f"sites, {CLOSED} closed), {len(assignment_rows)} assignments, {len(clock_rows)} clocks ({running} not "
        f"stopped), {len(engineer_rows)} engineers"
    )
    took = {"sites": loaded - started, "build": built - loaded, "copy": copied - built, "analyze": analysed - copied}
    return sites, took
