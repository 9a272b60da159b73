"""The relay publishes what its process committed from memory and stamps the rows, without reading them
back; rows it was not handed, and rows whose publish failed, it claims; its poll claims only rows older
than itself, which the process that wrote them would have sent."""

from __future__ import annotations

import asyncio
import json
from collections import Counter
from datetime import timedelta

import pytest
from sqlalchemy import func
from sqlalchemy.ext.asyncio import AsyncConnection

from shared.contracts.envelope import seal
from shared.messaging.outbox import Outbox, OutgoingMessage, PendingMessage
from shared.messaging.relay import OutboxRelay
from shared.runtime import ServiceRuntime
from shared.tests.conftest import Probe, ProbeEchoed
from testkit.broker import EventTap
from testkit.waiting import eventually, stays


class CountingOutbox(Outbox):
    """The service's outbox, counting the relay's claims."""

    claims = 0

    async def claim(
        self, connection: AsyncConnection, limit: int, *, older_than: timedelta | None = None
    ) -> list[PendingMessage]:
        self.claims += 1
        return await super().claim(connection, limit, older_than=older_than)


async def _committed(runtime: ServiceRuntime, *numbers: int) -> list[OutgoingMessage]:
    """Echoes committed to the outbox without telling the relay."""
    messages = [
        OutgoingMessage.event(seal(ProbeEchoed(n=n), producer="probe", correlation_id=f"probe-{n}")) for n in numbers
    ]
    async with runtime.engine.begin() as connection:
        await runtime.database.outbox.add(connection, messages)
    return messages


async def _unpublished(runtime: ServiceRuntime) -> int:
    async with runtime.engine.connect() as connection:
        return await runtime.database.outbox.count_unpublished(connection)


def _echoes(tap: EventTap, numbers: set[int]) -> Counter[int]:
    seen = (json.loads(m.body)["payload"]["n"] for m in tap.messages if m.type == "probe.echoed")
    return Counter(n for n in seen if n in numbers)


async def _each_once(tap: EventTap, numbers: set[int]) -> bool:
    assert _echoes(tap, numbers) == Counter(dict.fromkeys(numbers, 1))
    return True


async def test_messages_handed_over_are_published_and_stamped_without_a_claim(probe: Probe, tap: EventTap) -> None:
    runtime = probe.runtime()
    await runtime.start()
    await runtime.relay.stop()
    try:
        outbox = CountingOutbox(runtime.database.outbox.table)
        relay = OutboxRelay(runtime.engine, outbox, runtime.publish)
        relay.wake(await _committed(runtime, 400, 401))
        assert await relay.publish_held() == 2
        assert (outbox.claims, await _unpublished(runtime)) == (0, 0)
        await eventually(lambda: _each_once(tap, {400, 401}), what="both echoes")
        assert await relay.publish_pending() == 0  # stamped: nothing left to claim
    finally:
        await runtime.stop()


async def test_a_failed_publish_leaves_its_rows_to_a_claim(probe: Probe, tap: EventTap) -> None:
    runtime = probe.runtime()
    await runtime.start()
    await runtime.relay.stop()
    try:
        failed: list[int] = []

        async def broker_refuses_501_once(message: OutgoingMessage) -> None:
            if json.loads(message.body)["payload"]["n"] == 501 and not failed:
                failed.append(501)
                raise ConnectionError("the broker went away")
            await runtime.publish(message)

        relay = OutboxRelay(runtime.engine, runtime.database.outbox, broker_refuses_501_once)
        relay.wake(await _committed(runtime, 500, 501))
        with pytest.raises(ConnectionError):
            await relay.publish_held()
        assert await _unpublished(runtime) == 1  # 500 went and is stamped; 501 waits in the outbox
        assert await relay.publish_pending() == 1
        await eventually(lambda: _each_once(tap, {500, 501}), what="both echoes")
        await stays(lambda: _each_once(tap, {500, 501}), what="each once")
    finally:
        await runtime.stop()


async def test_the_poll_claims_only_rows_older_than_itself(probe: Probe) -> None:
    runtime = probe.runtime()
    await runtime.start()
    await runtime.relay.stop()
    try:
        await _committed(runtime, 600)
        relay = OutboxRelay(runtime.engine, runtime.database.outbox, runtime.publish)
        assert await relay.publish_pending(older_than=timedelta(minutes=1)) == 0  # its writer may be sending it
        assert await relay.publish_pending() == 1
    finally:
        await runtime.stop()


async def test_a_commit_the_relay_was_not_handed_is_claimed_when_it_is_woken(probe: Probe, tap: EventTap) -> None:
    runtime = probe.runtime(outbox_poll_seconds=30)
    await runtime.start()
    try:
        await eventually(lambda: _idle(runtime), what="the relay waiting for work")
        await _committed(runtime, 700)
        runtime.database.events_committed()  # as a writer that does not have the messages says
        await eventually(lambda: _each_once(tap, {700}), timeout=5, what="the echo, long before the 30 s poll")
    finally:
        await runtime.stop()


async def test_the_poll_runs_on_its_own_clock_however_busy_the_relay_is(probe: Probe, tap: EventTap) -> None:
    """A row another process wrote and never sent (it died) is claimed at the next poll, though commits
    wake the relay far more often than the poll."""
    runtime = probe.runtime(outbox_poll_seconds=1.0)
    await runtime.start()
    try:
        await _committed(runtime, 800)  # nobody hands it over: as if its writer died
        outbox = runtime.database.outbox.table
        async with runtime.engine.begin() as connection:  # written long enough ago for the poll to take it
            await connection.execute(outbox.update().values(created_at=func.now() - timedelta(minutes=1)))
        numbers = list(range(801, 841))

        async def busy() -> None:  # a commit every 0.1 s for 4 s: the relay never sleeps out a poll
            for n in numbers:
                async with runtime.database.unit_of_work() as uow:
                    uow.publish(ProbeEchoed(n=n), correlation_id=f"probe-{n}")
                await asyncio.sleep(0.1)

        committing = asyncio.create_task(busy())
        await eventually(lambda: _each_once(tap, {800}), timeout=3, what="the dead writer's row, at a poll")
        await committing
        await eventually(lambda: _each_once(tap, set(numbers)), what="the busy commits' echoes")
    finally:
        await runtime.stop()


async def _idle(runtime: ServiceRuntime) -> bool:
    return runtime.relay.idle
