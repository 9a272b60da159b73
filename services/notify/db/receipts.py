"""The receipt poller's reads and writes: the texts whose delivery receipt is due to be asked for,
taken for a lease so that replicas do not ask twice, and what the receipt said."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Row, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from services.notify.db.tables import contacts, notifications


async def claim_receipts_due(
    connection: AsyncConnection, now: datetime, limit: int, lease: timedelta
) -> list[Row[Any]]:
    """Take the notifications whose receipt is due for `lease` (SKIP LOCKED while marking): each is asked
    about by one process, and one whose poller died is asked about again once its lease runs out. Each
    comes with the address it was sent to (the number the provider knows it by)."""
    due = (
        select(notifications.c.id)
        .where(notifications.c.delivery == "waiting", notifications.c.receipt_after <= now)
        .order_by(notifications.c.receipt_after)
        .limit(limit)
        .with_for_update(skip_locked=True)
        .scalar_subquery()
    )
    claimed = (
        update(notifications)
        .where(notifications.c.id.in_(due))
        .values(receipt_after=now + lease)
        .returning(notifications.c.id)
    )
    ids = list((await connection.execute(claimed)).scalars())
    if not ids:
        return []
    return list(
        await connection.execute(
            select(
                notifications.c.id, notifications.c.channel, notifications.c.address, notifications.c.sent_at,
                notifications.c.provider_message_id, notifications.c.receipt_polls, contacts.c.phone,
            )
            .outerjoin(contacts, contacts.c.username == notifications.c.username)
            .where(notifications.c.id.in_(ids))
        )
    )  # fmt: skip


async def record_receipt(connection: AsyncConnection, notification_id: int, **values: Any) -> None:
    """What the receipt said; only while still waiting for it (a late poller does not undo an answer)."""
    await connection.execute(
        update(notifications)
        .where(notifications.c.id == notification_id, notifications.c.delivery == "waiting")
        .values(**values)
    )


async def give_up_waiting(connection: AsyncConnection, why: str) -> int:
    """Every text still waiting for its receipt, due or not, recorded as unknown and why (none will come)."""
    result = await connection.execute(
        update(notifications)
        .where(notifications.c.delivery == "waiting")
        .values(delivery="unknown", delivery_error=why)
    )
    return result.rowcount
