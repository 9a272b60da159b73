"""The ticket lists each person keeps under a name, in the console's own schema."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from services.console.db.tables import saved_views

MOST_PER_PERSON = 50


class TooManyViews(Exception):
    """A person keeps at most MOST_PER_PERSON lists."""


async def of(connection: AsyncConnection, username: str) -> list[dict[str, Any]]:
    query = select(saved_views.c.name, saved_views.c.query).where(saved_views.c.username == username)
    return [dict(row._mapping) for row in await connection.execute(query.order_by(saved_views.c.name))]


async def keep(connection: AsyncConnection, username: str, name: str, query: str) -> None:
    """Keep the list under its name; the same name again replaces what it kept."""
    mine = saved_views.c.username == username
    count = (await connection.execute(select(func.count()).where(mine, saved_views.c.name != name))).scalar_one()
    if count >= MOST_PER_PERSON:
        raise TooManyViews(username)
    kept = insert(saved_views).values(username=username, name=name, query=query)
    await connection.execute(
        kept.on_conflict_do_update(index_elements=[saved_views.c.username, saved_views.c.name], set_={
            "query": kept.excluded.query, "saved_at": func.now(),
        })
    )  # fmt: skip


async def forget(connection: AsyncConnection, username: str, name: str) -> None:
    await connection.execute(delete(saved_views).where(saved_views.c.username == username, saved_views.c.name == name))
