"""Transactional outbox: events are rows first, messages second.

A handler's events are inserted in the transaction that changes its state (`Outbox.add`), with a
NOTIFY that PostgreSQL delivers only if that transaction commits. The `OutboxRelay` wakes on the
notification (or a slow poll, should it be missed), claims unpublished rows with
`FOR UPDATE SKIP LOCKED` so replicas never send the same row at the same time, publishes the batch
persistent with publisher confirms awaited together, and stamps only the confirmed rows as published.
A crash before the stamp means the row is sent again: delivery is at-least-once and consumers
deduplicate on `message_id`.
"""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import asyncpg
from sqlalchemy import Table, delete, func, insert, select, text, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession

from shared.contracts.envelope import Envelope
from shared.logs import get_logger
from shared.messaging.topology import EVENTS_EXCHANGE

log = get_logger(__name__)


@dataclass(frozen=True)
class OutgoingMessage:
    """A message as the broker will see it: where it goes, what it says."""

    message_id: uuid.UUID
    exchange: str
    routing_key: str
    message_type: str
    correlation_id: str
    body: str
    headers: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def event(cls, envelope: Envelope[Any]) -> OutgoingMessage:
        return cls(
            message_id=envelope.message_id,
            exchange=EVENTS_EXCHANGE,
            routing_key=envelope.type,
            message_type=envelope.type,
            correlation_id=envelope.correlation_id,
            body=envelope.model_dump_json(),
            headers={"x-schema-version": envelope.schema_version, "x-producer": envelope.producer},
        )


@dataclass(frozen=True)
class PendingMessage:
    id: int
    message: OutgoingMessage
    created_at: datetime


Publish = Callable[[OutgoingMessage], Awaitable[object]]
"""Sends one message and returns once the broker confirmed it; raises if it did not."""


class Outbox:
    """Reads and writes one service's outbox table."""

    def __init__(self, table: Table) -> None:
        self.table = table
        self.notify_channel = f"{table.schema}_outbox"

    async def add(self, session: AsyncSession, messages: Sequence[OutgoingMessage]) -> None:
        if not messages:
            return
        await session.execute(
            insert(self.table),
            [
                {
                    "message_id": m.message_id,
                    "exchange": m.exchange,
                    "routing_key": m.routing_key,
                    "message_type": m.message_type,
                    "correlation_id": m.correlation_id,
                    "headers": m.headers,
                    "body": m.body,
                }
                for m in messages
            ],
        )
        await session.execute(text("SELECT pg_notify(:channel, '')"), {"channel": self.notify_channel})

    async def claim(self, connection: AsyncConnection, limit: int) -> list[PendingMessage]:
        """Lock up to `limit` unpublished rows, oldest first, skipping rows another relay holds."""
        t = self.table
        rows = await connection.execute(
            select(t).where(t.c.published_at.is_(None)).order_by(t.c.id).limit(limit).with_for_update(skip_locked=True)
        )
        return [
            PendingMessage(
                id=row.id,
                created_at=row.created_at,
                message=OutgoingMessage(
                    message_id=row.message_id,
                    exchange=row.exchange,
                    routing_key=row.routing_key,
                    message_type=row.message_type,
                    correlation_id=row.correlation_id,
                    body=row.body,
                    headers=row.headers,
                ),
            )
            for row in rows
        ]

    async def mark_published(self, connection: AsyncConnection, ids: Sequence[int]) -> None:
        if ids:
            await connection.execute(update(self.table).where(self.table.c.id.in_(ids)).values(published_at=func.now()))

    async def count_unpublished(self, connection: AsyncConnection) -> int:
        t = self.table
        result = await connection.execute(select(func.count()).select_from(t).where(t.c.published_at.is_(None)))
        return int(result.scalar_one())

    async def purge_published(self, connection: AsyncConnection, older_than: timedelta) -> int:
        t = self.table
        result = await connection.execute(
            delete(t).where(
                t.c.published_at.is_not(None),
                t.c.published_at < func.now() - older_than,
            )
        )
        return int(result.rowcount or 0)


class OutboxRelay:
    """Publishes a service's committed outbox rows; run one per process, any number per service."""

    def __init__(
        self,
        engine: AsyncEngine,
        outbox: Outbox,
        publish: Publish,
        *,
        listen_dsn: str | None,
        batch_size: int = 200,
        poll_seconds: float = 5.0,
        on_published: Callable[[Sequence[PendingMessage]], None] | None = None,
    ) -> None:
        self._engine = engine
        self._outbox = outbox
        self._publish = publish
        self._listen_dsn = listen_dsn
        self._batch_size = batch_size
        self._poll_seconds = poll_seconds
        self._on_published = on_published
        self._wake = asyncio.Event()
        self._stopping = False
        self._task: asyncio.Task[None] | None = None
        self._listener: asyncpg.Connection | None = None

    async def publish_pending(self) -> int:
        """Publish every committed unpublished row; returns how many were confirmed.

        Raises the first publish error after stamping what was confirmed before it.
        """
        total = 0
        while True:
            failure: BaseException | None = None
            async with self._engine.begin() as connection:
                batch = await self._outbox.claim(connection, self._batch_size)
                if not batch:
                    return total
                results = await asyncio.gather(
                    *(self._publish(pending.message) for pending in batch), return_exceptions=True
                )
                confirmed = [p for p, r in zip(batch, results, strict=True) if not isinstance(r, BaseException)]
                failure = next((r for r in results if isinstance(r, BaseException)), None)
                await self._outbox.mark_published(connection, [p.id for p in confirmed])
            total += len(confirmed)
            if self._on_published is not None:
                self._on_published(confirmed)
            if failure is not None:
                raise failure
            if len(batch) < self._batch_size:
                return total

    def start(self) -> None:
        self._stopping = False
        self._task = asyncio.create_task(self._run(), name=f"outbox-relay:{self._outbox.table.schema}")

    async def stop(self) -> None:
        """Finish the batch in hand, publish what is left once more, then stop."""
        self._stopping = True
        self._wake.set()
        if self._task is not None:
            await self._task
            self._task = None
        await self._close_listener()
        with contextlib.suppress(Exception):
            await self.publish_pending()

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    def wake(self) -> None:
        self._wake.set()

    async def _run(self) -> None:
        backoff = 0.1
        while not self._stopping:
            await self._ensure_listener()
            self._wake.clear()
            try:
                await self.publish_pending()
                backoff = 0.1
            except Exception as error:  # broker or database unavailable: keep the rows, try later
                log.warning("outbox publish failed; will retry", error=str(error), retry_in=backoff)
                await self._sleep(backoff)
                backoff = min(backoff * 2, self._poll_seconds)
                continue
            await self._sleep(self._poll_seconds)

    async def _sleep(self, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wake.wait(), timeout=seconds)

    async def _ensure_listener(self) -> None:
        if self._listen_dsn is None or (self._listener is not None and not self._listener.is_closed()):
            return
        try:
            self._listener = await asyncpg.connect(self._listen_dsn)
            await self._listener.add_listener(self._outbox.notify_channel, self._on_notify)
        except (OSError, asyncpg.PostgresError) as error:
            self._listener = None
            log.warning("outbox LISTEN unavailable; polling", error=str(error))

    def _on_notify(self, *_: object) -> None:
        self._wake.set()

    async def _close_listener(self) -> None:
        if self._listener is not None:
            with contextlib.suppress(Exception):
                await self._listener.close()
            self._listener = None
