"""G7, G8: poison messages end in `<queue>.dead` with their reason; failures are retried later
without blocking the queue; an operator can list and replay dead letters."""

from __future__ import annotations

import json

import aio_pika
import pytest

from shared.contracts import seal
from shared.messaging.consumer import DEAD_REASON_HEADER, FORGED
from shared.messaging.dead_letters import list_dead_letters, replay_dead_letters
from shared.messaging.outbox import OutgoingMessage
from shared.messaging.topology import DEAD_LETTER_EXCHANGE, EVENTS_EXCHANGE, MAX_MESSAGE_BYTES, ConsumerQueue, declare
from shared.tests.conftest import Probe, ProbeHappened
from testkit.broker import queue_depth, send, send_envelope
from testkit.machine import broker_taking_up_to
from testkit.waiting import eventually


async def _dead(probe: Probe, count: int) -> list:
    async def arrived() -> list:
        letters = await list_dead_letters(probe.world.amqp_url, probe.queue)
        return letters if len(letters) >= count else []

    return await eventually(arrived, what=f"{count} dead letter(s) in {probe.queue}.dead")


def _event(n: int, **fields: object):
    return seal(ProbeHappened(n=n, **fields), producer="test", correlation_id=f"probe-{n}")


async def test_malformed_messages_are_dead_lettered_with_their_reason_and_the_queue_moves_on(probe: Probe) -> None:
    runtime = probe.runtime()
    await runtime.start()
    try:
        url = probe.world.amqp_url
        await send(url, b"{not json", routing_key="probe.happened", message_id="garbage-1")
        wrong_payload = json.loads(_event(1).model_dump_json())
        wrong_payload["payload"] = {"n": "not a number"}
        await send(url, json.dumps(wrong_payload).encode(), routing_key="probe.happened", message_id="bad-payload")
        future = json.loads(_event(2).model_dump_json())
        future["schema_version"] = 2
        await send(url, json.dumps(future).encode(), routing_key="probe.happened", message_id="future-version")
        await send_envelope(url, _event(3))

        letters = {letter.message_id: letter for letter in await _dead(probe, 3)}
        assert letters["garbage-1"].reason == "invalid_envelope"
        assert letters["garbage-1"].body == b"{not json"  # the original bytes, untouched
        assert letters["bad-payload"].reason == "invalid_payload"
        assert "n: Input should be a valid integer" in letters["bad-payload"].detail
        assert letters["future-version"].reason == "unsupported_schema_version"

        await eventually(lambda: _equals(probe.effect_counts(), {3: 1}), what="the good message applied")
        assert await queue_depth(url, probe.queue) == 0
    finally:
        await runtime.stop()


async def test_a_value_the_database_refuses_is_dead_lettered_at_once_and_not_retried(probe: Probe) -> None:
    runtime = probe.runtime(retry_delay_ms=100, max_attempts=5)
    await runtime.start()
    try:
        await send_envelope(probe.world.amqp_url, _event(20, note="a NUL \u0000 byte PostgreSQL cannot store"))
        await send_envelope(probe.world.amqp_url, _event(21, note="plain text"))

        [letter] = await _dead(probe, 1)
        assert letter.reason == "invalid_data"
        assert "0x00" in letter.detail
        assert "INSERT" not in letter.detail  # the database's reason, not the statement
        assert probe.attempts[20] == 1  # the same value would fail the same way: no retries
        await eventually(lambda: _equals(probe.effect_counts(), {21: 1}), what="the good message applied")
    finally:
        await runtime.stop()


async def test_a_message_past_the_size_limit_is_dead_lettered_unread_and_none_is_published(probe: Probe) -> None:
    runtime = probe.runtime()
    await runtime.start()
    try:
        huge = json.loads(_event(30).model_dump_json())
        huge["payload"]["note"] = "x" * (MAX_MESSAGE_BYTES + 1)
        with broker_taking_up_to(4 * MAX_MESSAGE_BYTES):  # ours refuses it first (tests/test_partner_limits.py)
            await send(probe.world.amqp_url, json.dumps(huge).encode(), routing_key="probe.happened", message_id="huge")
        [letter] = await _dead(probe, 1)
        assert letter.reason == "too_large"
        assert f"limited to {MAX_MESSAGE_BYTES}" in letter.detail
        assert 30 not in probe.attempts
        assert (letter.cut, letter.body_bytes, len(letter.body)) == (True, len(json.dumps(huge)), 64 * 1024)
        assert letter.body.startswith(b'{"message_id"')  # its start kept, to see what it was
    finally:
        await runtime.stop()
    with pytest.raises(ValueError, match="messages are limited to"):
        OutgoingMessage.event(_event(31, note="y" * MAX_MESSAGE_BYTES))


