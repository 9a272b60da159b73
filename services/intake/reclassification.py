"""Changing a ticket's kind or priority after it opened: the use case behind
`POST /tickets/{id}/reclassify`. The change is kept with who made it and why, and announced so that
the SLA service replans the clocks and dispatch moves the ticket to whoever must now handle it."""

from __future__ import annotations

from datetime import datetime

from services.intake.db import repository
from shared.contracts import Priority, ServiceKind, TicketReclassified
from shared.messaging.unit_of_work import UnitOfWork
from shared.refusals import Refused


async def reclassify(
    uow: UnitOfWork,
    ticket_id: str,
    *,
    kind: ServiceKind | None,
    priority: Priority | None,
    reason: str,
    actor: str,
    now: datetime,
) -> TicketReclassified:
    request = await repository.request_for_update(uow.connection, ticket_id)
    if request is None:
        raise Refused("unknown_ticket", f"intake has no ticket {ticket_id!r}")
    previous_kind, previous_priority = ServiceKind(request["kind"]), Priority(request["priority"])
    new_kind, new_priority = kind or previous_kind, priority or previous_priority
    if (new_kind, new_priority) == (previous_kind, previous_priority):
        raise Refused(
            "nothing_to_change",
            f"ticket {ticket_id} is already a {previous_kind.value} of {previous_priority.value} priority",
        )
    changes = {
        name: [old.value, new.value]
        for name, old, new in (("kind", previous_kind, new_kind), ("priority", previous_priority, new_priority))
        if old != new
    }
    await repository.reclassify(uow.connection, ticket_id, kind=new_kind, priority=new_priority)
    await repository.add_change(
        uow.connection, ticket_id=ticket_id, actor=actor, reason=reason, changes=changes, at=now
    )
    event = TicketReclassified(
        ticket_id=ticket_id,
        kind=new_kind,
        priority=new_priority,
        previous_kind=previous_kind,
        previous_priority=previous_priority,
        reason=reason,
        actor=actor,
        reclassified_at=now,
    )
    uow.publish(event, correlation_id=ticket_id)
    return event
