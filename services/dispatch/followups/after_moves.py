"""What a ticket's moves mean for its follow-up call (客户回访): resolving it makes a call due, reopening
it supersedes the call not made, and closing it waits for the call. The tickets' moves call these in the
same transaction, so that a ticket and its follow-up never disagree."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncConnection

from services.dispatch.common import site_calendars, sites
from services.dispatch.followups import repository as followups
from services.dispatch.followups.domain.followup import FollowUpStatus, check_can_close, desk_for, due_at
from services.dispatch.tickets import lookups as ticket_lookups
from services.dispatch.tickets.domain.lifecycle import Action, TicketState
from shared.contracts import FollowUpDue
from shared.messaging.unit_of_work import UnitOfWork


async def check_may_close(connection: AsyncConnection, ticket_id: str) -> None:
    """A resolved ticket closes through its follow-up call, not around it (MoveRefused otherwise)."""
    follow_up = await followups.latest(connection, ticket_id)
    check_can_close(
        ticket_id,
        FollowUpStatus(follow_up.status) if follow_up else None,
        follow_up.due_at if follow_up else None,
    )


async def after_move(uow: UnitOfWork, ticket: TicketState, action: Action, *, at: datetime) -> None:
    """The follow-up side of a move the ticket just made at `at`."""
    if action is Action.RESOLVE:
        await _follow_up_due(uow, ticket, resolved_at=at)
    elif action is Action.REOPEN:
        await followups.supersede(uow.connection, ticket.ticket_id)


async def _follow_up_due(uow: UnitOfWork, ticket: TicketState, *, resolved_at: datetime) -> None:
    """Resolved: the customer is to be called back within a working day of the site's calendar, in its
    business hours, by the desk the ticket needs."""
    connection = uow.connection
    timezone = await sites.timezone_of(connection, ticket.site_code) or sites.DEFAULT_TIMEZONE
    calendar = await site_calendars.calendar_of_site(connection, ticket.site_code)
    desk = desk_for(ticket.kind)
    due = due_at(
        resolved_at, timezone, calendar.business_calendar(), opens=calendar.business_start, closes=calendar.business_end
    )
    cycle = await followups.open_follow_up(connection, ticket.ticket_id, ticket.site_code, desk=desk, due_at=due)
    uow.publish(
        FollowUpDue(
            ticket_id=ticket.ticket_id,
            site_code=ticket.site_code,
            cycle=cycle,
            desk=desk,
            due_at=due,
            reporter=await ticket_lookups.reporter_of(connection, ticket.ticket_id),
        ),
        correlation_id=ticket.ticket_id,
    )
