"""Linking tickets that belong together (domain/links.py says which links make sense). Both sides go
into the tickets' histories and leave as `ticket.linked`, once from each ticket. A repeat report merged
into the open ticket ends there: closed at dispatch, its engineer freed, its clocks cancelled by the SLA
service when it hears the merge."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter
from pydantic import BaseModel, Field, StringConstraints
from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from services.dispatch.tickets import history_rows, repository
from services.dispatch.tickets.domain.lifecycle import Status
from services.dispatch.tickets.domain.links import OTHER_SIDE, Link, check_link
from services.dispatch.tickets.tables import ticket_links
from shared.contracts import LinkRelation, TicketLinked
from shared.contracts.bounds import MAX_TEXT
from shared.http import Actor, Database, Problem
from shared.messaging.unit_of_work import UnitOfWork
from shared.refusals import Refused

router = APIRouter(tags=["dispatch: tickets"])

# Refused for the tickets' state (409: it may apply once they move); the rest asks for another link (422).
STATUSES = {
    "unknown_ticket": 404,
    **dict.fromkeys(("already_about", "already_merged", "report_worked_on", "target_done", "has_joined_reports"), 409),
}


class LinkAsked(BaseModel):
    ticket_id: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)] = Field(
        description="The other ticket: the job a complaint is about, or the open ticket a repeat report joins."
    )
    relation: LinkRelation = Field(description="about (this complaint is about it) or merged_into.")
    reason: Annotated[str, StringConstraints(strip_whitespace=True, max_length=MAX_TEXT)] | None = None


@router.post("/tickets/{ticket_id}/links", status_code=201)
async def link_tickets(ticket_id: str, asked: LinkAsked, database: Database, actor: Actor) -> dict[str, Any]:
    """Link this ticket with another: a complaint to its job, or a repeat report into the open ticket
    of the same problem (which ends this one). Linking again as before changes nothing."""
    try:
        async with database.unit_of_work() as uow:
            made = await link(uow, ticket_id, asked.ticket_id, asked.relation, actor=actor, reason=asked.reason or None)
    except Refused as refused:
        raise Problem.of(refused, STATUSES) from refused
    return {"ticket_id": ticket_id, "linked_ticket_id": asked.ticket_id, "relation": asked.relation, "new": made}


async def link(
    uow: UnitOfWork,
    ticket_id: str,
    other_id: str,
    relation: LinkRelation,
    *,
    actor: str,
    reason: str | None,
    now: datetime | None = None,
) -> bool:
    """Link the two tickets; False if they were linked so before."""
    now = now or datetime.now(UTC)
    connection = uow.connection
    # Both rows locked in one order, so two people linking the same pair both ways cannot deadlock.
    locked = {tid: await repository.ticket_for_update(connection, tid) for tid in sorted({ticket_id, other_id})}
    ticket, other = locked[ticket_id], locked[other_id]
    if ticket is None or other is None:
        missing = ticket_id if ticket is None else other_id
        raise Refused("unknown_ticket", f"dispatch has no ticket {missing!r} (yet)")
    earlier = await links_of(connection, ticket_id), await links_of(connection, other_id)
    worked_on = relation is LinkRelation.MERGED_INTO and await history_rows.ever_worked_on(connection, ticket_id)
    if not check_link(ticket, other, relation, *earlier, worked_on=worked_on):
        return False
    sides = ((ticket, other, relation), (other, ticket, OTHER_SIDE[relation]))
    for this, that, side in sides:
        await connection.execute(
            insert(ticket_links).values(
                ticket_id=this.ticket_id, linked_ticket_id=that.ticket_id, relation=side, reason=reason, actor=actor,
                linked_at=now,
            )
        )  # fmt: skip
        ends_here = side is LinkRelation.MERGED_INTO
        status = Status.CLOSED if ends_here else this.status
        if ends_here:
            await repository.set_status(connection, this.ticket_id, status=status, queue="dispatch")
            await repository.unassign(connection, this.ticket_id)
        await repository.record(
            connection, this.ticket_id, action=side.value, status=status, at=now, actor=actor, note=that.ticket_id
        )
        uow.publish(
            TicketLinked(
                ticket_id=this.ticket_id, site_code=this.site_code, linked_ticket_id=that.ticket_id, relation=side,
                reason=reason, actor=actor, linked_at=now,
                released_engineer_id=this.engineer_id if ends_here else None,
            ),
            correlation_id=this.ticket_id,
        )  # fmt: skip
    return True


async def links_of(connection: AsyncConnection, ticket_id: str) -> list[Link]:
    rows = await connection.execute(
        select(ticket_links.c.ticket_id, ticket_links.c.linked_ticket_id, ticket_links.c.relation).where(
            ticket_links.c.ticket_id == ticket_id
        )
    )
    return [Link(row.ticket_id, row.linked_ticket_id, LinkRelation(row.relation)) for row in rows]


async def links_shown(connection: AsyncConnection, ticket_id: str) -> list[dict[str, Any]]:
    """The ticket's links as its page shows them, oldest first."""
    rows = await connection.execute(
        select(
            ticket_links.c.linked_ticket_id,
            ticket_links.c.relation,
            ticket_links.c.reason,
            ticket_links.c.actor,
            ticket_links.c.linked_at,
        )
        .where(ticket_links.c.ticket_id == ticket_id)
        .order_by(ticket_links.c.linked_at, ticket_links.c.linked_ticket_id)
    )
    return [dict(row._mapping) for row in rows]
