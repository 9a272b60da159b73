"""The deliverer: every process takes the deliveries due (SKIP LOCKED, so replicas share the work), posts
each signed to its receiver, and records how it went. A failure is tried again later (shared/backoff.py); one
given up after a day pauses its subscription and says so (`webhook.paused`), for its owner to be told."""

from __future__ import annotations

import asyncio
import contextlib
import time
from datetime import datetime, timedelta
from typing import Any, cast

import httpx
from sqlalchemy import Row

from services.webhooks import subscribed_sites
from services.webhooks.db import repository
from services.webhooks.domain import signing
from services.webhooks.domain.subscriptions import customer_body
from services.webhooks.settings import WebhooksSettings
from shared.background import PollingLoop
from shared.backoff import next_attempt
from shared.contracts.webhooks import WebhookPaused
from shared.egress import guarded_client, refusal_in
from shared.messaging.unit_of_work import UnitOfWork
from shared.persistence.service_database import ServiceDatabase
from shared.settings import ServiceSettings

WITHHELD = "withheld: the event is the staff's alone"


class Deliverer(PollingLoop):
    task_name = "webhook deliverer"

    def __init__(self, database: ServiceDatabase, settings: WebhooksSettings) -> None:
        super().__init__(settings.delivery_tick_seconds)
        self.database = database
        self.settings = settings
        self.give_up_after = timedelta(hours=settings.give_up_after_hours)
        self.client: httpx.AsyncClient | None = None

    async def _open(self, resources: contextlib.AsyncExitStack) -> None:
        client = guarded_client(self.settings.egress, self.settings.delivery_timeout_seconds)
        self.client = await resources.enter_async_context(client)

    async def poll(self, now: datetime) -> None:
        assert self.client is not None
        sites = subscribed_sites.of(self.database)
        if sites is not None and sites.nobody_subscribed():
            return  # only a subscription taking events has deliveries to send: no transaction every tick
        await self.deliver_due(self.client, now)

    async def deliver_due(self, client: httpx.AsyncClient, now: datetime) -> int:
        """Deliver what is due now; returns how many were tried."""
        async with self.database.unit_of_work() as uow:
            due = await repository.claim_due(uow.connection, now, self.settings.deliveries_per_tick)
            answers = await asyncio.gather(*(_post(client, row) for row in due))
            for row, (status, error) in zip(due, answers, strict=True):
                await self._record(uow, row, status, error, now)
        return len(due)

    async def _record(
        self, uow: UnitOfWork, row: Row[Any], status: int | None, error: str | None, now: datetime
    ) -> None:
        connection = uow.connection
        attempts = row.attempts + 1
        if error == WITHHELD:  # never sent, never to be: not a failure of the receiver's
            await repository.set_delivery(
                connection, row.id, status="withheld", attempts=row.attempts, last_error=error, next_attempt_at=None
            )
            return
        if status is not None and 200 <= status < 300:
            await repository.set_delivery(
                connection, row.id, status="delivered", attempts=attempts, last_status=status, last_error=None,
                delivered_at=now, next_attempt_at=None,
            )  # fmt: skip
            return
        again = next_attempt(attempts, row.created_at, now, self.give_up_after)
        await repository.set_delivery(
            connection, row.id, status="pending" if again else "given_up", attempts=attempts, last_status=status,
            last_error=error, next_attempt_at=again,
        )  # fmt: skip
        if again is None:
            await self._pause(uow, row, f"gave up on delivery {row.id} after {attempts} attempts: {error}", now)

    async def _pause(self, uow: UnitOfWork, row: Row[Any], why: str, now: datetime) -> None:
        subscription = await repository.subscription(uow.connection, row.subscription_id)
        if subscription is None or subscription.paused_at is not None:
            return
        await repository.set_state(uow.connection, subscription.id, paused_at=now, paused_why=why)
        uow.publish(
            WebhookPaused(
                subscription_id=str(subscription.id), site_code=subscription.site_code, url=subscription.url,
                owner=subscription.owner, why=why, paused_at=now,
            ),
            correlation_id=str(subscription.id),
        )  # fmt: skip


async def _post(client: httpx.AsyncClient, row: Row[Any]) -> tuple[int | None, str | None]:
    shown = customer_body(row.body)
    if shown is None:  # an event that is the staff's alone by the rule of the day (kept from before it)
        return None, WITHHELD
    body = shown.encode()
    headers = {
        "Content-Type": "application/json",
        signing.HEADER: signing.sign(row.secret, int(time.time()), body),
        "Aftercare-Event": row.event_type,
        "Aftercare-Delivery": str(row.id),
    }
    try:
        answer = await client.post(row.url, content=body, headers=headers)
    except Exception as error:  # unreachable, refused or a bad address: this delivery fails, not the batch
        return None, refusal_in(error) or f"{type(error).__name__}: {error}"
    return answer.status_code, None if answer.is_success else f"answered {answer.status_code}"


def deliverer(database: ServiceDatabase, settings: ServiceSettings) -> Deliverer:
    return Deliverer(database, cast(WebhooksSettings, settings))
