"""Escalating a ticket to the device's manufacturer: the use cases behind `POST /tickets/{id}/escalate`
and behind the end of a vendor case.

The engineer escalates an accepted, on-site or paused ticket with a reason (repair, replacement, a
vendor engineer's visit, a technical question), the device and what was found. Dispatch names the
vendor (the one given, else the device's, else the one intake's warranty decision suggested),
announces `ticket.escalation_needed` for the vendor service, and the ticket pauses as waiting for the
vendor: its resolution clock stops counting. When every vendor case of the ticket has ended, the ticket
resumes where it was.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncConnection

from services.dispatch.tickets import escalation_rows as escalations
from services.dispatch.tickets import repository
from services.dispatch.tickets.domain.lifecycle import BEING_WORKED, Action, Status, TicketState
from services.dispatch.tickets.moves import move_ticket
from shared.contracts import DeviceRef, TicketEscalationNeeded, VendorEscalationClosed
from shared.contracts.partners import EscalationReason
from shared.messaging.unit_of_work import UnitOfWork
from shared.refusals import Refused

WAITING_FOR_VENDOR = "waiting_for_vendor"


async def ticket_being_worked(connection: AsyncConnection, ticket_id: str, *, doing: str) -> TicketState:
    """The ticket, locked, if an engineer is working it (accepted, on site or paused): the field work
    of escalating and swapping devices happens then."""
    ticket = await repository.ticket_for_update(connection, ticket_id)
    if ticket is None:
        raise Refused("unknown_ticket", f"dispatch has no ticket {ticket_id!r}")
    if ticket.status not in BEING_WORKED:
        allowed = ", ".join(sorted(s.value for s in BEING_WORKED))
        raise Refused(
            "move_refused", f"cannot {doing} on a ticket that is {ticket.status.value}; it applies to: {allowed}"
        )
    return ticket


async def escalate(
    uow: UnitOfWork,
    ticket_id: str,
    *,
    reason: EscalationReason,
    findings: str,
    asset_tag: str | None,
    vendor_code: str | None,
    actor: str,
    now: datetime,
) -> str:
    """Escalate the ticket; returns the escalation's id."""
    connection = uow.connection
    ticket = await ticket_being_worked(connection, ticket_id, doing="escalate")
    device, coverage = await escalations.ticket_details(connection, ticket_id)
    if asset_tag is not None and (device is None or device.asset_tag != asset_tag):
        device = DeviceRef(asset_tag=asset_tag)  # the vendor service knows the rest from intake's register
    vendor = vendor_code or (device.vendor_code if device else None) or (coverage.vendor_code if coverage else None)
    if vendor is None:
        raise Refused("vendor_unknown", "say which vendor partner to escalate to (vendor_code): the device names none")
    escalation_id = await escalations.add(connection, ticket_id=ticket_id, vendor_code=vendor, reason=reason, at=now)
    uow.publish(
        TicketEscalationNeeded(
            ticket_id=ticket_id,
            site_code=ticket.site_code,
            subsystem=ticket.subsystem,
            device=device,
            vendor_code=vendor,
            reason=reason.value,
            requested_at=now,
            escalation_id=escalation_id,
            findings=findings,
            engineer=await escalations.engineer_contact(connection, ticket.engineer_id),
        ),
        correlation_id=ticket_id,
    )
    note = f"{escalation_id} to {vendor} ({reason.value}): {findings}"
    facts = {"escalation_id": escalation_id, "vendor_code": vendor, "reason": reason.value, "findings": findings}
    await repository.record(
        connection, ticket_id, action="escalate", status=ticket.status, at=now, actor=actor, note=note, facts=facts
    )
    if ticket.status is not Status.PAUSED:
        await move_ticket(uow, ticket_id, Action.PAUSE, at=now, now=now, actor=actor, reason=WAITING_FOR_VENDOR)
    return escalation_id


async def case_ended(uow: UnitOfWork, closed: VendorEscalationClosed, *, now: datetime) -> None:
    """A vendor case ended: once none of the ticket's is open, the ticket resumes."""
    connection = uow.connection
    ticket = await repository.ticket_for_update(connection, closed.ticket_id)
    if ticket is None or not await escalations.close(
        connection, closed.escalation_id, closed.case_number, outcome=closed.outcome, at=closed.closed_at
    ):
        return
    note = f"{closed.case_number} {closed.outcome}" + (f": {closed.reason}" if closed.reason else "")
    await repository.record(
        connection,
        ticket.ticket_id,
        action="vendor_case_ended",
        status=ticket.status,
        at=now,
        actor="vendor",
        note=note,
        facts={"case_number": closed.case_number, "outcome": closed.outcome, "reason": closed.reason},
    )
    if ticket.status is Status.PAUSED and await escalations.open_count(connection, ticket.ticket_id) == 0:
        await move_ticket(uow, ticket.ticket_id, Action.RESUME, at=now, now=now, actor="vendor")
