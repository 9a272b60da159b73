"""The archive's timeline of events, in its own schema."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from services.archive.db.tables import timeline


async def record(connection: AsyncConnection, **fact: Any) -> None:
    await connection.execute(insert(timeline).values(**fact).on_conflict_do_nothing())


async def of_ticket(connection: AsyncConnection, ticket_id: str) -> list[dict[str, Any]]:
    rows = await connection.execute(
        select(
            timeline.c.occurred_at,
            timeline.c.type,
            timeline.c.producer,
            timeline.c.message_id,
            timeline.c.causation_id,
            timeline.c.payload,
        )
        .where(timeline.c.ticket_id == ticket_id)
        .order_by(timeline.c.occurred_at, timeline.c.recorded_at)
    )
    return [dict(row._mapping) for row in rows]


async def events_of_ticket(connection: AsyncConnection, ticket_id: str) -> list[tuple[str, int, dict[str, Any]]]:
    """The ticket's events as kept (type, schema version, payload), in the order they happened."""
    rows = await connection.execute(
        select(timeline.c.type, timeline.c.schema_version, timeline.c.payload)
        .where(timeline.c.ticket_id == ticket_id)
        .order_by(timeline.c.occurred_at, timeline.c.recorded_at)
    )
    return [(row.type, row.schema_version, row.payload) for row in rows]


async def latest_of_site(
    connection: AsyncConnection, site_code: str, message_type: str
) -> tuple[str, int, dict[str, Any]] | None:
    """The site's latest event of one type, as kept."""
    row = (
        await connection.execute(
            select(timeline.c.type, timeline.c.schema_version, timeline.c.payload)
            .where(timeline.c.site_code == site_code, timeline.c.type == message_type)
            .order_by(timeline.c.occurred_at.desc())
            .limit(1)
        )
    ).first()
    return (row.type, row.schema_version, row.payload) if row else None
