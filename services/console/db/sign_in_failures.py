"""Wrong passwords counted by name and by address (domain/throttle.py), in the console's own schema."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from services.console.db.tables import sign_in_failures
from services.console.domain.throttle import FORGET_AFTER, Throttle, counted_before

# Forgotten counts deleted by each attempt: more than one attempt adds, so the table holds about the
# last hour's names and addresses, and no attempt takes long.
FORGOTTEN_DELETED_PER_ATTEMPT = 20


async def reserve(connection: AsyncConnection, keys: list[str], now: datetime) -> datetime | None:
    """Lock the attempt's counts for the rest of the transaction, so that guesses sent at once are taken
    one after the other, each seeing the wait the last one set; returns until when one must wait, if so."""
    forgotten = (
        select(sign_in_failures.c.key)
        .where(sign_in_failures.c.last_failure_at < now - FORGET_AFTER, sign_in_failures.c.key.not_in(keys))
        .order_by(sign_in_failures.c.last_failure_at)
        .limit(FORGOTTEN_DELETED_PER_ATTEMPT)
        .with_for_update(skip_locked=True)  # another attempt's keys are its own: never wait for them
    )
    await connection.execute(delete(sign_in_failures).where(sign_in_failures.c.key.in_(forgotten.scalar_subquery())))
    await connection.execute(
        insert(sign_in_failures)
        .values([{"key": key, "failures": 0, "last_failure_at": now} for key in sorted(keys)])
        .on_conflict_do_nothing(index_elements=[sign_in_failures.c.key])
    )
    locked = select(sign_in_failures.c.wait_until).where(sign_in_failures.c.key.in_(keys))
    rows = await connection.execute(locked.order_by(sign_in_failures.c.key).with_for_update())
    waits = [row.wait_until for row in rows if row.wait_until is not None and row.wait_until > now]
    return max(waits, default=None)


async def count_failure(connection: AsyncConnection, throttle: Throttle, value: str, now: datetime) -> None:
    """One more wrong password for the key (reserved already); it waits as the throttle says."""
    key = throttle.key(value)
    row = (await connection.execute(select(sign_in_failures).where(sign_in_failures.c.key == key))).one()
    failures = counted_before(row.failures, row.last_failure_at, now) + 1
    wait = throttle.wait_after(failures)
    await connection.execute(
        sign_in_failures.update()
        .where(sign_in_failures.c.key == key)
        .values(failures=failures, last_failure_at=now, wait_until=now + wait if wait else None)
    )


async def forget(connection: AsyncConnection, keys: list[str]) -> None:
    await connection.execute(delete(sign_in_failures).where(sign_in_failures.c.key.in_(keys)))
