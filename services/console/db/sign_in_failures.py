"""Wrong passwords counted by name and by address (domain/throttle.py), in the console's own schema."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from services.console.db.tables import sign_in_failures
from services.console.domain.throttle import Throttle, counted_before


async def waiting_until(connection: AsyncConnection, keys: list[str], now: datetime) -> datetime | None:
    """The latest moment any of the keys must wait until, if one waits now."""
    query = select(sign_in_failures.c.wait_until).where(
        sign_in_failures.c.key.in_(keys), sign_in_failures.c.wait_until > now
    )
    waits = [row.wait_until for row in await connection.execute(query)]
    return max(waits, default=None)


async def count_failure(connection: AsyncConnection, throttle: Throttle, value: str, now: datetime) -> None:
    """One more wrong password for the key; it waits as the throttle says. The row is locked while
    counting, so that guesses sent at once are each counted."""
    key = throttle.key(value)
    await connection.execute(
        insert(sign_in_failures)
        .values(key=key, failures=0, last_failure_at=now)
        .on_conflict_do_nothing(index_elements=[sign_in_failures.c.key])
    )
    row = (
        await connection.execute(select(sign_in_failures).where(sign_in_failures.c.key == key).with_for_update())
    ).one()
    failures = counted_before(row.failures, row.last_failure_at, now) + 1
    wait = throttle.wait_after(failures)
    await connection.execute(
        sign_in_failures.update()
        .where(sign_in_failures.c.key == key)
        .values(failures=failures, last_failure_at=now, wait_until=now + wait if wait else None)
    )


async def forget(connection: AsyncConnection, key: str) -> None:
    await connection.execute(delete(sign_in_failures).where(sign_in_failures.c.key == key))
