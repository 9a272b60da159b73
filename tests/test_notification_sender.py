"""The sender over the real database, with channels of the test's own: a send that hangs is cut off well
within the lease and recorded to be tried again, with the rest of its batch; a sent notification's
moment is when the provider answered, not when the sender's tick began.

Each test's rows are due at a moment in 2000 and sent at that moment, so that no other test's rows are
due then: the sender takes its own rows only."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import insert, select

import services
from services.notify.channels import Outgoing, Taken
from services.notify.db import repository
from services.notify.db.tables import notifications
from services.notify.domain.notices import Channel
from services.notify.sender import NotificationSender
from services.notify.settings import NotifySettings
from shared.runtime import ServiceRuntime
from testkit.database import fetch_all
from testkit.world import World

LONG_AGO = datetime(2000, 1, 3, 9, tzinfo=UTC)
SITE = "SND1"  # a site of this module's own


class Hanging:
    """A provider that takes the request and never answers."""

    async def send(self, message: Outgoing) -> Taken | None:
        await asyncio.Event().wait()
        return None


class Answering:
    """A provider that answers at once, with its id for the message; when it answered is kept."""

    def __init__(self) -> None:
        self.answered: list[datetime] = []

    async def send(self, message: Outgoing) -> Taken | None:
        self.answered.append(datetime.now(UTC))
        return Taken(f"id-{len(self.answered)}", receipt_expected=True)


@pytest.fixture
async def runtime(world: World) -> AsyncIterator[ServiceRuntime]:
    made = ServiceRuntime(services.definition("notify"), world.settings("notify"))
    try:
        yield made
    finally:
        await made.engine.dispose()


async def _due(runtime: ServiceRuntime, channels: list[str]) -> list[int]:
    """A person of this test's own, and a notification to them due LONG_AGO on each of `channels`."""
    username = f"snd.{uuid.uuid4().hex[:8]}"
    rows = [
        {"notice_key": f"sender:{uuid.uuid4()}", "username": username, "channel": channel, "kind": "sla_breached",
         "urgent": True, "subject": "s", "body": "b", "status": "pending", "created_at": LONG_AGO,
         "send_after": LONG_AGO - timedelta(minutes=1)}
        for channel in channels
    ]  # fmt: skip
    async with runtime.engine.begin() as connection:
        await repository.put_contact(connection, {  # of a site of its own: no other test's notice is for them
            "username": username, "name": username, "roles": ["manager"], "site_codes": [SITE],
            "phone": "+86 139 1234 0077", "wecom_userid": "ZhangSan",
        })  # fmt: skip
        ids = (await connection.execute(insert(notifications).returning(notifications.c.id), rows)).scalars()
        return list(ids)


async def _rows(world: World, ids: list[int]) -> list[dict[str, Any]]:
    found = await fetch_all(world, select(notifications).where(notifications.c.id.in_(ids)).order_by("id"))
    return [dict(row._mapping) for row in found]


async def test_a_send_that_hangs_is_cut_off_within_the_lease_and_tried_again(
    world: World, runtime: ServiceRuntime
) -> None:
    settings = NotifySettings(notice_timeout_seconds=0.1)
    sender = NotificationSender(runtime.database, settings)
    answering = Answering()
    sender.channels = {Channel.WECOM: Hanging(), Channel.SMS: answering}
    assert timedelta(seconds=sender.send_bound_seconds) < sender.lease / 2  # well within it
    hangs, goes = await _due(runtime, ["wecom", "sms"])

    started = time.monotonic()
    assert await asyncio.wait_for(sender.send_due(LONG_AGO), timeout=20) == 2
    assert time.monotonic() - started < sender.lease.total_seconds()
    hung, sent = await _rows(world, [hangs, goes])
    assert (hung["status"], hung["attempts"]) == ("pending", 1)
    assert hung["last_error"] == "no answer within 0.3 s: tried again later"
    assert hung["send_after"] == LONG_AGO + timedelta(seconds=10)  # the first of the backoff's waits
    assert (sent["status"], sent["provider_message_id"]) == ("sent", "id-1")  # the rest of the batch recorded


async def test_a_notification_sent_is_dated_when_the_provider_answered(world: World, runtime: ServiceRuntime) -> None:
    """A text sent just after midnight in Beijing, in a tick that began before it, is the provider's
    next day's; its receipt is asked for by that day."""
    sender = NotificationSender(runtime.database, NotifySettings())
    answering = Answering()
    sender.channels = {Channel.SMS: answering}
    [text] = await _due(runtime, ["sms"])
    await sender.send_due(LONG_AGO)
    [row] = await _rows(world, [text])
    [answered] = answering.answered
    assert row["status"] == "sent"
    assert answered <= row["sent_at"] <= datetime.now(UTC)  # not LONG_AGO, the tick's moment
    assert (row["delivery"], row["receipt_after"]) == ("waiting", row["sent_at"] + sender.first_receipt)
