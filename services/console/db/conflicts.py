"""Phone actions refused once sent, in the console's own schema."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from services.console.db.tables import phone_conflicts


async def keep(
    connection: AsyncConnection,
    *,
    key: str,
    username: str,
    kind: str,
    target: str,
    action: str | None,
    happened_at: datetime,
    error: str,
    message: str,
) -> None:
    await connection.execute(
        insert(phone_conflicts)
        .values(
            key=key,
            username=username,
            kind=kind,
            target=target,
            action=action,
            happened_at=happened_at,
            error=error,
            message=message,
        )
        .on_conflict_do_nothing()
    )


async def recent(connection: AsyncConnection, *, username: str | None = None, limit: int = 20) -> list[dict[str, Any]]:
    query = select(phone_conflicts).order_by(phone_conflicts.c.recorded_at.desc()).limit(limit)
    if username is not None:
        query = query.where(phone_conflicts.c.username == username)
    return [dict(row._mapping) for row in await connection.execute(query)]
