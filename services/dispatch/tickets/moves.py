"""Moving a ticket along its life and telling the other services: the use case behind
`POST /tickets/{id}/{action}`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from services.dispatch.followups import after_moves as follow_up
from services.dispatch.tickets import arrival_rows as arrivals
from services.dispatch.tickets import repository
from services.dispatch.tickets.domain.arrival import Position, check_arrival
from services.dispatch.tickets.domain.lifecycle import Action, Status, TicketState, decide_move
from shared.contracts import (
    ArrivalProof,
    CustomerConfirmation,
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
    parts: tuple[str, ...] = (),
    confirmation: CustomerConfirmation | None = None,
    position: Position | None = None,
    facts: dict[str, Any] | None = None,
) -> Status:
    """Make the move if the ticket's rules allow it (MoveRefused otherwise); returns the new status. An
    arrival is checked against the site's coordinates with the phone's `position` (domain/arrival.py).
    `facts`: what dispatch's own `reason` says, as codes and figures for the history (repository.record)."""
    ticket = await repository.ticket_for_update(uow.connection, ticket_id)
    if ticket is None:
        raise UnknownTicket(f"dispatch has no ticket {ticket_id!r}")
    if action is Action.CLOSE:
        await follow_up.check_may_close(uow.connection, ticket_id)
    moved = decide_move(ticket, action, at=at, now=now, reason=reason, summary=summary)
    arrival = await _arrival(uow, ticket, at, position) if action is Action.ARRIVE else None
    note = reason or summary or (arrival.note if arrival else None)
    facts = arrival.facts if arrival else facts
    await repository.move_ticket(
        uow.connection, ticket_id, action=action, moved=moved, at=at, actor=actor, note=note, facts=facts
    )
    event = _event(action, ticket_id, ticket.engineer_id, at, reason, summary)
    if isinstance(event, TicketResumed):
        event = event.model_copy(update={"status": moved.status.value})
    if isinstance(event, TicketOnSite) and arrival is not None:
        event = event.model_copy(update={"arrival": arrival.proof})
    if isinstance(event, TicketResolved):
        event = event.model_copy(update={"parts": list(parts), "confirmation": confirmation})
    uow.publish(event, correlation_id=ticket_id)
    await follow_up.after_move(uow, ticket, action, at=at)
    return moved.status


@dataclass(frozen=True)
class _Arrival:
    note: str
    facts: dict[str, Any]
    proof: ArrivalProof


async def _arrival(uow: UnitOfWork, ticket: TicketState, at: datetime, position: Position | None) -> _Arrival:
    """Check the phone's position against the site, keep the check-in, and say how it went."""
    checked = check_arrival(await arrivals.site_location(uow.connection, ticket.site_code), position)
    await arrivals.record(
        uow.connection,
        ticket_id=ticket.ticket_id,
        site_code=ticket.site_code,
        engineer_id=ticket.engineer_id,
        arrived_at=at,
        position=position,
        checked=checked,
    )
    proof = ArrivalProof(
        latitude=position.latitude if position else None,
        longitude=position.longitude if position else None,
        accuracy_m=position.accuracy_m if position else None,
        distance_m=round(checked.distance_m, 1) if checked.distance_m is not None else None,
        flagged=checked.flagged,
        doubt=checked.doubt.value if checked.doubt else None,
    )
    return _Arrival(checked.note(), checked.facts(), proof)


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
