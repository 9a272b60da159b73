"""Routing an opened ticket: the use case behind dispatch's `ticket.opened` handler."""

from __future__ import annotations

from datetime import datetime

from services.dispatch.db import repository
from services.dispatch.domain.lifecycle import Status
from services.dispatch.domain.routing import ToEngineer, ToManagerQueue, ToQualityDesk, route
from shared.contracts import ComplaintRouted, TicketAssigned, TicketOpened
from shared.logs import get_logger
from shared.messaging.unit_of_work import UnitOfWork

log = get_logger(__name__)


async def dispatch_ticket(uow: UnitOfWork, opened: TicketOpened, *, now: datetime) -> None:
    connection = uow.connection
    if not await repository.add_ticket(connection, opened):
        log.info("ticket already dispatched", ticket_id=opened.ticket_id)
        return
    await repository.serialise_site(connection, opened.site_code)
    owner = await repository.owner_of(connection, opened.site_code, opened.subsystem)
    decision = route(opened.kind, opened.subsystem, owner, await repository.roster(connection, opened.site_code))
    match decision:
        case ToEngineer(engineer=engineer, rule=rule):
            await repository.assign(connection, opened.ticket_id, engineer.engineer_id, rule.value, now)
            uow.publish(
                TicketAssigned(
                    ticket_id=opened.ticket_id,
                    site_code=opened.site_code,
                    subsystem=opened.subsystem,
                    engineer_id=engineer.engineer_id,
                    engineer_name=engineer.name,
                    rule=rule.value,
                    assigned_at=now,
                )
            )
        case ToQualityDesk(desk=desk):
            await repository.set_status(connection, opened.ticket_id, status=Status.WITH_QUALITY_DESK, queue=desk)
            uow.publish(
                ComplaintRouted(ticket_id=opened.ticket_id, site_code=opened.site_code, desk=desk, routed_at=now)
            )
        case ToManagerQueue(why=why):
            await repository.set_status(
                connection, opened.ticket_id, status=Status.AWAITING_ASSIGNMENT, queue="service_manager"
            )
            log.warning("ticket waits for the service manager", ticket_id=opened.ticket_id, why=why)
