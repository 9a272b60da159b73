"""Transactional outbox: events are rows first, messages second.

A handler's events are inserted in the transaction that changes its state (`Outbox.add`); the process's
`OutboxRelay` (relay.py) publishes them once committed and stamps them published. A crash before the
stamp means the row is sent again: delivery is at-least-once and consumers deduplicate on `message_id`.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ARRAY, Table, Uuid, any_, bindparam, delete, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

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
        self._mark_sent = PrecompiledStatement(
            update(table)
            .where(table.c.message_id == any_(bindparam("message_ids", type_=ARRAY(Uuid()))))
            .where(table.c.published_at.is_(None))
            .values(published_at=func.now())
        )

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

    async def claim(
        self, connection: AsyncConnection, limit: int, *, older_than: timedelta | None = None
    ) -> list[PendingMessage]:
        """Lock up to `limit` unpublished rows, oldest first, skipping rows another relay holds; with
        `older_than`, only rows written at least that long ago."""
        t = self.table
        query = select(t).where(t.c.published_at.is_(None))
        if older_than is not None:
            query = query.where(t.c.created_at < func.now() - older_than)
        rows = await connection.execute(query.order_by(t.c.id).limit(limit).with_for_update(skip_locked=True))
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

    async def mark_sent(self, connection: AsyncConnection, message_ids: Sequence[uuid.UUID]) -> None:
        """Stamp the rows of messages published from memory, by their ids (unique, indexed)."""
        if message_ids:
            await self._mark_sent.execute(connection, {"message_ids": list(message_ids)})

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
