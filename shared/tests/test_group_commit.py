"""Group commit: deliveries waiting together are handled in one transaction, a savepoint each, and one
failure stays alone: its effect and its inbox claim are rolled back, it is retried (or dead-lettered)
by itself, and the others commit once, their events published once."""

from __future__ import annotations

from typing import Any

from shared.contracts import seal
from shared.messaging.dead_letters import list_dead_letters
from shared.messaging.topology import declare
from shared.tests.conftest import Probe, ProbeHappened
from testkit.broker import EventTap, queue_depth, send_envelope, send_envelopes
from testkit.waiting import eventually, stays


def _event(n: int, **fields: Any):
    return seal(ProbeHappened(n=n, **fields), producer="test", correlation_id=f"probe-{n}")


async def test_a_failing_message_in_a_window_stays_alone_and_the_rest_commit_once(probe: Probe, tap: EventTap) -> None:
    runtime = probe.runtime(prefetch=64, window_size=64, windows=1)
    await declare(probe.world.amqp_url, *runtime.queues)  # the queue fills before anyone consumes it
    failing, refused = 7, 13
    events = [
        _event(n, fail_times=1 if n == failing else 0, refuse=n == refused, note=f"window {n}") for n in range(40)
    ]
    await send_envelopes(probe.world.amqp_url, events)
    await send_envelope(probe.world.amqp_url, events[21])  # a copy in the same window: a duplicate
    await runtime.start()
    try:
        everything_but_the_refused = dict.fromkeys((n for n in range(40) if n != refused), 1)

        async def applied_once() -> bool:
            return await probe.effect_counts() == everything_but_the_refused

        await eventually(applied_once, timeout=30, what="every message applied once, the refused one not at all")
        letters = await eventually(lambda: list_dead_letters(probe.world.amqp_url, probe.queue), what="the refusal")
        assert [letter.reason for letter in letters] == ["probe_refused"]
        assert probe.attempts[failing] == 2  # once in its window (rolled back), once alone after the delay
        await eventually(lambda: _true(len(tap.of_type("probe.echoed")) >= 39), what="the echoes")
        await stays(applied_once, what="nothing applied twice")
        assert sorted(e["payload"]["n"] for e in tap.of_type("probe.echoed")) == sorted(everything_but_the_refused)

        consumed = runtime.metrics.consumed
        assert consumed.labels(probe.queue, "probe.happened", "duplicate")._value.get() == 1
        assert consumed.labels(probe.queue, "probe.happened", "retried")._value.get() == 1, probe.attempts
        windows = _histogram(runtime, "aftercare_window_messages", probe.queue)
        assert windows["sum"] >= 41, windows
        assert windows["count"] < 41 / 2, windows  # most messages shared a window
        assert await queue_depth(probe.world.amqp_url, probe.queue) == 0
    finally:
        await runtime.stop()


async def test_a_message_alone_is_a_window_of_one(probe: Probe) -> None:
    runtime = probe.runtime(window_size=64)
    await runtime.start()
    try:
        for n in range(3):
            await send_envelope(probe.world.amqp_url, _event(n))
            applied = dict.fromkeys(range(n + 1), 1)
            await eventually(lambda: _equals(probe.effect_counts(), applied), what=f"message {n} applied")  # noqa: B023
        windows = _histogram(runtime, "aftercare_window_messages", probe.queue)
        assert (windows["count"], windows["sum"]) == (3, 3), windows
    finally:
        await runtime.stop()


def _histogram(runtime: Any, name: str, queue: str) -> dict[str, float]:
    figures: dict[str, float] = {}
    for metric in runtime.registry.collect():
        if metric.name == name:
            for sample in metric.samples:
                if sample.labels.get("queue") == queue and sample.name.endswith(("_sum", "_count")):
                    figures[sample.name.rsplit("_", 1)[1]] = sample.value
    return figures


async def _equals(awaitable: Any, expected: object) -> bool:
    return await awaitable == expected


async def _true(value: bool) -> bool:
    return value
