"""G4-G6: a message's effect is applied once per consumer, however many copies arrive and however
many replicas race for them; ids are remembered for the dedupe window, and only for it; a message the
service says does not concern it is acknowledged with nothing recorded."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import timedelta
from typing import Any

from sqlalchemy import func, select, update

from shared.contracts import Envelope, seal
from shared.persistence.service_database import ServiceDatabase
from shared.runtime import ServiceRuntime
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


async def test_a_message_that_does_not_concern_the_service_is_acknowledged_and_leaves_no_trace(probe: Probe) -> None:
    async def even_only(message: Envelope[Any], _database: ServiceDatabase) -> bool:
        return bool(message.payload.n % 2 == 0)

    [subscription] = probe.definition.subscriptions
    choosy = replace(probe.definition, subscriptions=(replace(subscription, concerns=even_only),))
    runtime = ServiceRuntime(choosy, probe.settings())
    await runtime.start()
    try:
        for n in range(6):
            await send_envelope(probe.world.amqp_url, seal(ProbeHappened(n=n), producer="test", correlation_id="p"))
        ignored = runtime.metrics.consumed.labels(probe.queue, "probe.happened", "ignored")
        await eventually(lambda: _true(ignored._value.get() == 3), what="the odd ones ignored")
        await eventually(lambda: _counts_are(probe, {0: 1, 2: 1, 4: 1}), what="the even ones applied")
        async with runtime.engine.connect() as connection:
            inbox = runtime.database.inbox.table
            assert (await connection.execute(select(func.count()).select_from(inbox))).scalar_one() == 3
        assert await queue_depth(probe.world.amqp_url, probe.queue) == 0
    finally:
        await runtime.stop()
