"""What the service manager does to a ticket by hand: see its candidates with the reasons for and
against each, give it to an engineer or take it from one."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection

from services.dispatch.roster import repository as roster
from services.dispatch.tickets import repository
from services.dispatch.tickets.domain.lifecycle import Status, decide_assignment
from services.dispatch.tickets.domain.routing import Rule, candidates
from shared.contracts import TicketAssigned
from shared.messaging.unit_of_work import UnitOfWork
from shared.refusals import Refused


async def candidates_for(connection: AsyncConnection, ticket_id: str, now: datetime) -> list[dict[str, Any]]:
    ticket = await repository.ticket_for_update(connection, ticket_id)
    if ticket is None:
        raise Refused("unknown_ticket", f"dispatch has no ticket {ticket_id!r}")
    owner = await roster.owner_of(connection, ticket.site_code, ticket.subsystem)
    ranked = candidates(ticket.subsystem, owner, await roster.roster(connection, ticket.site_code, now))
    return [
        {
            "engineer_id": c.engineer.engineer_id,
            "name": c.engineer.name,
            "eligible": c.eligible,
            "owner": c.owner,
            "skilled": c.skilled,
            "has_room": c.engineer.has_room,
            "holds_it": c.engineer.engineer_id == ticket.engineer_id,
            "duty": c.engineer.duty.value,
            "open_tickets": c.engineer.open_tickets,
            "max_open_tickets": c.engineer.max_open_tickets,
            "reasons": c.reasons,
        }
        for c in ranked
    ]


async def assign_by_hand(
    uow: UnitOfWork, ticket_id: str, engineer_id: str, *, reason: str, actor: str, now: datetime
) -> Status:
    """Give the ticket to `engineer_id` (or move it from whoever has it), with the reason."""
    connection = uow.connection
    ticket = await repository.ticket_for_update(connection, ticket_id)
    if ticket is None:
        raise Refused("unknown_ticket", f"dispatch has no ticket {ticket_id!r}")
    engineer = await roster.engineer(connection, engineer_id)
    if engineer is None or not await roster.serves(connection, engineer_id, ticket.site_code):
        raise Refused("unknown_engineer", f"no engineer {engineer_id!r} serves site {ticket.site_code}")
    status = decide_assignment(ticket, engineer_id)
    await repository.serialise_site(connection, ticket.site_code)
    await repository.assign(
        connection, ticket, engineer_id, rule=Rule.MANUAL, at=now, actor=actor, note=reason, status=status
    )
    uow.publish(
        TicketAssigned(
            ticket_id=ticket.ticket_id,
            site_code=ticket.site_code,
            subsystem=ticket.subsystem,
            engineer_id=engineer_id,
            engineer_name=engineer.name,
            rule=Rule.MANUAL.value,
            assigned_at=now,
            previous_engineer_id=ticket.engineer_id,
            reason=reason,
            actor=actor,
            status=status.value,
        ),
        correlation_id=ticket.ticket_id,
    )
    return status
