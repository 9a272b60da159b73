"""Serialising work on one thing across replicas, for the length of a transaction."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncConnection


async def lock_for_transaction(connection: AsyncConnection, key: str) -> None:
    """Wait for, then hold until commit or rollback, the advisory lock named `key`
    (`"dispatch:HH138"`, `"sla:<ticket>"`): whoever else asks for the same key waits for this transaction.

    Keys are hashed to PostgreSQL's 32-bit lock space; a collision only makes two unrelated things wait
    for each other, never lets two holders of one key in.
    """
    await connection.execute(select(func.pg_advisory_xact_lock(func.hashtext(key))))
