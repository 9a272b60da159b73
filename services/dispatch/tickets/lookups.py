"""What the tickets' tables offer the other areas' queries, so that no other area reads them: each
engineer's open tickets, a ticket's summary, facts and reporter, an engineer's open tickets on a day, and the
tickets an inspection visit's failed items opened."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import Date, Row, Select, Subquery, cast, func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from services.dispatch.tickets.domain.lifecycle import OPEN
from services.dispatch.tickets.tables import assignments, tickets
from shared.contracts import Reporter


def open_load(engineer_ids: Select[Any]) -> Subquery:
    """The open tickets (all sites) of the engineers `engineer_ids` selects, counted: `engineer_id`,
    `open_tickets`; an engineer without any is not in it."""
    return (
        select(assignments.c.engineer_id, func.count().label("open_tickets"))
        .join(tickets, tickets.c.ticket_id == assignments.c.ticket_id)
        .where(tickets.c.status.in_(sorted(OPEN)), assignments.c.engineer_id.in_(engineer_ids))
        .group_by(assignments.c.engineer_id)
        .subquery()
    )


def summaries() -> Subquery:
    """Each ticket's `ticket_id`, `kind`, `reporter` and status (as `ticket_status`)."""
    return select(
        tickets.c.ticket_id, tickets.c.kind, tickets.c.reporter, tickets.c.status.label("ticket_status")
    ).subquery()


async def ticket_facts(connection: AsyncConnection, ticket_id: str) -> dict[str, Any] | None:
    """The ticket's site, subsystem, priority and engineer (None: no such ticket yet)."""
    row = (
        await connection.execute(
            select(
                tickets.c.ticket_id,
                tickets.c.site_code,
                tickets.c.subsystem,
                tickets.c.priority,
                assignments.c.engineer_id,
            )
            .outerjoin(assignments, assignments.c.ticket_id == tickets.c.ticket_id)
            .where(tickets.c.ticket_id == ticket_id)
        )
    ).first()
    return dict(row._mapping) if row else None


async def open_tickets_of_day(
    connection: AsyncConnection, engineer_id: str, day: date, timezone: str
) -> list[Row[Any]]:
    """The engineer's open tickets with an appointment on the day (site time) or none."""
    ticket_day = cast(func.timezone(timezone, tickets.c.appointment_starts), Date)
    return list(
        await connection.execute(
            select(tickets, assignments.c.engineer_id)
            .join(assignments, assignments.c.ticket_id == tickets.c.ticket_id)
            .where(
                assignments.c.engineer_id == engineer_id,
                tickets.c.status.in_(sorted(OPEN)),
                (ticket_day == day) | tickets.c.appointment_starts.is_(None),
            )
        )
    )


async def tickets_found_at(connection: AsyncConnection, visit_id: str) -> dict[str, str]:
    """The tickets an inspection visit's failed items opened: item code -> ticket id."""
    rows = await connection.execute(
        select(tickets.c.found_at["item_code"].astext.label("item_code"), tickets.c.ticket_id).where(
            tickets.c.found_at["visit_id"].astext == visit_id
        )
    )
    return {row.item_code: row.ticket_id for row in rows}


async def reporter_of(connection: AsyncConnection, ticket_id: str) -> Reporter | None:
    raw = await connection.scalar(select(tickets.c.reporter).where(tickets.c.ticket_id == ticket_id))
    return Reporter.model_validate(raw) if raw else None
