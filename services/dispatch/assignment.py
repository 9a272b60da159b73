"""Routing a ticket to whoever must act: the use cases behind dispatch's `ticket.opened` and
`ticket.reclassified` handlers."""

from __future__ import annotations

from datetime import datetime

from services.dispatch.db import repository
from services.dispatch.domain.lifecycle import OPEN, Status, TicketState
from services.dispatch.domain.routing import ToEngineer, ToManagerQueue, ToQualityDesk, route
from shared.contracts import ComplaintRouted, ServiceKind, TicketAssigned, TicketOpened, TicketReclassified
from shared.logs import get_logger
from shared.messaging.unit_of_work import UnitOfWork

log = get_logger(__name__)

SYSTEM = "dispatch"  # the actor of what dispatch does by itself


async def dispatch_ticket(uow: UnitOfWork, opened: TicketOpened, *, now: datetime) -> None:
    if not await repository.add_ticket(uow.connection, opened):
        log.info("ticket already dispatched", ticket_id=opened.ticket_id)
        return
    await _route(uow, opened, opened.kind, now=now)


class OpeningNotYetKnown(LookupError):
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
        await _route(uow, ticket, change.kind, now=now)
    elif no_longer_complaint and ticket.status is Status.WITH_QUALITY_DESK:
        await _route(uow, ticket, change.kind, now=now)


async def _route(uow: UnitOfWork, ticket: TicketOpened | TicketState, kind: ServiceKind, *, now: datetime) -> None:
    connection = uow.connection
    ticket_id, site_code, subsystem = ticket.ticket_id, ticket.site_code, ticket.subsystem
    await repository.serialise_site(connection, site_code)
    owner = await repository.owner_of(connection, site_code, subsystem)
    decision = route(kind, subsystem, owner, await repository.roster(connection, site_code))
    match decision:
        case ToEngineer(engineer=engineer, rule=rule):
            await repository.assign(connection, ticket_id, engineer.engineer_id, rule.value, now)
            uow.publish(
                TicketAssigned(
                    ticket_id=ticket_id,
                    site_code=site_code,
                    subsystem=subsystem,
                    engineer_id=engineer.engineer_id,
                    engineer_name=engineer.name,
                    rule=rule.value,
                    assigned_at=now,
                ),
                correlation_id=ticket_id,
            )
        case ToQualityDesk(desk=desk):
            await repository.set_status(connection, ticket_id, status=Status.WITH_QUALITY_DESK, queue=desk)
            uow.publish(
                ComplaintRouted(ticket_id=ticket_id, site_code=site_code, desk=desk, routed_at=now),
                correlation_id=ticket_id,
            )
        case ToManagerQueue(why=why):
            await repository.set_status(
                connection, ticket_id, status=Status.AWAITING_ASSIGNMENT, queue="service_manager"
            )
            log.warning("ticket waits for the service manager", ticket_id=ticket_id, why=why)
