"""Dispatch's reads and writes, in its own schema only."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from services.dispatch.db.tables import assignments, engineers, ownerships, site_engineers, ticket_history, tickets
from services.dispatch.domain.lifecycle import OPEN, Action, Move, Status, TicketState
from services.dispatch.domain.routing import Engineer
from shared.contracts import TicketOpened
from shared.persistence.locks import lock_for_transaction


async def add_ticket(connection: AsyncConnection, opened: TicketOpened) -> bool:
    """Record a newly opened ticket; False if dispatch already knows it."""
    result = await connection.execute(
        insert(tickets)
        .values(
            ticket_id=opened.ticket_id,
            site_code=opened.site_code,
            subsystem=opened.subsystem,
            kind=opened.kind.value,
            priority=opened.priority.value,
            status=Status.NEW,
            queue="dispatch",
            reported_at=opened.reported_at,
        )
        .on_conflict_do_nothing()
        .returning(tickets.c.ticket_id)
    )
    return result.first() is not None


async def owner_of(connection: AsyncConnection, site_code: str, subsystem: str) -> str | None:
    owner: str | None = await connection.scalar(
        select(ownerships.c.engineer_id).where(ownerships.c.site_code == site_code, ownerships.c.subsystem == subsystem)
    )
    return owner


async def serialise_site(connection: AsyncConnection, site_code: str) -> None:
    """Take the site's dispatch lock for this transaction, so replicas deciding on the same site's
    tickets see each other's assignments and respect every engineer's limit."""
    await lock_for_transaction(connection, f"dispatch:{site_code}")


async def roster(connection: AsyncConnection, site_code: str) -> list[Engineer]:
    """The engineers who serve the site, with the number of open tickets each carries (all sites)."""
    open_counts = (
        select(assignments.c.engineer_id, func.count().label("open_tickets"))
        .join(tickets, tickets.c.ticket_id == assignments.c.ticket_id)
        .where(tickets.c.status.in_(sorted(OPEN)))
        .group_by(assignments.c.engineer_id)
        .subquery()
    )
    rows = await connection.execute(
        select(engineers, func.coalesce(open_counts.c.open_tickets, 0).label("open_tickets"))
        .join(site_engineers, site_engineers.c.engineer_id == engineers.c.engineer_id)
        .outerjoin(open_counts, open_counts.c.engineer_id == engineers.c.engineer_id)
        .where(site_engineers.c.site_code == site_code)
        .order_by(engineers.c.engineer_id)
    )
    return [
        Engineer(
            engineer_id=row.engineer_id,
            name=row.name,
            skills=frozenset(row.skills),
            on_duty=row.on_duty,
            max_open_tickets=row.max_open_tickets,
            open_tickets=row.open_tickets,
        )
        for row in rows
    ]


async def assign(connection: AsyncConnection, ticket_id: str, engineer_id: str, rule: str, at: datetime) -> None:
    await connection.execute(
        assignments.insert().values(ticket_id=ticket_id, engineer_id=engineer_id, rule=rule, assigned_at=at)
    )
    await set_status(connection, ticket_id, status=Status.ASSIGNED, queue="engineer")


async def set_status(connection: AsyncConnection, ticket_id: str, *, status: Status, queue: str) -> None:
    await connection.execute(update(tickets).where(tickets.c.ticket_id == ticket_id).values(status=status, queue=queue))


async def ticket_with_assignment(connection: AsyncConnection, ticket_id: str) -> dict[str, Any] | None:
    row = (
        await connection.execute(
            select(
                tickets,
                assignments.c.engineer_id,
                engineers.c.name.label("engineer_name"),
                assignments.c.rule,
                assignments.c.assigned_at,
            )
            .outerjoin(assignments, assignments.c.ticket_id == tickets.c.ticket_id)
            .outerjoin(engineers, engineers.c.engineer_id == assignments.c.engineer_id)
            .where(tickets.c.ticket_id == ticket_id)
        )
    ).first()
    return dict(row._mapping) if row else None


async def ticket_for_update(connection: AsyncConnection, ticket_id: str) -> TicketState | None:
    """The ticket as its moves see it, locked until the transaction ends."""
    row = (
        await connection.execute(
            select(tickets, assignments.c.engineer_id)
            .outerjoin(assignments, assignments.c.ticket_id == tickets.c.ticket_id)
            .where(tickets.c.ticket_id == ticket_id)
            .with_for_update(of=tickets)
        )
    ).first()
    if row is None:
        return None
    return TicketState(
        ticket_id=row.ticket_id,
        site_code=row.site_code,
        subsystem=row.subsystem,
        status=Status(row.status),
        paused_from=Status(row.paused_from) if row.paused_from else None,
        engineer_id=row.engineer_id,
        reported_at=row.reported_at,
    )


async def move_ticket(
    connection: AsyncConnection,
    ticket_id: str,
    *,
    action: Action,
    moved: Move,
    at: datetime,
    actor: str,
    note: str | None,
) -> None:
    """Put the ticket where the move took it and write the move into its history."""
    await connection.execute(
        update(tickets)
        .where(tickets.c.ticket_id == ticket_id)
        .values(status=moved.status, paused_from=moved.paused_from)
    )
    await record(connection, ticket_id, action=action, status=moved.status, at=at, actor=actor, note=note)


async def record(
    connection: AsyncConnection,
    ticket_id: str,
    *,
    action: str,
    status: Status,
    at: datetime,
    actor: str,
    note: str | None,
) -> None:
    """Write one row of the ticket's history."""
    await connection.execute(
        ticket_history.insert().values(ticket_id=ticket_id, action=action, status=status, at=at, actor=actor, note=note)
    )


async def reclassify(
    connection: AsyncConnection,
    ticket: TicketState,
    *,
    kind: str,
    priority: str,
    reason: str,
    actor: str,
    at: datetime,
) -> None:
    await connection.execute(
        update(tickets).where(tickets.c.ticket_id == ticket.ticket_id).values(kind=kind, priority=priority)
    )
    note = f"now a {kind} of {priority} priority: {reason}"
    await record(connection, ticket.ticket_id, action="reclassify", status=ticket.status, at=at, actor=actor, note=note)


async def unassign(connection: AsyncConnection, ticket_id: str) -> None:
    await connection.execute(assignments.delete().where(assignments.c.ticket_id == ticket_id))


async def history(connection: AsyncConnection, ticket_id: str) -> list[dict[str, Any]]:
    rows = await connection.execute(
        select(
            ticket_history.c.action,
            ticket_history.c.status,
            ticket_history.c.at,
            ticket_history.c.actor,
            ticket_history.c.note,
            ticket_history.c.recorded_at,
        )
        .where(ticket_history.c.ticket_id == ticket_id)
        .order_by(ticket_history.c.id)
    )
    return [dict(row._mapping) for row in rows]
