"""The mailbox worker's own rate: 1,000 mails waiting in a Dovecot mailbox (a backlog, as after a
weekend with the worker down), taken with a `take` that only records a row, each in its own transaction
with its place, then flagged on the server. Prints mails per second for the backlog (flag mode and
move mode) and, once caught up, how long a single new mail takes from APPEND to its commit (IDLE), p50
and max of 20. What a mail becomes (tickets) is not in these figures: bench it end to end once taking.py
exists. The target: a 1,000-mail backlog in under a minute; a new mail committed within 2 s.

    uv run python bench/mailbox.py [--mails 1000] [--size 4000]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time

from testkit.dovecot import Dovecot, dovecot, mail
from testkit.mailboxes import mailbox_of, running, takings
from testkit.waiting import eventually
from testkit.world import World, create_world, destroy_world


async def backlog(world: World, server: Dovecot, mails: int, size: int, done_folder: str | None) -> float:
    folder = f"Bench{int(time.time() * 1000) % 1_000_000}"
    async with server.client() as imap:
        await imap.create(folder)
        for n in range(mails):
            await imap.append(folder, mail(f"报修 {n}: 会议室投影仪无信号", size=size))
    async with takings(world) as taken:
        box = mailbox_of(server, folder=folder, done_folder=done_folder, poll_seconds=600)
        started = time.perf_counter()
        async with running(world, taken, box, mail_batch_size=50) as worker:
            state = worker.readers[0].state
            await eventually(lambda: _holds(state.taken >= mails and state.status == "idle"), timeout=600)
            elapsed = time.perf_counter() - started
            assert len(await taken.rows()) == mails, state
        return mails / elapsed


async def arrivals(world: World, server: Dovecot, count: int) -> list[float]:
    async with takings(world) as taken, running(world, taken, mailbox_of(server, poll_seconds=600)) as worker:
        state = worker.readers[0].state
        waits = []
        for n in range(count):
            await eventually(lambda: _holds(state.status == "idle"), interval=0.005)
            started = time.perf_counter()
            await server.deliver(mail(f"新邮件 {n}"))
            await eventually(lambda n=n: _holds(state.taken > n), interval=0.002)  # type: ignore[misc]
            waits.append(time.perf_counter() - started)
        return waits


async def _holds(fact: bool) -> bool:
    return fact


async def main(mails: int, size: int) -> None:
    world = await asyncio.to_thread(create_world)
    try:
        with dovecot() as server:
            print(f"{mails} mails of about {size} bytes waiting in a Dovecot mailbox; a take that records a row")
            for mode, done in (("flagged \\Seen $AftercareTaken", None), ("moved to a done folder", "Done")):
                rate = await backlog(world, server, mails, size, done)
                print(f"  backlog, {mode}: {rate:,.0f} mails/s ({mails / rate:.1f} s)")
            waits = await arrivals(world, server, 20)
            p50, worst = statistics.median(waits), max(waits)
            print(f"  one new mail, APPEND to commit (IDLE): p50 {p50 * 1000:.0f} ms, max {worst * 1000:.0f} ms")
            print(f"  {'PASS' if mails / rate < 60 else 'MISS'} backlog under a minute; "
                  f"{'PASS' if worst < 2 else 'MISS'} a new mail within 2 s")  # fmt: skip
    finally:
        await asyncio.to_thread(destroy_world, world)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--mails", type=int, default=1000)
    parser.add_argument("--size", type=int, default=4000, help="bytes of each mail's body, about")
    arguments = parser.parse_args()
    asyncio.run(main(arguments.mails, arguments.size))
