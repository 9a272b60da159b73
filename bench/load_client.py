"""The load client of bench/load.py, in a process of its own so that its CPU is its own: POSTs requests
to intake at a fixed rate on keep-alive connections, and times on a queue bound to `aftercare.events`
when each ticket is assigned, clocked and archived. Writes what it saw as JSON.

    python bench/load_client.py <intake URL> <AMQP URL> <rate> <seconds> <drain seconds> <output.json>

The bearer token comes in LOAD_AUTHORIZATION (signed with the suite's key, by bench/load.py).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import aio_pika
import httpx

from shared.messaging.topology import declare_tap

MILESTONES = ("ticket.assigned", "sla.clocks_started", "document.archived")
CLOCKS_PER_TICKET = 3  # response, on site, resolution: started together, in one sla.clocks_started


async def run_client(intake: str, amqp_url: str, rate: float, seconds: float, drain: float) -> dict[str, Any]:
    """POST at `rate` for `seconds`, then wait up to `drain` seconds for every ticket's milestones."""
    seen: dict[str, dict[str, list[float]]] = {}
    published: dict[str, int] = {}  # events of every type on the exchange while the step ran
    waiting: set[str] | None = None  # once every POST is answered: the tickets still short of a milestone
    all_seen = asyncio.Event()
    connection = await aio_pika.connect(amqp_url)
    channel = await connection.channel()
    await channel.set_qos(prefetch_count=1000)
    queue = await declare_tap(channel, "#")

    def complete(ticket: str) -> bool:
        got = seen.get(ticket, {})
        clocks = len(got.get("sla.clocks_started", []))
        return bool(got.get("ticket.assigned")) and bool(got.get("document.archived")) and clocks >= CLOCKS_PER_TICKET

    async def keep(message: aio_pika.abc.AbstractIncomingMessage) -> None:
        ticket = message.correlation_id
        published[message.type or "?"] = published.get(message.type or "?", 0) + 1
        if message.type in MILESTONES and ticket:
            # The clocks' event once per clock it names, so that counting its moments counts the clocks.
            times = len(json.loads(message.body)["payload"]["clocks"]) if message.type == "sla.clocks_started" else 1
            seen.setdefault(ticket, {}).setdefault(message.type, []).extend([time.perf_counter()] * times)
            if waiting is not None and ticket in waiting and complete(ticket):
                waiting.discard(ticket)
                if not waiting:
                    all_seen.set()
        await message.ack()

    await queue.consume(keep)
    headers = {"Authorization": os.environ["LOAD_AUTHORIZATION"]}  # signed by the suite's key, in the parent
    posts: list[dict[str, Any]] = []
    limits = httpx.Limits(max_connections=200, max_keepalive_connections=200)
    async with httpx.AsyncClient(limits=limits, timeout=60, headers=headers) as client:

        async def post(n: int, at: float) -> None:
            body = {
                "site_code": "LOAD1", "subsystem": ("bgm", "control")[n % 2], "channel": "hotline",
                "description": f"Load request {n} ({uuid.uuid4().hex[:8]})", "reporter": {"name": "Load client"},
            }  # fmt: skip
            started = time.perf_counter()
            status: int | str
            try:
                answer = await client.post(intake, json=body)
                ticket = answer.json().get("ticket_id") if answer.status_code < 300 else None
                status = answer.status_code
            except httpx.HTTPError as error:
                ticket, status = None, repr(error)
            posts.append({"n": n, "sent": started, "scheduled": at, "answered": time.perf_counter(),
                          "status": status, "ticket": ticket})  # fmt: skip

        begin = time.perf_counter() + 0.2
        count = int(rate * seconds)
        tasks = []
        for n in range(count):
            at = begin + n / rate
            delay = at - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.create_task(post(n, at)))
        await asyncio.gather(*tasks)

    waiting = {p["ticket"] for p in posts if p["ticket"] and not complete(p["ticket"])}
    if waiting:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(all_seen.wait(), timeout=drain)
    await connection.close()
    return {"posts": posts, "seen": seen, "published": published, "cpu": time.process_time()}


def main() -> None:
    intake, amqp_url, rate, seconds, drain, out = sys.argv[1:7]
    result = asyncio.run(run_client(intake, amqp_url, float(rate), float(seconds), float(drain)))
    Path(out).write_text(json.dumps(result))


if __name__ == "__main__":
    main()
