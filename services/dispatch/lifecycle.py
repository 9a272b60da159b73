"""Moving a ticket along its life and telling the other services: the use case behind
`POST /tickets/{id}/{action}`."""

from __future__ import annotations

from datetime import datetime, timedelta

from services.dispatch.db import repository
from services.dispatch.domain.lifecycle import Action, MoveRefused, Status, move
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

CLOCK_SKEW = timedelta(minutes=5)


class Refused(Exception):
    """The move cannot be made; `status` is the HTTP status that says why (404, 409, 422)."""

    def __init__(self, status: int, error: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.error = error
        self.message = message


async def apply(
    uow: UnitOfWork,
    ticket_id: str,
    action: Action,
    *,
    at: datetime,
    now: datetime,
    reason: str | None = None,
    summary: str | None = None,
) -> Status:
    ticket = await repository.ticket_for_update(uow.connection, ticket_id)
    if ticket is None:
        raise Refused(404, "unknown_ticket", f"dispatch has no ticket {ticket_id!r}")
    if at > now + CLOCK_SKEW:
        raise Refused(422, "in_the_future", f"{action.value} at {at.isoformat()} is in the future")
    if at < ticket.reported_at:
        raise Refused(422, "before_report", f"{action.value} at {at.isoformat()} is before the ticket was reported")
    if action in (Action.PAUSE, Action.REOPEN) and not reason:
        raise Refused(422, "reason_required", f"say why: {action.value} needs a reason")
    if action is Action.RESOLVE and not summary:
        raise Refused(422, "summary_required", "say what was done: resolve needs a summary")
    try:
        moved = move(action, Status(ticket.status), Status(ticket.paused_from) if ticket.paused_from else None)
    except MoveRefused as refused:
        raise Refused(409, "move_refused", str(refused)) from refused
    if action in (Action.ACCEPT, Action.ARRIVE) and ticket.engineer_id is None:
        raise Refused(409, "no_engineer", f"ticket {ticket_id} has no engineer to {action.value}")

    await repository.move_ticket(
        uow.connection,
        ticket_id,
        action=action.value,
        status=moved.status.value,
        paused_from=moved.paused_from.value if moved.paused_from else None,
        at=at,
        note=reason or summary,
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
