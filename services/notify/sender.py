"""The sender: every notify process takes the notifications due for a lease (so that replicas share
the work and each is sent by one of them), sends them outside any transaction, and records how each
went. A failure is tried again later (shared/backoff.py), after the person's quiet hours if it can wait,
until it is given up; one that can never go (no mail server, a number the provider refuses) fails at
once. A process that dies between sending and recording leaves its lease to run out, and the
notification is sent again: at least once, rarely twice. So that a live process never does the same,
each send is cut off well within the lease (a provider that does not answer is tried again later), and
the batch is recorded before the lease runs out. What the provider took is kept with its id for it and
the moment it answered; a text whose provider reports delivery waits for its receipt (receipts.py)."""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any, cast

import httpx
from sqlalchemy import Row
from sqlalchemy.ext.asyncio import AsyncConnection

from services.notify.channels import Email, NotSent, Outgoing, Robot, Sender, Taken
from services.notify.db import repository as notices
from services.notify.domain.notices import Channel, parse_quiet_hours, send_after
from services.notify.settings import NotifySettings
from services.notify.sms import Sms, sms_provider
from services.notify.wecom import WeComApp
from shared.background import PollingLoop
from shared.backoff import next_attempt
from shared.persistence.service_database import ServiceDatabase
from shared.settings import ServiceSettings

Sent = tuple[str | None, Taken | NotSent | None]  # the address used, and what the provider took it as or why not


class NotificationSender(PollingLoop):
    task_name = "notification sender"

    def __init__(self, database: ServiceDatabase, settings: NotifySettings) -> None:
        super().__init__(settings.notice_tick_seconds)
        self.database = database
        self.settings = settings
        self.give_up_after = timedelta(hours=settings.notice_give_up_after_hours)
        # A send may make a few requests (WeCom: a token, the message, a fresh token and the message again),
        # each within the timeout; one that takes longer is cut off. The lease leaves time after the last
        # send is cut off to record the batch, so that no other process takes it while it is being sent.
        self.send_bound_seconds = 3 * settings.notice_timeout_seconds
        self.lease = timedelta(seconds=self.send_bound_seconds + settings.notice_timeout_seconds + 30)
        self.first_receipt = timedelta(seconds=settings.sms_receipt_first_poll_seconds)
        self.channels: dict[str, Sender] = {}

    async def _open(self, resources: contextlib.AsyncExitStack) -> None:
        client = await resources.enter_async_context(httpx.AsyncClient(timeout=self.settings.notice_timeout_seconds))
        self.channels = {
            Channel.EMAIL: Email(self.settings),
            Channel.ROBOT: Robot(client),
            Channel.SMS: Sms(sms_provider(self.settings, client)),
            Channel.WECOM: WeComApp(self.settings, client),
        }

    async def poll(self, now: datetime) -> None:
        await self.send_due(now)

    async def send_due(self, now: datetime) -> int:
        """Send what is due now; returns how many were tried."""
        async with self.database.engine.begin() as connection:
            due = await notices.claim_due(connection, now, self.settings.notices_per_tick, self.lease)
        if not due:
            return 0
        outcomes = await asyncio.gather(*(self._send(row) for row in due))
        async with self.database.engine.begin() as connection:
            for row, (address, outcome) in zip(due, outcomes, strict=True):
                await self._record(connection, row, address, outcome, now)
        return len(due)

    async def _send(self, row: Row[Any]) -> Sent:
        """Send to the person's address as it is now (an administrator may have corrected it since)."""
        addresses = {Channel.EMAIL: row.email, Channel.SMS: row.phone, Channel.ROBOT: row.robot_url,
                     Channel.WECOM: row.wecom_userid}  # fmt: skip
        address = addresses.get(row.channel)
        if not address:
            return None, NotSent(f"{row.username} has no address for {row.channel} any more", final=True)
        site = (row.site_local_name if row.language == "zh" else None) or row.site_name or row.site_code
        message = Outgoing(
            address=address, subject=row.subject, body=row.body, phone=row.phone, robot_kind=row.robot_kind,
            robot_secret=row.robot_secret, kind=row.kind, ticket_id=row.ticket_id, site=site,
        )  # fmt: skip
        try:
            taken = await asyncio.wait_for(self.channels[row.channel].send(message), self.send_bound_seconds)
        except NotSent as failure:
            return address, failure
        except TimeoutError:  # it may have gone, or not: at least once, so it is tried again
            return address, NotSent(f"no answer within {self.send_bound_seconds:g} s: tried again later")
        except Exception as error:  # a bad address or a strange answer: this one fails, not the batch
            return address, NotSent(f"{type(error).__name__}: {error}")
        # The provider's day for it (a text's receipt is asked for by it) is when it answered, not the tick's.
        return address, replace(taken or Taken(), accepted_at=datetime.now(UTC))

    async def _record(
        self, connection: AsyncConnection, row: Row[Any], address: str | None, outcome: Taken | NotSent | None,
        now: datetime,
    ) -> None:  # fmt: skip
        attempts, first_tried_at = row.attempts + 1, row.first_tried_at or now
        tried = {"attempts": attempts, "first_tried_at": first_tried_at, "address": address or row.address}
        if not isinstance(outcome, NotSent):
            taken = outcome or Taken()
            sent_at = taken.accepted_at or now
            receipt = {"delivery": "waiting", "receipt_after": sent_at + self.first_receipt}
            if not taken.receipt_expected:
                receipt = {}
            await notices.set_notification(
                connection, row.id, **tried, status="sent", sent_at=sent_at, last_error=None, delivery_error=None,
                provider_message_id=taken.message_id, **receipt,
            )  # fmt: skip
            return
        failure = outcome
        again = None if failure.final else next_attempt(attempts, first_tried_at, now, self.give_up_after)
        if again is not None and not row.urgent and row.quiet_hours:
            again = send_after(again, parse_quiet_hours(row.quiet_hours), row.timezone, urgent=False)
        await notices.set_notification(
            connection, row.id, **tried, last_error=failure.reason, status="pending" if again else "failed",
            send_after=again or now, delivery_error=failure.code,
        )  # fmt: skip


def notification_sender(database: ServiceDatabase, settings: ServiceSettings) -> NotificationSender:
    return NotificationSender(database, cast(NotifySettings, settings))
