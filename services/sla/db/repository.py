"""SLA's reads and writes, in its own schema only."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from services.sla.db.tables import clocks
from services.sla.domain.targets import Deadline


async def start_clock(
    connection: AsyncConnection, *, ticket_id: str, kind: str, site_code: str, deadline: Deadline, calendar: str
) -> bool:
    """Start a clock; False if this ticket's clock of that kind already runs."""
    result = await connection.execute(
        insert(clocks)
        .values(
            ticket_id=ticket_id,
            kind=kind,
            site_code=site_code,
            started_at=deadline.started_at,
            due_at=deadline.due_at,
            target_minutes=deadline.target_minutes,
            day_type=deadline.day_type.value,
            calendar=calendar,
            status="running",
        )
        .on_conflict_do_nothing()
        .returning(clocks.c.ticket_id)
    )
    return result.first() is not None


async def clocks_of(connection: AsyncConnection, ticket_id: str) -> list[dict[str, Any]]:
    rows = await connection.execute(select(clocks).where(clocks.c.ticket_id == ticket_id).order_by(clocks.c.kind))
    return [dict(row._mapping) for row in rows]
