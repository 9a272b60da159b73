"""The suite on a PostgreSQL primary and a streaming standby of the test's own (initdb and pg_basebackup
into temporary directories; the machine's PostgreSQL is not touched), the services' database URLs
naming both hosts with `target_session_attrs=read-write`. Under a steady stream of requests the primary
crashes (an immediate stop) and the standby is promoted: requests refused during the switch get a 503
that says when to retry, never a 500; the services find the new primary by themselves; every accepted
request comes out whole and once, the outbox's rows committed before the crash included; no dead
letters. The time until every service is ready again is printed."""

from __future__ import annotations

import asyncio
import signal
import time
from pathlib import Path

import pytest

from testkit.campaign import (
    UP_ON_PRIVATE_SERVERS,
    SteadyLoad,
    all_ready,
    every_ticket_whole,
    no_dead_letters,
    prepared,
    suite_environment,
)
from testkit.figures import report
from testkit.private_servers import private_postgres_pair, private_rabbitmq
from testkit.processes import aftercare_process


@pytest.mark.timeout(900)
async def test_a_promoted_standby_takes_over_and_nothing_accepted_is_lost(tmp_path: Path) -> None:
    with private_postgres_pair() as (primary, standby), private_rabbitmq(tmp_path) as rabbit:
        hosts = f"host=127.0.0.1:{primary.port}&host=127.0.0.1:{standby.port}"
        database_url = f"postgresql+asyncpg://postgres@/aftercare?{hosts}&target_session_attrs=read-write"
        env, urls = suite_environment(database_url, rabbit.url)
        await prepared(env)
        with aftercare_process(*UP_ON_PRIVATE_SERVERS, env=env, log_dir=tmp_path) as up:
            await all_ready(urls, time.monotonic())
            load = SteadyLoad(urls["intake"])
            stream = asyncio.create_task(load.run())
            await asyncio.sleep(8)
            accepted_before = len(load.accepted)
            since = time.monotonic()
            await asyncio.to_thread(primary.stop, "immediate")
            await asyncio.sleep(3)  # the time an operator or CloudNativePG takes to decide
            await asyncio.to_thread(standby.promote)
            promoted = time.monotonic() - since
            recovered = await all_ready(urls, since)
            await asyncio.sleep(12)
            load.running = False
            await stream
            report(
                f"primary crashed; standby promoted {promoted:.1f} s later"
                f"\n  every service ready {recovered:.1f} s after the crash"
                f"\n  {len(load.accepted)} requests accepted ({len(load.accepted) - accepted_before} after the"
                f" crash), refused: {dict(load.refused)}"
            )
            assert set(load.refused) <= {"503"}, load.refused  # asked to retry, never a 500
            assert standby.sql("SELECT pg_is_in_recovery()") == "f"
            assert len(load.accepted) - accepted_before > 40
            await every_ticket_whole(urls["archive"], load.accepted)
            await no_dead_letters(urls)
            returncode, output = up.stop(signal.SIGINT)
            assert returncode == 0, output[-3000:]
