"""What the service manager does to dispatch by hand: see a ticket's candidates with the reasons for
and against each, give a ticket to an engineer or take it from one, and keep the duty roster."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection

from services.dispatch.db import repository, roster
from services.dispatch.domain.lifecycle import Status, decide_assignment
from services.dispatch.domain.roster import DutyKind, DutyPeriod, InvalidPeriod
from services.dispatch.domain.routing import Rule, candidates
from shared.contracts import TicketAssigned
from shared.messaging.unit_of_work import UnitOfWork
from shared.refusals import Refused


async def candidates_for(connection: AsyncConnection, ticket_id: str, now: datetime) -> list[dict[str, Any]]:
    ticket = await repository.ticket_for_update(connection, ticket_id)
    if ticket is None:
        raise Refused("unknown_ticket", f"dispatch has no ticket {ticket_id!r}")
    owner = await roster.owner_of(connection, ticket.site_code, ticket.subsystem)
    ranked = candidates(ticket.subsystem, owner, await roster.roster(connection, ticket.site_code, now))
    return [
        {
            "engineer_id": c.engineer.engineer_id,
            "name": c.engineer.name,
            "eligible": c.eligible,
            "holds_it": c.engineer.engineer_id == ticket.engineer_id,
            "duty": c.engineer.duty.value,
            "open_tickets": c.engineer.open_tickets,
            "max_open_tickets": c.engineer.max_open_tickets,
            "reasons": c.reasons,
        }
        for c in ranked
    ]


async def assign_by_hand(
    uow: UnitOfWork, ticket_id: str, engineer_id: str, *, reason: str, actor: str, now: datetime
) -> Status:
    """Give the ticket to `engineer_id` (or move it from whoever has it), with the reason."""
    connection = uow.connection
    ticket = await repository.ticket_for_update(connection, ticket_id)
    if ticket is None:
        raise Refused("unknown_ticket", f"dispatch has no ticket {ticket_id!r}")
    engineer = await roster.engineer(connection, engineer_id)
    if engineer is None or not await roster.serves(connection, engineer_id, ticket.site_code):
        raise Refused("unknown_engineer", f"no engineer {engineer_id!r} serves site {ticket.site_code}")
    status = decide_assignment(ticket, engineer_id)
    await repository.serialise_site(connection, ticket.site_code)
    await repository.assign(
        connection, ticket, engineer_id, rule=Rule.MANUAL, at=now, actor=actor, note=reason, status=status
    )
    uow.publish(
        TicketAssigned(
            ticket_id=ticket.ticket_id,
            site_code=ticket.site_code,
            subsystem=ticket.subsystem,
            engineer_id=engineer_id,
            engineer_name=engineer.name,
            rule=Rule.MANUAL.value,
            assigned_at=now,
            previous_engineer_id=ticket.engineer_id,
            reason=reason,
            actor=actor,
        ),
        correlation_id=ticket.ticket_id,
    )
    return status


async def add_duty(
    connection: AsyncConnection,
    engineer_id: str,
    *,
    kind: DutyKind,
    starts: datetime,
    ends: datetime,
    repeat: str | None,
    site_code: str,
    note: str | None,
    actor: str,
) -> int:
    """Add a shift, on-call period or leave, in the local time of `site_code`; returns its id."""
    if await roster.engineer(connection, engineer_id) is None:
        raise Refused("unknown_engineer", f"no engineer {engineer_id!r}")
    timezone = await roster.timezone_of(connection, site_code)
    if timezone is None:
        raise Refused("unknown_site", f"dispatch knows no site {site_code!r}")
    try:
        period = DutyPeriod(kind=kind, starts=starts, ends=ends, timezone=timezone, repeat=repeat)
    except InvalidPeriod as invalid:
        raise Refused("invalid_period", str(invalid)) from invalid
    return await roster.add_period(connection, engineer_id, period, note=note, actor=actor)
