"""Browser sessions, in the console's own schema."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncConnection

from services.console.db.tables import sessions


async def add(
    connection: AsyncConnection, key_hash: str, username: str, csrf_token: str, expires_at: datetime, now: datetime
) -> None:
    """Open a session, and forget every expired one on the way."""
    await connection.execute(delete(sessions).where(sessions.c.expires_at <= now))
    await connection.execute(
        sessions.insert().values(key_hash=key_hash, username=username, csrf_token=csrf_token, expires_at=expires_at)
    )


async def live(connection: AsyncConnection, key_hash: str, now: datetime) -> tuple[str, str] | None:
    """The username and CSRF token of an unexpired session."""
    row = (
        await connection.execute(
            select(sessions.c.username, sessions.c.csrf_token).where(
                sessions.c.key_hash == key_hash, sessions.c.expires_at > now
            )
        )
    ).first()
    return (row.username, row.csrf_token) if row else None


async def end(connection: AsyncConnection, key_hash: str, now: datetime) -> None:
    """End one session, and forget every expired one on the way."""
    await connection.execute(delete(sessions).where((sessions.c.key_hash == key_hash) | (sessions.c.expires_at <= now)))
