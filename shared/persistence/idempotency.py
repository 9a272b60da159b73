"""Requests that carry an Idempotency-Key: the first is handled and its answer kept; the same request
again gets that answer back and changes nothing; a key reused for another request is refused.

The key is claimed before the request is handled, so two copies racing in (a phone that retried while
the first was still on its way) cannot both run: the second is told the first is still in hand."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import Table, delete, func, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncEngine

ABANDONED_AFTER = timedelta(minutes=2)  # longer than any request is allowed to take


@dataclass(frozen=True)
class KeptAnswer:
    status: int
    media_type: str | None
    body: bytes


class KeyInProgress(Exception):
    """The first request with this key is still being handled."""


class KeyReused(Exception):
    """The key was used before for a different request."""

    def __init__(self, method: str, path: str) -> None:
        super().__init__(
            f"this Idempotency-Key was used for another request ({method} {path}); use a new key for a new request"
        )


class IdempotencyKeys:
    def __init__(self, engine: AsyncEngine, table: Table) -> None:
        self._engine = engine
        self._table = table

    async def claim(self, subject: str, key: str, method: str, path: str, fingerprint: str = "") -> KeptAnswer | None:
        """None if this request is the first with the key (it is now claimed); else the kept answer.
        A claim left unanswered for longer than a request can take (its process died) is taken over."""
        table = self._table
        mine = (table.c.subject == subject) & (table.c.key == key)
        async with self._engine.begin() as connection:
            claimed = await connection.execute(
                insert(table)
                .values(subject=subject, key=key, method=method, path=path, fingerprint=fingerprint)
                .on_conflict_do_nothing()
                .returning(table.c.key)
            )
            if claimed.first() is not None:
                return None
            # Whether the claim is still in hand, by the database's clock, the one that stamped it: a process
            # whose clock runs ahead of the database's took a request in hand for an abandoned one.
            in_hand = (table.c.created_at > func.now() - ABANDONED_AFTER).label("in_hand")
            row = (await connection.execute(select(table, in_hand).where(mine).with_for_update())).one()
            if (row.method, row.path, row.fingerprint or fingerprint) != (method, path, fingerprint):
                raise KeyReused(row.method, row.path)
            if row.status is None:
                if row.in_hand:
                    raise KeyInProgress
                await connection.execute(update(table).where(mine).values(created_at=func.now()))
                return None
        return KeptAnswer(row.status, row.media_type, bytes(row.body or b""))

    async def keep(self, subject: str, key: str, answer: KeptAnswer) -> None:
        table = self._table
        async with self._engine.begin() as connection:
            await connection.execute(
                update(table)
                .where(table.c.subject == subject, table.c.key == key)
                .values(status=answer.status, media_type=answer.media_type, body=answer.body)
            )

    async def release(self, subject: str, key: str) -> None:
        """Forget a claim whose request failed on our side (5xx), so that sending it again runs it."""
        table = self._table
        async with self._engine.begin() as connection:
            await connection.execute(delete(table).where(table.c.subject == subject, table.c.key == key))

    async def purge(self, older_than: timedelta) -> None:
        async with self._engine.begin() as connection:
            await connection.execute(delete(self._table).where(self._table.c.created_at < func.now() - older_than))
