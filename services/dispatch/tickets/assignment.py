"""Routing a ticket to whoever must act: the use cases behind dispatch's `ticket.opened` and
`ticket.reclassified` handlers, and behind the retries of tickets that wait for an engineer.

A ticket nobody can take is never left silent: it is announced (`ticket.awaiting_assignment`), listed
in the service manager's queue, and routed again whenever the roster or an engineer's load may allow
it (`assign_waiting`).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from services.dispatch.common import sites
from services.dispatch.quality.desk import open_complaint_case
from services.dispatch.roster import repository as roster
from services.dispatch.tickets import repository
from services.dispatch.tickets.domain.lifecycle import OPEN, Status, TicketState
from services.dispatch.tickets.domain.routing import ToEngineer, ToManagerQueue, ToQualityDesk, route
from shared.contracts import (
    ComplaintRouted,
    ServiceKind,
    TicketAssigned,
    TicketAwaitingAssignment,
    TicketOpened,
    TicketReclassified,
)
from shared.logs import get_logger
from shared.messaging.failures import NotYet
from shared.messaging.unit_of_work import UnitOfWork

log = get_logger(__name__)

SYSTEM = "dispatch"  # the actor of what dispatch does by itself


async def dispatch_ticket(uow: UnitOfWork, opened: TicketOpened, *, now: datetime) -> None:
    if not await repository.add_ticket(uow.connection, opened):
        log.info("ticket already dispatched", ticket_id=opened.ticket_id)
        return
    await sites.know_site(uow.connection, opened.site_code, opened.site_timezone)
    ticket = await repository.ticket_for_update(uow.connection, opened.ticket_id)
    assert ticket is not None
    await _route(uow, ticket, opened.kind, now=now, summary=opened.description)


class OpeningNotYetKnown(NotYet):
    """A reclassification arrived before its ticket's opening: tried again later by the consumer."""


async def reroute_reclassified(uow: UnitOfWork, change: TicketReclassified, *, now: datetime) -> None:
    """Keep the ticket's new kind and priority; a ticket that became a complaint leaves its engineer for
    the quality desk, and one that stopped being a complaint goes to an engineer."""
    connection = uow.connection
    ticket = await repository.ticket_for_update(connection, change.ticket_id)
    if ticket is None:
        raise OpeningNotYetKnown(f"dispatch has not seen ticket {change.ticket_id} open yet")
    await repository.reclassify(
        connection, ticket, kind=change.kind, priority=change.priority, reason=change.reason, actor=change.actor, at=now
    )
    became_complaint = change.kind is ServiceKind.COMPLAINT and change.previous_kind is not ServiceKind.COMPLAINT
    no_longer_complaint = change.previous_kind is ServiceKind.COMPLAINT and change.kind is not ServiceKind.COMPLAINT
    if became_complaint and ticket.status in OPEN | {Status.AWAITING_ASSIGNMENT}:
        await repository.unassign(connection, ticket.ticket_id)
        await _route(uow, replace(ticket, priority=change.priority), change.kind, now=now, summary=change.reason)
    elif no_longer_complaint and ticket.status is Status.WITH_QUALITY_DESK:
        await _route(uow, ticket, change.kind, now=now)


async def assign_waiting(uow: UnitOfWork, *, now: datetime, limit: int) -> int:
    """Route again the tickets waiting for an engineer (those no other replica is routing); returns how
    many found one."""
    assigned = 0
    for ticket in await repository.claim_waiting(uow.connection, limit):
        if await _route(uow, ticket, ticket.kind, now=now):
            assigned += 1
    return assigned


async def _route(
    uow: UnitOfWork, ticket: TicketState, kind: ServiceKind, *, now: datetime, summary: str | None = None
) -> bool:
    """Send the ticket where the routing rule says; True if an engineer took it."""
    connection = uow.connection
    await repository.serialise_site(connection, ticket.site_code)
    owner = await roster.owner_of(connection, ticket.site_code, ticket.subsystem)
    decision = route(kind, ticket.subsystem, owner, await roster.roster(connection, ticket.site_code, now))
    match decision:
        case ToEngineer(engineer=engineer, rule=rule):
            await repository.assign(
                connection, ticket, engineer.engineer_id, rule=rule, at=now, actor=SYSTEM, note=None
            )
            uow.publish(
                TicketAssigned(
                    ticket_id=ticket.ticket_id,
                    site_code=ticket.site_code,
                    subsystem=ticket.subsystem,
                    engineer_id=engineer.engineer_id,
                    engineer_name=engineer.name,
                    rule=rule.value,
                    assigned_at=now,
                    actor=SYSTEM,
                    status=Status.ASSIGNED.value,
                ),
                correlation_id=ticket.ticket_id,
            )
            return True
        case ToQualityDesk(desk=desk):
            await repository.to_quality_desk(connection, ticket, desk, at=now, actor=SYSTEM)
            uow.publish(
                ComplaintRouted(ticket_id=ticket.ticket_id, site_code=ticket.site_code, desk=desk, routed_at=now),
                correlation_id=ticket.ticket_id,
            )
            await open_complaint_case(
                uow,
                site_code=ticket.site_code,
                ticket_id=ticket.ticket_id,
                priority=ticket.priority,
                summary=summary or f"complaint {ticket.ticket_id}",
                at=now,
                actor=SYSTEM,
            )
        case ToManagerQueue(why=why, cause=cause, facts=facts):
            if await repository.to_manager_queue(connection, ticket, why, facts=facts, at=now, actor=SYSTEM):
                uow.publish(
                    TicketAwaitingAssignment(
                        ticket_id=ticket.ticket_id,
                        site_code=ticket.site_code,
                        subsystem=ticket.subsystem,
                        why=why,
                        since=now,
                        cause=cause.value,
                    ),
                    correlation_id=ticket.ticket_id,
                )
                log.warning("ticket waits for the service manager", ticket_id=ticket.ticket_id, why=why)
    return False
