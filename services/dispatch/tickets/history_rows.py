"""A ticket's history as it is read: every move in order (the service record), and whether an engineer
ever worked on it. Its rows are written with each move (repository.record)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection

from services.dispatch.tickets.domain.lifecycle import Action
from services.dispatch.tickets.tables import ticket_history


async def history(connection: AsyncConnection, ticket_id: str) -> list[dict[str, Any]]:
    rows = await connection.execute(
        select(
            ticket_history.c.action,
            ticket_history.c.status,
            ticket_history.c.at,
            ticket_history.c.actor,
            ticket_history.c.note,
            ticket_history.c.facts,
            ticket_history.c.recorded_at,
        )
        .where(ticket_history.c.ticket_id == ticket_id)
        .order_by(ticket_history.c.id)
    )
    return [dict(row._mapping) for row in rows]


async def last_facts(connection: AsyncConnection, ticket_id: str, action: Action) -> dict[str, Any] | None:
    """The facts recorded with the ticket's latest `action` (an arrival's check), if any."""
    facts = await connection.scalar(
        select(ticket_history.c.facts)
        .where(ticket_history.c.ticket_id == ticket_id, ticket_history.c.action == action.value)
        .order_by(ticket_history.c.id.desc())
        .limit(1)
    )
    return dict(facts) if facts else None


WORK = (Action.ACCEPT, Action.ARRIVE, Action.RESOLVE)


async def ever_worked_on(connection: AsyncConnection, ticket_id: str) -> bool:
    """Whether an engineer ever accepted, arrived at or resolved the ticket (whatever its status now)."""
    found = await connection.scalar(
        select(ticket_history.c.id)
        .where(ticket_history.c.ticket_id == ticket_id, ticket_history.c.action.in_([a.value for a in WORK]))
        .limit(1)
    )
    return found is not None
