"""Idempotent consumer: a message's effect is applied once per consumer, however often it arrives.

The consumed message id is inserted in the same transaction as the handler's effect. A second
delivery of the same id, even one racing on another replica, waits on the primary key until the
first transaction ends: if it committed, the insert finds the row and the message is a duplicate;
if it rolled back, the second delivery does the work. A window of deliveries handled in one
transaction (shared/messaging/window.py) claims its ids in one statement, in the order of the ids, so
that two windows racing for the same copies wait on each other instead of deadlocking.
"""

from __future__ import annotations

import uuid
from datetime import timedelta

from sqlalchemy import Table, bindparam, delete, func
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from shared.persistence.database import PrecompiledStatement, quoted_table


class Inbox:
    def __init__(self, table: Table) -> None:
        self.table = table
        self._claim = PrecompiledStatement(
            insert(table)
            .values({name: bindparam(name) for name in ("consumer", "message_id", "message_type")})
            .on_conflict_do_nothing()
            .returning(table.c.message_id)
        )
        name = quoted_table(table)
        self._claim_many_sql = (
            f"INSERT INTO {name} (consumer, message_id, message_type) "
            "SELECT $1, claimed.message_id, claimed.message_type "
            "FROM unnest($2::uuid[], $3::text[]) AS claimed(message_id, message_type) ORDER BY claimed.message_id "
            "ON CONFLICT DO NOTHING RETURNING message_id"
        )

    async def record(
        self, connection: AsyncConnection, *, consumer: str, message_id: uuid.UUID, message_type: str
    ) -> bool:
        """Claim a message for this consumer; False if it was already applied."""
        result = await self._claim.execute(
            connection, {"consumer": consumer, "message_id": message_id, "message_type": message_type}
        )
        return result.first() is not None

    async def record_many(
        self, connection: AsyncConnection, *, consumer: str, messages: list[tuple[uuid.UUID, str]]
    ) -> set[uuid.UUID]:
        """Claim several messages (id, type) for this consumer at once; the ids not applied before."""
        ordered = sorted(set(messages))
        result = await connection.exec_driver_sql(
            self._claim_many_sql, (consumer, [m[0] for m in ordered], [m[1] for m in ordered])
        )
        return {row[0] for row in result}

    async def purge(self, connection: AsyncConnection, older_than: timedelta) -> int:
        """Forget ids older than the dedupe window; a redelivery after that is processed again."""
        t = self.table
        result = await connection.execute(delete(t).where(t.c.processed_at < func.now() - older_than))
        return int(result.rowcount or 0)