async def test_an_event_under_another_routing_key_is_dead_lettered_as_forged(probe: Probe) -> None:
    """Topic permissions let a broker user publish only its own event types: an envelope of another
    type slipped under one of them must not be taken for what it says."""
    runtime = probe.runtime()
    await runtime.start()
    try:
        connection = await aio_pika.connect(probe.world.amqp_url)
        async with connection:
            channel = await connection.channel()
            queue = await channel.get_queue(probe.queue, ensure=False)
            await queue.bind(EVENTS_EXCHANGE, routing_key="probe.permitted")
        body = _event(40).model_dump_json().encode()
        await send(probe.world.amqp_url, body, routing_key="probe.permitted", message_id="slipped")
        await send_envelope(probe.world.amqp_url, _event(41))
        [letter] = await _dead(probe, 1)
        assert (letter.message_id, letter.reason) == ("slipped", "forged_producer")
        assert "routing key 'probe.permitted'" in letter.detail
        await eventually(lambda: _equals(probe.effect_counts(), {41: 1}), what="the honest one applied")
    finally:
        await runtime.stop()


async def test_a_transient_failure_is_retried_later_while_other_messages_flow(probe: Probe) -> None:
    runtime = probe.runtime(retry_delay_ms=1000)
    await runtime.start()
    try:
        await send_envelope(probe.world.amqp_url, _event(10, fail_times=2))
        for n in range(11, 16):
            await send_envelope(probe.world.amqp_url, _event(n))
        # The five healthy messages are applied while message 10 waits in the retry queue.
        await eventually(lambda: _equals(probe.effect_counts(), dict.fromkeys(range(11, 16), 1)), timeout=1.5)
        await eventually(lambda: _equals(probe.effect_counts(), {10: 1, **dict.fromkeys(range(11, 16), 1)}))
        assert probe.attempts[10] == 3
        assert await list_dead_letters(probe.world.amqp_url, probe.queue) == []
    finally:
        await runtime.stop()


async def test_a_message_that_keeps_failing_is_dead_lettered_after_max_attempts(probe: Probe) -> None:
    runtime = probe.runtime(max_attempts=3)
    await runtime.start()
    try:
        await send_envelope(probe.world.amqp_url, _event(20, fail_times=99))
        await send_envelope(probe.world.amqp_url, _event(21, refuse=True))
        letters = {json.loads(letter.body)["payload"]["n"]: letter for letter in await _dead(probe, 2)}
        assert letters[20].reason == "retries_exhausted"
        assert "RuntimeError: probe 20 failing on attempt 3" in letters[20].detail
        assert probe.attempts[20] == 3
        assert letters[21].reason == "probe_refused"
        assert probe.attempts[21] == 1  # refused at once, never retried
        assert await probe.effect_counts() == {}  # every failed attempt rolled back
        assert await queue_depth(probe.world.amqp_url, probe.queue) == 0
        assert await queue_depth(probe.world.amqp_url, f"{probe.queue}.retries") == 0
    finally:
        await runtime.stop()


async def test_an_operator_replays_a_dead_letter_once_its_cause_is_fixed(probe: Probe) -> None:
    runtime = probe.runtime(max_attempts=1)
    await runtime.start()
    try:
        event = _event(30, fail_times=1)  # fails once: with one attempt allowed, it dies
        await send_envelope(probe.world.amqp_url, event)
        await send_envelope(probe.world.amqp_url, _event(31, refuse=True))
        await _dead(probe, 2)
        replayed = await replay_dead_letters(probe.world.amqp_url, probe.queue, message_id=str(event.message_id))
        assert replayed == 1
        await eventually(lambda: _equals(probe.effect_counts(), {30: 1}), what="replayed message applied")
        remaining = await list_dead_letters(probe.world.amqp_url, probe.queue)
        assert [json.loads(letter.body)["payload"]["n"] for letter in remaining] == [31]
    finally:
        await runtime.stop()


async def _equals(value, expected) -> bool:
    actual = await value
    assert actual == expected
    return True


async def test_letters_of_a_type_another_queue_now_handles_are_replayed_there_and_only_they(probe: Probe) -> None:
    """An event type moved to another service: its letters on the queue that used to take it go to the
    queue that takes it now; the letters of other types stay."""
    url = probe.world.amqp_url
    former = ConsumerQueue(f"{probe.queue}.former")
    await declare(url, former)
    moved, other, forged = _event(40), _event(41), _event(42)
    await send(url, moved.model_dump_json().encode(), exchange=DEAD_LETTER_EXCHANGE, routing_key=former.name,
               message_id=str(moved.message_id), message_type=moved.type)  # fmt: skip
    await send(url, other.model_dump_json().encode(), exchange=DEAD_LETTER_EXCHANGE, routing_key=former.name,
               message_id=str(other.message_id), message_type="probe.retired")  # fmt: skip
    await send(url, forged.model_dump_json().encode(), exchange=DEAD_LETTER_EXCHANGE, routing_key=former.name,
               message_id=str(forged.message_id), message_type=forged.type,
               headers={DEAD_REASON_HEADER: FORGED})  # fmt: skip
    runtime = probe.runtime()
    await runtime.start()
    try:
        replayed = await replay_dead_letters(url, former.name, message_type=moved.type, to=probe.queue)
        assert replayed == 1
        await eventually(lambda: _equals(probe.effect_counts(), {40: 1}), what="the moved letter applied")
        left = await list_dead_letters(url, former.name)
        # the forged one of the same type stays: replayed only when an operator names it
        assert sorted((letter.message_type, letter.reason) for letter in left) == [
            (moved.type, FORGED), ("probe.retired", "broker:unknown")
        ]  # fmt: skip
    finally:
        await runtime.stop()
