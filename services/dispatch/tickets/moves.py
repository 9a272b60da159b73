"""Moving a ticket along its life and telling the other services: the use case behind
`POST /tickets/{id}/{action}`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from services.dispatch.common import sites
from services.dispatch.followups import repository as followups
from services.dispatch.followups.domain.followup import FollowUpStatus, check_can_close, desk_for, due_at
from services.dispatch.tickets import arrival_rows as arrivals
from services.dispatch.tickets import repository
from services.dispatch.tickets.domain.arrival import Position, check_arrival
from services.dispatch.tickets.domain.lifecycle import Action, Status, TicketState, decide_move
from shared.calendar import calendar_of
from shared.contracts import (
    ArrivalProof,
    CustomerConfirmation,
    Event,
    FollowUpDue,
    TicketAccepted,
    TicketClosed,
    TicketOnSite,
    TicketPaused,
    TicketReopened,
    TicketResolved,
    TicketResumed,
)
from shared.messaging.unit_of_work import UnitOfWork

DEFAULT_TIMEZONE = "Asia/Shanghai"  # for a site dispatch heard of before it kept time zones
DEFAULT_COUNTRY = "CN"


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
) -> Status:
    """Make the move if the ticket's rules allow it (MoveRefused otherwise); returns the new status. An
    arrival is checked against the site's coordinates with the phone's `position` (domain/arrival.py)."""
    ticket = await repository.ticket_for_update(uow.connection, ticket_id)
    if ticket is None:
        raise UnknownTicket(f"dispatch has no ticket {ticket_id!r}")
    if action is Action.CLOSE:
        follow_up = await followups.latest(uow.connection, ticket_id)
        check_can_close(
            ticket_id,
            FollowUpStatus(follow_up.status) if follow_up else None,
            follow_up.due_at if follow_up else None,
        )
    moved = decide_move(ticket, action, at=at, now=now, reason=reason, summary=summary)
    arrival = await _arrival(uow, ticket, at, position) if action is Action.ARRIVE else None
    note = reason or summary or (arrival.note if arrival else None)
    await repository.move_ticket(uow.connection, ticket_id, action=action, moved=moved, at=at, actor=actor, note=note)
    event = _event(action, ticket_id, ticket.engineer_id, at, reason, summary)
    if isinstance(event, TicketOnSite) and arrival is not None:
        event = event.model_copy(update={"arrival": arrival.proof})
    if isinstance(event, TicketResolved):
        event = event.model_copy(update={"parts": list(parts), "confirmation": confirmation})
    uow.publish(event, correlation_id=ticket_id)
    if action is Action.RESOLVE:
        await _follow_up_due(uow, ticket, resolved_at=at)
    elif action is Action.REOPEN:
        await followups.supersede(uow.connection, ticket_id)
    return moved.status


@dataclass(frozen=True)
class _Arrival:
    note: str
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
    return _Arrival(checked.note(), proof)


async def _follow_up_due(uow: UnitOfWork, ticket: TicketState, *, resolved_at: datetime) -> None:
    """Resolved: the customer is to be called back within a working day, by the desk the ticket needs."""
    timezone = await sites.timezone_of(uow.connection, ticket.site_code) or DEFAULT_TIMEZONE
    desk = desk_for(ticket.kind)
    due = due_at(resolved_at, timezone, calendar_of(DEFAULT_COUNTRY))
    cycle = await followups.open_follow_up(uow.connection, ticket.ticket_id, ticket.site_code, desk=desk, due_at=due)
    uow.publish(
        FollowUpDue(
            ticket_id=ticket.ticket_id,
            site_code=ticket.site_code,
            cycle=cycle,
            desk=desk,
            due_at=due,
            reporter=await repository.reporter_of(uow.connection, ticket.ticket_id),
        ),
        correlation_id=ticket.ticket_id,
    )


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
