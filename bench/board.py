"""The service manager's board with 2,000 open tickets at one site: the page and the fragment it refreshes,
through the whole suite served over HTTP as a browser reaches it.

Loads five sites (copies of the demo site, through every service) and 30 engineers with Chinese names
at the biggest, 6 at each other one (the demo's own engineers leave the sites and the bench's are on no
shift, so that the tickets waiting for an engineer keep waiting while the board is timed). Then, straight
into dispatch's tables (tickets, assignments), 2,000 open tickets at the biggest site, 150 at each other
one and 10,000 closed ones, and into the SLA service's clocks each ticket's response, on-site and
resolution clocks (running, paused or stopped as its status says; a closed ticket's all stopped), copied
in with asyncpg, then ANALYZE; prints how long that took. Then serves every service on real HTTP in this
process (`testkit.web.serving`: one event loop, so a page's time is the sum of every service's work for
it), signs in to the console as a service manager through its form, and times, one request after
another, at least 50 requests per case (p50, p95, p99, max, and the CPU this process spent): the whole
board page (every site, then the biggest site), its open tickets fragment (every site), page 20 of the
biggest site's, one engineer's tickets and one risk's. Target: p99 under 500 ms per case. Prints PASS
or MISS per figure; figures, not a test (exits 0). `--profile` then times the board's two long
upstream calls alone (dispatch's open tickets, the SLA's running clocks).

    uv run python bench/board.py [--open 2000] [--requests 50] [--keep] [--profile]
"""

from __future__ import annotations

import argparse
import asyncio
import math
import os
import random
import re
import time
import uuid
from collections.abc import Callable
from typing import Any

import asyncpg
import httpx
from board_data import PASSWORD, seed  # beside this file

import services
from services.console import people
from services.console.domain.people import Person
from shared.identity import Role
from shared.persistence.database import asyncpg_dsn
from shared.runtime import ServiceRuntime
from testkit.identities import bearer
from testkit.web import serving
from testkit.world import World, create_world, destroy_world


async def manager(world: World) -> Person:
    """A service manager who may sign in to the console."""
    runtime = ServiceRuntime(services.definition("console"), world.settings("console"))
    person = Person(f"bench.{uuid.uuid4().hex[:6]}", "刘洋 Liu Yang", frozenset({Role.MANAGER}))
    try:
        async with runtime.database.unit_of_work() as uow:
            await people.keep(uow, person, PASSWORD)
    finally:
        await runtime.engine.dispose()
    return person


async def sign_in(console: httpx.AsyncClient, username: str) -> None:
    """Sign in through the form, as a browser does. The console's cookies are Secure, which browsers keep
    for http://localhost but httpx's cookie jar does not send over plain HTTP: they go as a header."""
    form = (await console.get("/sign-in")).raise_for_status()
    guard = re.search(r'name="guard" value="([^"]+)"', form.text)
    assert guard is not None, form.text[:500]
    console.headers["Cookie"] = cookies_of(form)
    answer = await console.post("/sign-in", data={"username": username, "password": PASSWORD, "guard": guard[1]})
    assert answer.status_code == 303, (answer.status_code, answer.text[:500])
    console.headers["Cookie"] = cookies_of(answer)


def cookies_of(response: httpx.Response) -> str:
    """The cookies a response sets (those it deletes left out), as a Cookie header."""
    pairs = [header.split(";", 1)[0] for header in response.headers.get_list("set-cookie")]
    return "; ".join(pair for pair in pairs if not pair.endswith("=") and not pair.endswith('=""'))


def cases(big: str, busiest: str) -> dict[str, tuple[str, Callable[[int], dict[str, Any]]]]:
    """Each case's path and its query parameters for the n-th request."""
    risks = ("breached", "at_risk", "watch", "calm", "no_clock")
    return {
        "GET /board (every site)": ("/board", lambda n: {}),
        f"GET /board?site_code={big}": ("/board", lambda n: {"site_code": big}),
        "GET /board/tickets (every site)": ("/board/tickets", lambda n: {}),
        "GET /board/tickets big site, page 20": ("/board/tickets", lambda n: {"site_code": big, "page": 20}),
        "GET /board/tickets one engineer": ("/board/tickets", lambda n: {"engineer_id": busiest}),
        "GET /board/tickets one risk": ("/board/tickets", lambda n: {"risk": risks[n % len(risks)]}),
    }


def percentile(took: list[float], q: float) -> float:
    ordered = sorted(took)
    return ordered[max(0, math.ceil(q * len(ordered)) - 1)]


