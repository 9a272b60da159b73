"""The receipt poller: every notify process asks the text message provider how the texts it took went
(Aliyun's `QuerySendDetails`), for those whose receipt is due, each taken for a lease so that replicas
do not ask twice. A text is delivered (when, as the carrier says), not delivered (the carrier's code),
or still waiting, and then asked about again later, less and less often, until it is recorded as
unknown (NOTIFY_SMS_RECEIPT_GIVE_UP_AFTER_HOURS). When the provider gives no receipts (NOTIFY_SMS_PROVIDER
changed since the texts went), none will come: the texts waiting are recorded as unknown at once."""

from __future__ import annotations

import asyncio
import contextlib
from datetime import datetime, timedelta
from typing import Any, cast

import httpx
from sqlalchemy import Row

from services.notify.channels import NotSent
from services.notify.db import receipts
from services.notify.domain.aliyun_sms import Receipt
from services.notify.domain.notices import Channel
from services.notify.settings import NotifySettings
from services.notify.sms import ReceiptSource, sms_provider
from shared.background import PollingLoop
from shared.backoff import next_attempt
from shared.logs import get_logger
from shared.persistence.service_database import ServiceDatabase
from shared.settings import ServiceSettings

log = get_logger(__name__)


class ReceiptPoller(PollingLoop):
    task_name = "receipt poller"

    def __init__(self, database: ServiceDatabase, settings: NotifySettings) -> None:
        super().__init__(settings.notice_tick_seconds)
        self.database = database
        self.settings = settings
        self.give_up_after = timedelta(hours=settings.sms_receipt_give_up_after_hours)
        self.lease = timedelta(seconds=2 * settings.notice_timeout_seconds + 30)
        self.source: ReceiptSource | None = None

    async def _open(self, resources: contextlib.AsyncExitStack) -> None:
        client = await resources.enter_async_context(httpx.AsyncClient(timeout=self.settings.notice_timeout_seconds))
        provider = sms_provider(self.settings, client)
        self.source = provider if isinstance(provider, ReceiptSource) else None

    async def poll(self, now: datetime) -> None:
        await self.ask_due(now)

    async def ask_due(self, now: datetime) -> int:
        """Ask for the receipts due now; returns how many were asked for (or given up, with no one to ask)."""
        if self.source is None:
            why = f"no receipts come from the text message provider {self.settings.sms_provider!r}"
            async with self.database.engine.begin() as connection:
                return await receipts.give_up_waiting(connection, why)
        async with self.database.engine.begin() as connection:
            due = await receipts.claim_receipts_due(connection, now, self.settings.notices_per_tick, self.lease)
        if not due:
            return 0
        answers = await asyncio.gather(*(self._ask(self.source, row) for row in due))
        async with self.database.engine.begin() as connection:
            for row, receipt in zip(due, answers, strict=True):
                await receipts.record_receipt(connection, row.id, **self._recorded(row, receipt, now))
        return len(due)

    async def _ask(self, source: ReceiptSource, row: Row[Any]) -> Receipt:
        if row.channel != Channel.SMS or not row.provider_message_id or row.sent_at is None:
            return Receipt("waiting")  # nothing to ask by: it runs out as unknown
        try:
            return await source.receipt(row.address or row.phone or "", row.provider_message_id, row.sent_at)
        except NotSent as failure:  # the provider away or refusing the question: asked again later
            log.warning("a delivery receipt could not be read", notification=row.id, why=failure.reason)
        except Exception as error:
            log.warning("a delivery receipt could not be read", notification=row.id, why=f"{type(error).__name__}")
        return Receipt("waiting")

    def _recorded(self, row: Row[Any], receipt: Receipt, now: datetime) -> dict[str, Any]:
        if receipt.state != "waiting":
            return {"delivery": receipt.state, "receipt_at": receipt.at or now, "delivery_error": receipt.error,
                    "receipt_polls": row.receipt_polls + 1}  # fmt: skip
        polls = row.receipt_polls + 1
        again = next_attempt(polls, row.sent_at or now, now, self.give_up_after)
        if again is None:
            hours = self.settings.sms_receipt_give_up_after_hours
            return {"delivery": "unknown", "delivery_error": f"no receipt within {hours:g} h", "receipt_polls": polls}
        return {"receipt_after": again, "receipt_polls": polls}


def receipt_poller(database: ServiceDatabase, settings: ServiceSettings) -> ReceiptPoller:
    return ReceiptPoller(database, cast(NotifySettings, settings))
