"""The sender: every dispatch process takes the notifications due (SKIP LOCKED, so replicas share the
work and none is sent twice), sends each on its channel, and records how it went. A failure is tried
again later (shared/backoff.py) until it is given up; one that can never go (no mail server) fails at once."""

from __future__ import annotations

import asyncio
import contextlib
from datetime import datetime, timedelta
from typing import Any, cast

import httpx
from sqlalchemy import Row
from sqlalchemy.ext.asyncio import AsyncConnection

from services.dispatch.channels import Email, NotSent, Outgoing, Robot, Sender, Sms, sms_provider
from services.dispatch.db import notices
from services.dispatch.domain.notices import Channel
from services.dispatch.settings import DispatchSettings
from shared.background import PollingLoop
from shared.backoff import next_attempt
from shared.persistence.service_database import ServiceDatabase
from shared.settings import ServiceSettings


class NotificationSender(PollingLoop):
    task_name = "notification sender"

    def __init__(self, database: ServiceDatabase, settings: DispatchSettings) -> None:
        super().__init__(settings.notice_tick_seconds)
        self.database = database
        self.settings = settings
        self.give_up_after = timedelta(hours=settings.notice_give_up_after_hours)
        self.channels: dict[str, Sender] = {}

    async def _open(self, resources: contextlib.AsyncExitStack) -> None:
        client = await resources.enter_async_context(httpx.AsyncClient(timeout=self.settings.notice_timeout_seconds))
        self.channels = {
            Channel.EMAIL: Email(self.settings),
            Channel.ROBOT: Robot(client),
            Channel.SMS: Sms(sms_provider(self.settings.sms_provider)),
        }

    async def poll(self, now: datetime) -> None:
        await self.send_due(now)

    async def send_due(self, now: datetime) -> int:
        """Send what is due now; returns how many were tried."""
        async with self.database.unit_of_work() as uow:
            due = await notices.claim_due(uow.connection, now, self.settings.notices_per_tick)
            failures = await asyncio.gather(*(self._send(row) for row in due))
            for row, failure in zip(due, failures, strict=True):
                await self._record(uow.connection, row, failure, now)
        return len(due)

    async def _send(self, row: Row[Any]) -> NotSent | None:
        message = Outgoing(
            address=row.address, subject=row.subject, body=row.body, phone=row.phone,
            robot_kind=row.robot_kind, robot_secret=row.robot_secret,
        )  # fmt: skip
        try:
            await self.channels[row.channel].send(message)
        except NotSent as failure:
            return failure
        return None

    async def _record(self, connection: AsyncConnection, row: Row[Any], failure: NotSent | None, now: datetime) -> None:
        attempts, first_tried_at = row.attempts + 1, row.first_tried_at or now
        if failure is None:
            await notices.set_notification(
                connection, row.id, status="sent", attempts=attempts, first_tried_at=first_tried_at, sent_at=now,
                last_error=None,
            )  # fmt: skip
            return
        again = None if failure.final else next_attempt(attempts, first_tried_at, now, self.give_up_after)
        await notices.set_notification(
            connection, row.id, attempts=attempts, first_tried_at=first_tried_at, last_error=failure.reason,
            status="pending" if again else "failed", send_after=again or row.send_after,
        )  # fmt: skip


def notification_sender(database: ServiceDatabase, settings: ServiceSettings) -> NotificationSender:
    return NotificationSender(database, cast(DispatchSettings, settings))