async def timed_case(
    console: httpx.AsyncClient, path: str, params: Callable[[int], dict[str, Any]], times: int
) -> tuple[list[float], list[float], int, int]:
    """Milliseconds per request (after 5 unmeasured), the CPU milliseconds this process spent on each
    (every service and the client: the whole suite but PostgreSQL and RabbitMQ), the rows of the last
    answer and its size in bytes."""
    took, cpu, rows, size = [], [], 0, 0
    for n in range(-5, times):
        started, spent = time.perf_counter(), time.process_time()
        response = await console.get(path, params=params(n % 1000))
        elapsed, used = (time.perf_counter() - started) * 1000, (time.process_time() - spent) * 1000
        if response.status_code != 200:
            raise AssertionError(f"{path} {params(n % 1000)}: {response.status_code} {response.text[:300]}")
        if n >= 0:
            took.append(elapsed)
            cpu.append(used)
        rows, size = response.text.count('<tr id="row-'), len(response.content)
    return took, cpu, rows, size


def header(first: str, last: str = "") -> None:
    print(f"{first:<40} {'p50':>8} {'p95':>8} {'p99':>8} {'max':>8}  {'target':<9} verdict {last}")


def line(what: str, took: list[float], target: float, note: str = "") -> None:
    p50, p95, p99, top = (percentile(took, q) for q in (0.5, 0.95, 0.99, 1.0))
    verdict = "PASS" if p99 <= target else "MISS"
    figures = " ".join(f"{figure:8.1f}" for figure in (p50, p95, p99, top))
    print(f"{what:<40} {figures}  {f'< {target:g} ms':<9} {verdict:<7} {note}")


async def upstream_calls(urls: dict[str, str], big: str) -> None:
    """The board's two upstream calls alone, as the console makes them (a manager's token), 20 times each."""
    headers = bearer("bench.manager", Role.MANAGER)
    print("\nthe board's upstream calls alone, 20 each; milliseconds\n")
    header("call", "size")
    for service, path in (("dispatch", "/tickets"), ("sla", "/clocks")):
        async with httpx.AsyncClient(base_url=urls[service], headers=headers, timeout=60) as client:
            for site in (None, big):
                took, size = [], 0
                for _ in range(20):
                    started = time.perf_counter()
                    answer = await client.get(path, params={"site_code": site} if site else {})
                    took.append((time.perf_counter() - started) * 1000)
                    size = len(answer.raise_for_status().content)
                line(f"{service} {path}{f'?site_code={big}' if site else ''}", took, 500, f"{size // 1024} KiB")


async def main(count: int, times: int, keep: bool, profile: bool) -> None:
    world = await asyncio.to_thread(create_world)
    try:
        await run(world, count, times, profile)
    finally:
        if keep:
            print(f"kept the database for a look: {world.database_url}")
        else:
            await asyncio.to_thread(destroy_world, world)


async def run(world: World, count: int, times: int, profile: bool) -> None:
    rng = random.Random(20261208)
    sites, seeding = await seed(world, count, rng)
    steps = ", ".join(f"{step} {seconds:.1f} s" for step, seconds in seeding.items())
    print(f"seeded in {sum(seeding.values()):.1f} s: {steps}")
    big = sites[0]
    person = await manager(world)
    async with serving(world) as urls:
        async with httpx.AsyncClient(base_url=urls["console"], timeout=120) as console:
            await sign_in(console, person.username)
            busiest = await busiest_engineer(world, big)
            print(
                f"\n{times} requests per case, one at a time, signed in as a service manager; milliseconds "
                f"(load average {load()} before)\n"
            )
            header("case", "CPU p50 / p99, rows shown, page size")
            for what, (path, params) in cases(big, busiest).items():
                took, cpu, rows, size = await timed_case(console, path, params, times)
                spent = f"{percentile(cpu, 0.5):.0f} / {percentile(cpu, 0.99):.0f}"
                line(what, took, 500, f"{spent:>9}  {rows} rows, {size // 1024} KiB")
            print(
                f"\nload average {load()} after; CPU: this process's (the suite but PostgreSQL and RabbitMQ), "
                "what the box's other work cannot stretch"
            )
        if profile:
            await upstream_calls(urls, big)


def load() -> str:
    return " ".join(f"{figure:.2f}" for figure in os.getloadavg())


async def busiest_engineer(world: World, site: str) -> str:
    connection = await asyncpg.connect(asyncpg_dsn(world.database_url))
    try:
        found: str = await connection.fetchval(
            "SELECT a.engineer_id FROM dispatch.assignments a JOIN dispatch.tickets t USING (ticket_id) "
            "WHERE t.site_code = $1 AND t.status <> 'closed' GROUP BY 1 ORDER BY count(*) DESC LIMIT 1",
            site,
        )
    finally:
        await connection.close()
    return found


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--open", type=int, default=2_000, help="open tickets at the biggest site")
    parser.add_argument("--requests", type=int, default=50)
    parser.add_argument("--keep", action="store_true", help="keep the database (until a later world's cleanup)")
    parser.add_argument("--profile", action="store_true", help="also time the board's upstream calls alone")
    arguments = parser.parse_args()
    asyncio.run(main(arguments.open, arguments.requests, arguments.keep, arguments.profile))
