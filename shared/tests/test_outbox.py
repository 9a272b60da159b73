"""G1-G3: state and events commit together; every committed event is published, after any outage,
once per relay claim; a message the broker cannot route is an error, not a silent loss."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections import Counter

import pytest
from aio_pika.exceptions import DeliveryError
from sqlalchemy import select

from shared.messaging.outbox import OutgoingMessage
from shared.messaging.relay import OutboxRelay
from shared.messaging.topology import QUEUES_EXCHANGE
from shared.tests.conftest import Probe, ProbeEchoed
from testkit.broker import EventTap
from testkit.waiting import eventually, stays


async def _commit_echoes(runtime, numbers) -> None:
    """Commit, as a handler would, one echo event per number."""
    for n in numbers:
        async with runtime.database.unit_of_work() as uow:
            uow.publish(ProbeEchoed(n=n), correlation_id=f"probe-{n}")


def _echoes(tap: EventTap, numbers: set[int]) -> Counter[int]:
    """How many times each of these echoes reached the tap."""
    seen = (json.loads(m.body)["payload"]["n"] for m in tap.messages if m.type == "probe.echoed")
    return Counter(n for n in seen if n in numbers)


async def test_state_and_events_roll_back_together(probe: Probe) -> None:
    runtime = probe.runtime()

    async def write_both_then_fail() -> None:
        async with runtime.database.unit_of_work() as uow:
            await uow.connection.execute(probe.effects.insert().values(n=1))
            uow.publish(ProbeEchoed(n=1), correlation_id="probe-1")
            raise RuntimeError("after both writes")

    with pytest.raises(RuntimeError, match="after both writes"):
        await write_both_then_fail()
    async with runtime.engine.connect() as connection:
        assert (await connection.execute(select(probe.effects))).all() == []
        assert (await connection.execute(select(runtime.database.outbox.table))).all() == []
    await runtime.engine.dispose()


async def test_events_committed_while_the_relay_is_down_are_published_once_it_is_back(
    probe: Probe, tap: EventTap
) -> None:
    runtime = probe.runtime()
    await runtime.start()
    await runtime.relay.stop()  # the process's relay is down; the consumer side keeps running
    try:
        numbers = set(range(100, 110))
        await _commit_echoes(runtime, sorted(numbers))
        await stays(lambda: _published(tap, numbers, Counter()), what="nothing published while the relay is down")

        runtime.relay.start()
        await eventually(lambda: _settled(tap, numbers), what="ten echoes published")
        await stays(lambda: _published(tap, numbers, Counter(dict.fromkeys(numbers, 1))), what="each echo once")
    finally:
        await runtime.stop()


async def test_events_wait_in_the_outbox_while_the_broker_is_unreachable(probe: Probe, tap: EventTap) -> None:
    runtime = probe.runtime()
    await runtime.start()
    await runtime.relay.stop()
    try:
        await _commit_echoes(runtime, [200, 201])

        async def broker_down(_: OutgoingMessage) -> None:
            raise ConnectionRefusedError("broker unreachable")

        failing = OutboxRelay(runtime.engine, runtime.database.outbox, broker_down)
        with pytest.raises(ConnectionRefusedError):
            await failing.publish_pending()
        async with runtime.engine.connect() as connection:
            assert await runtime.database.outbox.count_unpublished(connection) == 2

        runtime.relay.start()
        await eventually(lambda: _settled(tap, {200, 201}))
        async with runtime.engine.connect() as connection:
            assert await runtime.database.outbox.count_unpublished(connection) == 0
        assert _echoes(tap, {200, 201}) == Counter({200: 1, 201: 1})
    finally:
        await runtime.stop()


async def test_two_relays_never_send_the_same_row(probe: Probe, tap: EventTap) -> None:
    runtime = probe.runtime(outbox_batch_size=20)
    await runtime.start()
    await runtime.relay.stop()
    try:
        numbers = set(range(1000, 1300))
        await _commit_echoes(runtime, sorted(numbers))
        relays = [
            OutboxRelay(runtime.engine, runtime.database.outbox, runtime.publish, batch_size=20) for _ in range(3)
        ]
        sent = await asyncio.gather(*(relay.publish_pending() for relay in relays))
        assert sum(sent) == len(numbers)
        await eventually(lambda: _settled(tap, numbers), what="300 echoes")
        await stays(lambda: _published(tap, numbers, Counter(dict.fromkeys(numbers, 1))), what="each echo once")
    finally:
        await runtime.stop()


async def test_the_relay_is_woken_by_the_commit_not_by_its_poll(probe: Probe, tap: EventTap) -> None:
    runtime = probe.runtime(outbox_poll_seconds=30)
    await runtime.start()
    try:
        await eventually(lambda: _idle(runtime), what="the relay waiting for work")
        started = asyncio.get_running_loop().time()
        await _commit_echoes(runtime, [300])
        await eventually(lambda: _settled(tap, {300}), timeout=5)
        assert asyncio.get_running_loop().time() - started < 2  # far below the 30 s poll
    finally:
        await runtime.stop()


async def test_an_unroutable_message_is_an_error_not_a_silent_loss(probe: Probe) -> None:
    runtime = probe.runtime()
    await runtime.start()
    try:
        nowhere = OutgoingMessage(
            message_id=uuid.uuid4(),
            exchange="",  # default exchange, a queue name nobody declared
            routing_key=f"{probe.name}.no-such-queue",
            message_type="probe.echoed",
            correlation_id="x",
            body="{}",
        )
        with pytest.raises(DeliveryError):
            await runtime.publish(nowhere)
    finally:
        await runtime.stop()


async def _idle(runtime) -> bool:
    return runtime.relay.idle


async def _settled(tap: EventTap, numbers: set[int]) -> bool:
    return set(_echoes(tap, numbers)) == numbers


async def _published(tap: EventTap, numbers: set[int], expected: Counter[int]) -> bool:
    assert _echoes(tap, numbers) == expected
    return True


async def test_a_row_of_an_earlier_release_addressed_to_the_default_exchange_goes_through_aftercare_queues(
    probe: Probe,
) -> None:
    """Releases before `aftercare.queues` wrote commands for the default exchange, which the services'
    users may no longer write to: the relay sends such a row by the same queue name through the new one."""
    runtime = probe.runtime()
    async with runtime.database.unit_of_work() as uow:
        uow.send(ProbeEchoed(n=7), exchange="", routing_key=probe.queue, correlation_id="probe-7")
    try:
        async with runtime.database.unit_of_work() as uow:
            [pending] = await runtime.database.outbox.claim(uow.connection, limit=10)
        assert (pending.message.exchange, pending.message.routing_key) == (QUEUES_EXCHANGE, probe.queue)
    finally:
        await runtime.engine.dispose()
