"""Wrong passwords counted by name and by address (domain/throttle.py), in the console's own schema."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from services.console.db.tables import sign_in_failures
from services.console.domain.throttle import FORGET_AFTER, Throttle, counted_before

# Forgotten counts deleted after each attempt: more than one attempt adds, so the table holds about the
# last hour's names and addresses, and no attempt takes long.
FORGOTTEN_DELETED_PER_ATTEMPT = 20


async def reserve(connection: AsyncConnection, keys: list[str], now: datetime) -> datetime | None:
    """Lock the attempt's counts for the rest of the transaction, so that guesses sent at once are taken
    one after the other, each seeing the wait the last one set; returns until when one must wait, if so."""
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
    """One more wrong password for the key (reserved already, unless another process deleted it as
    forgotten meanwhile); it waits as the throttle says."""
    key = throttle.key(value)
    row = (
        await connection.execute(select(sign_in_failures).where(sign_in_failures.c.key == key).with_for_update())
    ).one_or_none()
    failures = (counted_before(row.failures, row.last_failure_at, now) if row is not None else 0) + 1
    wait = throttle.wait_after(failures)
    counted = {"failures": failures, "last_failure_at": now, "wait_until": now + wait if wait else None}
    await connection.execute(
        insert(sign_in_failures)
        .values(key=key, **counted)
        .on_conflict_do_update(index_elements=[sign_in_failures.c.key], set_=counted)
    )


async def delete_forgotten(connection: AsyncConnection) -> None:
    """Delete a few counts an hour past their last wrong password, oldest first. Run in a transaction of
    its own that holds no other lock, after an attempt's: rows an attempt has locked are skipped, and an
    attempt waiting for a row deleted here finds none (a forgotten count is no count)."""
    forgotten = (
        select(sign_in_failures.c.key)
        .where(sign_in_failures.c.last_failure_at < func.clock_timestamp() - FORGET_AFTER)
        .order_by(sign_in_failures.c.last_failure_at)
        .limit(FORGOTTEN_DELETED_PER_ATTEMPT)
        .with_for_update(skip_locked=True)
    )
    await connection.execute(delete(sign_in_failures).where(sign_in_failures.c.key.in_(forgotten.scalar_subquery())))


async def forget(connection: AsyncConnection, keys: list[str]) -> None:
    await connection.execute(delete(sign_in_failures).where(sign_in_failures.c.key.in_(keys)))
