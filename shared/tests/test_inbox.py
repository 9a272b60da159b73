"""G4-G6: a message's effect is applied once per consumer, however many copies arrive and however
many replicas race for them; ids are remembered for the dedupe window, and only for it."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from sqlalchemy import func, select, update

from shared.contracts import seal
from shared.tests.conftest import Probe, ProbeHappened
from testkit.broker import EventTap, queue_depth, send_envelope
from testkit.waiting import eventually, stays


async def test_copies_of_one_message_racing_on_three_replicas_apply_once(probe: Probe, tap: EventTap) -> None:
    replicas = [probe.runtime(prefetch=4) for _ in range(3)]
    for replica in replicas:
        await replica.start()
    try:
        events = [seal(ProbeHappened(n=n), producer="test", correlation_id=f"probe-{n}") for n in range(40)]
        await asyncio.gather(*(send_envelope(probe.world.amqp_url, event, copies=3) for event in events))

        async def drained() -> bool:
            return await queue_depth(probe.world.amqp_url, probe.queue) == 0 and len(
                tap.of_type("probe.echoed")
            ) >= len(events)

        def duplicates() -> float:
            return sum(
                replica.metrics.consumed.labels(probe.queue, "probe.happened", "duplicate")._value.get()
                for replica in replicas
            )

        async def every_copy_seen() -> bool:
            return duplicates() == 80

        async def applied_once() -> bool:
            return await _counts_are(probe, dict.fromkeys(range(40), 1))

        await eventually(drained, what="every copy consumed")
        await eventually(every_copy_seen, what="80 copies recognised as duplicates")
        await stays(applied_once, what="each message applied once")
        assert sorted(e["payload"]["n"] for e in tap.of_type("probe.echoed")) == list(range(40))
    finally:
        for replica in replicas:
            await replica.stop()


async def test_a_message_older_than_the_dedupe_window_is_processed_again(probe: Probe) -> None:
    runtime = probe.runtime(dedupe_window_hours=1)
    await runtime.start()
    try:
        event = seal(ProbeHappened(n=7), producer="test", correlation_id="probe-7")
        await send_envelope(probe.world.amqp_url, event)
        await eventually(lambda: _counts_are(probe, {7: 1}))

        await send_envelope(probe.world.amqp_url, event)  # within the window: ignored
        duplicate = runtime.metrics.consumed.labels(probe.queue, "probe.happened", "duplicate")
        await eventually(lambda: _true(duplicate._value.get() == 1), what="the copy recognised as a duplicate")
        assert await probe.effect_counts() == {7: 1}

        inbox = runtime.database.inbox
        async with runtime.engine.begin() as connection:
            await connection.execute(update(inbox.table).values(processed_at=func.now() - timedelta(hours=2)))
            assert await inbox.purge(connection, timedelta(hours=1)) == 1
            assert (await connection.execute(select(func.count()).select_from(inbox.table))).scalar_one() == 0

        await send_envelope(probe.world.amqp_url, event)  # after the window: applied again, by design
        await eventually(lambda: _counts_are(probe, {7: 2}))
    finally:
        await runtime.stop()


async def _true(value: bool) -> bool:
    return value


async def _counts_are(probe: Probe, expected: dict[int, int]) -> bool:
    assert await probe.effect_counts() == expected
    return True
