"""Starting a ticket's clocks: the use case behind the SLA service's `ticket.opened` handler."""

from __future__ import annotations

from services.sla.db import repository
from services.sla.domain.calendar import BusinessCalendar
from services.sla.domain.targets import ON_SITE_KINDS, on_site_deadline
from shared.contracts import ClockKind, SlaClockStarted, TicketOpened
from shared.messaging.unit_of_work import UnitOfWork

# Until contracts carry their own calendar, every site follows China's official one.
DEFAULT_CALENDAR = BusinessCalendar("CN")


async def start_on_site_clock(
    uow: UnitOfWork, opened: TicketOpened, calendar: BusinessCalendar = DEFAULT_CALENDAR
) -> None:
    if opened.kind not in ON_SITE_KINDS:
        return
    deadline = on_site_deadline(opened.reported_at, opened.site_timezone, calendar)
    started = await repository.start_clock(
        uow.connection,
        ticket_id=opened.ticket_id,
        kind=ClockKind.ON_SITE.value,
        site_code=opened.site_code,
        deadline=deadline,
        calendar=calendar.country,
    )
    if started:
        uow.publish(
            SlaClockStarted(
                ticket_id=opened.ticket_id,
                clock=ClockKind.ON_SITE,
                started_at=deadline.started_at,
                due_at=deadline.due_at,
                target_minutes=deadline.target_minutes,
                day_type=deadline.day_type.value,
                calendar=calendar.country,
            )
        )
