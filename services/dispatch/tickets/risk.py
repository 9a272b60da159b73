"""Tickets at risk: when the response clock warns and nobody has accepted the ticket yet, it is
flagged, listed for the service manager and announced, once, and the site's paging chain begins
(paging.py)."""

from __future__ import annotations

from datetime import datetime

from services.dispatch.tickets import paging, repository
from services.dispatch.tickets.domain.lifecycle import NOT_YET_ACCEPTED
from shared.contracts import ClockKind, SlaWarning, TicketAtRisk
from shared.messaging.unit_of_work import UnitOfWork


async def flag_if_unaccepted(uow: UnitOfWork, warning: SlaWarning, *, now: datetime) -> bool:
    """Flag the ticket at risk if the warning is its response clock's and nobody has accepted it."""
    if warning.clock is not ClockKind.RESPONSE:
        return False
    ticket = await repository.ticket_for_update(uow.connection, warning.ticket_id)
    if ticket is None or ticket.status not in NOT_YET_ACCEPTED:
        return False
    if not await repository.flag_at_risk(uow.connection, ticket, at=now):
        return False  # flagged already
    await paging.begin(uow.connection, ticket, response_due_at=warning.due_at, now=now)
    uow.publish(
        TicketAtRisk(
            ticket_id=ticket.ticket_id,
            site_code=ticket.site_code,
            engineer_id=ticket.engineer_id,
            due_at=warning.due_at,
            flagged_at=now,
        ),
        correlation_id=ticket.ticket_id,
    )
    return True
