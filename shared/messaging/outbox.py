"""Transactional outbox: events are rows first, messages second.

A handler's events are inserted in the transaction that changes its state (`Outbox.add`). The
process that committed them wakes its own `OutboxRelay` at once (`ServiceDatabase` calls `wake`
after the commit); a slow poll picks up rows whose process died before sending them. The relay claims
unpublished rows with `FOR UPDATE SKIP LOCKED` so replicas never send the same row at the same time,
publishes the batch persistent with publisher confirms awaited together, and stamps only the
confirmed rows as published. A crash before the stamp means the row is sent again: delivery is
at-least-once and consumers deduplicate on `message_id`.

Why not LISTEN/NOTIFY: a transaction that notifies takes a database-wide lock at commit, which
serialises the commits of every replica of every service; the writer is always in the same process
as a relay, so a local signal wakes it without that cost.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Table, bindparam, delete, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from shared.contracts.envelope import Envelope
from shared.logs import get_logger
from shared.messaging.topology import EVENTS_EXCHANGE, MAX_MESSAGE_BYTES, QUEUES_EXCHANGE
from shared.persistence.database import PrecompiledStatement

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

    def __post_init__(self) -> None:
        # Refused here, the transaction that made it fails; in the outbox, the broker would refuse it forever.
        if len(self.body) > MAX_MESSAGE_BYTES // 4 and len(self.body.encode()) > MAX_MESSAGE_BYTES:
            size = len(self.body.encode())
            raise ValueError(f"{self.message_type} of {size} bytes: messages are limited to {MAX_MESSAGE_BYTES}")

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

    @classmethod
    def addressed(cls, envelope: Envelope[Any], exchange: str, routing_key: str) -> OutgoingMessage:
        """A message for one addressee: a queue by name on `aftercare.queues`, or a key of another exchange."""
        return cls(
            message_id=envelope.message_id,
            exchange=exchange,
            routing_key=routing_key,
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


_WRITTEN_COLUMNS = ("message_id", "exchange", "routing_key", "message_type", "correlation_id", "headers", "body")

Publish = Callable[[OutgoingMessage], Awaitable[object]]
"""Sends one message and returns once the broker confirmed it; raises if it did not."""


class Outbox:
    """Reads and writes one service's outbox table."""

    def __init__(self, table: Table) -> None:
        self.table = table
        self._insert = PrecompiledStatement(insert(table).values({c: bindparam(c) for c in _WRITTEN_COLUMNS}).inline())

    async def add(self, connection: AsyncConnection, messages: Sequence[OutgoingMessage]) -> None:
        """Write messages in the caller's transaction."""
        if not messages:
            return
        await self._insert.execute_many(
            connection,
            [
                {
                    "message_id": m.message_id,
                    "exchange": m.exchange,
                    "routing_key": m.routing_key,
                    "message_type": m.message_type,
                    "correlation_id": m.correlation_id,
                    "headers": json.dumps(m.headers),  # driver SQL: JSONB travels as text
                    "body": m.body,
                }
                for m in messages
            ],
        )

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
                    # Rows written before `aftercare.queues` address a queue on the default exchange,
                    # which the services' users may no longer write to; the queue has the same name there.
                    exchange=row.exchange or QUEUES_EXCHANGE,
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
        batch_size: int = 200,
        poll_seconds: float = 5.0,
        linger_seconds: float = 0.003,
        on_published: Callable[[Sequence[PendingMessage]], None] | None = None,
    ) -> None:
        self._engine = engine
        self._outbox = outbox
        self._publish = publish
        self._batch_size = batch_size
        self._poll_seconds = poll_seconds
        # Woken by a commit, the relay waits this long for the commits of the messages handled beside it,
        # so that under load one claim and one stamp serve many rows rather than a transaction each.
        self._linger_seconds = linger_seconds
        self._on_published = on_published
        self._wake = asyncio.Event()
        self._stopping = False
        self._idle = False
        self._task: asyncio.Task[None] | None = None

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
        with contextlib.suppress(Exception):
            await self.publish_pending()

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    @property
    def idle(self) -> bool:
        """Waiting for a commit to wake it (or for its poll), with nothing in hand."""
        return self._idle

    def wake(self) -> None:
        """Publish now: events were just committed."""
        self._wake.set()

    async def _run(self) -> None:
        backoff = 0.1
        while not self._stopping:
            self._wake.clear()
            try:
                await self.publish_pending()
                backoff = 0.1
            except Exception as error:  # broker or database unavailable: keep the rows, try later
                log.warning("outbox publish failed; will retry", error=str(error), retry_in=backoff)
                await self._sleep(backoff)
                backoff = min(backoff * 2, self._poll_seconds)
                continue
            self._idle = True
            await self._sleep(self._poll_seconds)
            self._idle = False
            if self._linger_seconds and not self._stopping:
                await asyncio.sleep(self._linger_seconds)

    async def _sleep(self, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wake.wait(), timeout=seconds)
