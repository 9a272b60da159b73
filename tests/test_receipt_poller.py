"""The receipt poller over the real database: two replicas asking at once ask about each text once (the
lease), a text still waiting is asked about again later and later, and one whose receipt never comes is
recorded as unknown once the bound has passed, or at once when the provider gives no receipts.

Each test's texts are due since long ago (LONG_AGO), before any other test's left in the database, so
that the poller, which takes the longest due first, takes its own."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections import Counter
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import insert, select

import services
from services.notify.db.tables import notifications
from services.notify.domain.aliyun_sms import Receipt
from services.notify.receipts import ReceiptPoller
from services.notify.settings import NotifySettings
from shared.runtime import ServiceRuntime
from testkit.database import fetch_all
from testkit.world import World

LONG_AGO = datetime(2000, 1, 1, tzinfo=UTC)


class CountingSource:
    """A provider whose every text is still waiting, counting the questions about each."""

    def __init__(self) -> None:
        self.asked: Counter[str] = Counter()

    async def receipt(self, phone: str, message_id: str, sent_at: datetime) -> Receipt:
        self.asked[message_id] += 1
        await asyncio.sleep(0.05)  # an answer takes a while: the other replica asks meanwhile
        return Receipt("waiting")


@pytest.fixture
async def runtime(world: World) -> AsyncIterator[ServiceRuntime]:
    made = ServiceRuntime(services.definition("notify"), world.settings("notify"))
    try:
        yield made
    finally:
        await made.engine.dispose()


async def _waiting(
    runtime: ServiceRuntime, sent_at: datetime, count: int, receipt_after: datetime = LONG_AGO
) -> list[str]:
    """`count` texts sent at `sent_at` whose receipts are due since `receipt_after`; their provider ids."""
    ids = [f"{uuid.uuid4().int % 10**15}^0" for _ in range(count)]
    rows = [
        {"notice_key": f"poller:{biz_id}", "username": "prv.poller", "channel": "sms", "kind": "sla_breached",
         "urgent": True, "address": "+86 139 1234 0099", "subject": "s", "body": "b", "status": "sent",
         "created_at": sent_at, "send_after": sent_at, "sent_at": sent_at, "provider_message_id": biz_id,
         "delivery": "waiting", "receipt_after": receipt_after}
        for biz_id in ids
    ]  # fmt: skip
    async with runtime.engine.begin() as connection:
        await connection.execute(insert(notifications), rows)
    return ids


async def _rows(world: World, ids: list[str]) -> dict[str, dict[str, object]]:
    found = await fetch_all(world, select(notifications).where(notifications.c.provider_message_id.in_(ids)))
    return {row.provider_message_id: dict(row._mapping) for row in found}


async def test_two_replicas_ask_about_each_text_once_and_again_later(world: World, runtime: ServiceRuntime) -> None:
    now = datetime.now(UTC)
    ids = await _waiting(runtime, now - timedelta(minutes=1), 6)
    source = CountingSource()
    replicas = [ReceiptPoller(runtime.database, NotifySettings(notices_per_tick=4)) for _ in range(2)]
    for replica in replicas:
        replica.source = source
    await asyncio.gather(*(replica.ask_due(now) for replica in replicas))
    assert {biz_id: source.asked[biz_id] for biz_id in ids} == dict.fromkeys(ids, 1)
    rows = await _rows(world, ids)
    for row in rows.values():
        assert (row["delivery"], row["receipt_polls"]) == ("waiting", 1)
        assert row["receipt_after"] == now + timedelta(seconds=10)  # the first of the ever longer waits
    await asyncio.gather(*(replica.ask_due(now + timedelta(seconds=5)) for replica in replicas))
    assert {biz_id: source.asked[biz_id] for biz_id in ids} == dict.fromkeys(ids, 1)  # not due yet


async def test_a_text_whose_receipt_never_comes_is_recorded_as_unknown(world: World, runtime: ServiceRuntime) -> None:
    now = datetime.now(UTC)
    [old] = await _waiting(runtime, now - timedelta(hours=48) + timedelta(seconds=5), 1)  # the next ask: too late
    source = CountingSource()
    poller = ReceiptPoller(runtime.database, NotifySettings())
    poller.source = source
    await poller.ask_due(now)
    row = (await _rows(world, [old]))[old]
    assert (row["delivery"], row["delivery_error"], row["receipt_polls"]) == ("unknown", "no receipt within 48 h", 1)
    await poller.ask_due(now + timedelta(hours=3))
    assert source.asked[old] == 1  # not asked about again


async def test_texts_waiting_when_the_provider_gives_no_receipts_are_recorded_as_unknown_at_once(
    world: World, runtime: ServiceRuntime
) -> None:
    """NOTIFY_SMS_PROVIDER changed from aliyun to log: nobody will ever answer for the texts it sent."""
    now = datetime.now(UTC)
    due = await _waiting(runtime, now - timedelta(minutes=1), 1)
    later = await _waiting(runtime, now - timedelta(minutes=1), 1, receipt_after=now + timedelta(hours=1))
    poller = ReceiptPoller(runtime.database, NotifySettings(sms_provider="log"))
    async with contextlib.AsyncExitStack() as resources:
        await poller._open(resources)
        assert poller.source is None
        assert await poller.ask_due(now) >= 2
    rows = await _rows(world, due + later)
    assert {(row["delivery"], row["delivery_error"]) for row in rows.values()} == {
        ("unknown", "no receipts come from the text message provider 'log'")
    }
