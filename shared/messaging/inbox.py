"""Idempotent consumer: a message's effect is applied once per consumer, however often it arrives.

The consumed message id is inserted in the same transaction as the handler's effect. A second
delivery of the same id, even one racing on another replica, waits on the primary key until the
first transaction ends: if it committed, the insert finds the row and the message is a duplicate;
if it rolled back, the second delivery does the work.
"""

from __future__ import annotations

import uuid
from datetime import timedelta

from sqlalchemy import Table, bindparam, delete, func
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from shared.persistence.database import PrecompiledStatement


class Inbox:
    def __init__(self, table: Table) -> None:
        self.table = table
        self._claim = PrecompiledStatement(
            insert(table)
            .values({name: bindparam(name) for name in ("consumer", "message_id", "message_type")})
            .on_conflict_do_nothing()
            .returning(table.c.message_id)
        )

    async def record(
        self, connection: AsyncConnection, *, consumer: str, message_id: uuid.UUID, message_type: str
    ) -> bool:
        """Claim a message for this consumer; False if it was already applied."""
        result = await self._claim.execute(
            connection, {"consumer": consumer, "message_id": message_id, "message_type": message_type}
        )
        return result.first() is not None

    async def purge(self, connection: AsyncConnection, older_than: timedelta) -> int:
        """Forget ids older than the dedupe window; a redelivery after that is processed again."""
        t = self.table
        result = await connection.execute(delete(t).where(t.c.processed_at < func.now() - older_than))
        return int(result.rowcount or 0)
