"""Moving a ticket along its life and telling the other services: the use case behind
`POST /tickets/{id}/{action}`."""

from __future__ import annotations

from datetime import datetime

from services.dispatch.db import repository
from services.dispatch.domain.lifecycle import Action, Status, decide_move
from shared.contracts import (
    Event,
    TicketAccepted,
    TicketClosed,
    TicketOnSite,
    TicketPaused,
    TicketReopened,
    TicketResolved,
    TicketResumed,
)
from shared.messaging.unit_of_work import UnitOfWork


class UnknownTicket(LookupError):
    pass


async def move_ticket(
    uow: UnitOfWork,
    ticket_id: str,
    action: Action,
    *,
    at: datetime,
    now: datetime,
    actor: str,
    reason: str | None = None,
    summary: str | None = None,
) -> Status:
    """Make the move if the ticket's rules allow it (MoveRefused otherwise); returns the new status."""
    ticket = await repository.ticket_for_update(uow.connection, ticket_id)
    if ticket is None:
        raise UnknownTicket(f"dispatch has no ticket {ticket_id!r}")
    moved = decide_move(ticket, action, at=at, now=now, reason=reason, summary=summary)
    await repository.move_ticket(
        uow.connection, ticket_id, action=action, moved=moved, at=at, actor=actor, note=reason or summary
    )
    uow.publish(_event(action, ticket_id, ticket.engineer_id, at, reason, summary), correlation_id=ticket_id)
    return moved.status


def _event(
    action: Action, ticket_id: str, engineer_id: str | None, at: datetime, reason: str | None, summary: str | None
) -> Event:
    match action:
        case Action.ACCEPT:
            return TicketAccepted(ticket_id=ticket_id, engineer_id=engineer_id or "", accepted_at=at)
        case Action.ARRIVE:
            return TicketOnSite(ticket_id=ticket_id, engineer_id=engineer_id or "", arrived_at=at)
        case Action.PAUSE:
            return TicketPaused(ticket_id=ticket_id, reason=reason or "", paused_at=at)
        case Action.RESUME:
            return TicketResumed(ticket_id=ticket_id, resumed_at=at)
        case Action.RESOLVE:
            return TicketResolved(ticket_id=ticket_id, engineer_id=engineer_id, summary=summary or "", resolved_at=at)
        case Action.REOPEN:
            return TicketReopened(ticket_id=ticket_id, reason=reason or "", reopened_at=at)
        case Action.CLOSE:
            return TicketClosed(ticket_id=ticket_id, closed_at=at)
