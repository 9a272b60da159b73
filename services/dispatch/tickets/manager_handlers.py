"""Dispatch's HTTP API for the service manager and the engineer beyond the ticket's moves: the queues
to watch, a ticket's candidates, assigning by hand, escalating to a vendor partner and swapping a device
on site (the engineers and their duty roster: roster/handlers.py)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Response
from pydantic import BaseModel, Field, StringConstraints

from services.dispatch.common import customer_view
from services.dispatch.tickets import escalation_rows, escalations, queues, steering, swaps
from services.dispatch.tickets.ownership import engineer_owns_ticket
from shared.calendar_queries import Month, month_span
from shared.contracts.bounds import Code, Identifier, Name
from shared.contracts.partners import EscalationReason
from shared.days import Day
from shared.http import Actor, Caller, Database, Problem, rows_response
from shared.refusals import Refused

router = APIRouter(tags=["dispatch: the service manager"])

STATUSES = {"unknown_ticket": 404, "unknown_engineer": 404, "unknown_site": 404, "not_assignable": 409}
STATUSES |= {"already_assigned": 409, "move_refused": 409}

Reason = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]
Serial = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=60)]


@router.get("/queues/awaiting-assignment")
async def awaiting_assignment(database: Database, site_code: str | None = None) -> list[dict[str, Any]]:
    """Tickets nobody could take, longest waiting first, with why; assigned as soon as someone can."""
    async with database.connect() as connection:
        return await queues.queue(connection, waiting=True, site_code=site_code)


@router.get("/queues/at-risk")
async def at_risk(database: Database, site_code: str | None = None) -> list[dict[str, Any]]:
    """Tickets whose response clock has warned while nobody has accepted them."""
    async with database.connect() as connection:
        return await queues.queue(connection, waiting=False, site_code=site_code)


@router.get("/reports/tickets")
async def tickets_of_month(
    database: Database,
    site_code: str,
    month: Month,
) -> Response:
    """The site's tickets reported in the month (in the site's time zone): subsystem, kind, where each
    stands, the engineer who held it and the satisfaction its follow-up call recorded; what the reports
    chart by subsystem and engineer."""
    first, after = month_span(month)
    async with database.connect() as connection:
        return rows_response(await queues.reported_in(connection, site_code, first, after))


@router.get("/tickets/{ticket_id}/candidates")
async def ticket_candidates(ticket_id: str, database: Database) -> list[dict[str, Any]]:
    """The site's engineers for this ticket, best first, each with the reasons for and against."""
    try:
        async with database.connect() as connection:
            return await steering.candidates_for(connection, ticket_id, datetime.now(UTC))
    except Refused as refused:
        raise Problem.of(refused, STATUSES) from refused


class Assignment(BaseModel):
    engineer_id: str
    reason: Reason


@router.post("/tickets/{ticket_id}/assign")
async def assign(ticket_id: str, assignment: Assignment, database: Database, actor: Actor) -> dict[str, Any]:
    """Give the ticket to an engineer, or move it from the one who has it, with the reason."""
    try:
        async with database.unit_of_work() as uow:
            status = await steering.assign_by_hand(
                uow, ticket_id, assignment.engineer_id, reason=assignment.reason, actor=actor, now=datetime.now(UTC)
            )
    except Refused as refused:
        raise Problem.of(refused, STATUSES) from refused
    return {"ticket_id": ticket_id, "engineer_id": assignment.engineer_id, "status": status.value}


class Escalation(BaseModel):
    reason: EscalationReason = Field(description="repair, replacement, vendor_visit or technical_question.")
    findings: Reason = Field(description="What was found, in the engineer's words; the partner reads it.")
    asset_tag: Identifier | None = Field(default=None, description="The device; default: the one the ticket names.")
    vendor_code: Code | None = Field(default=None, description="Default: the device's vendor partner.")


@router.post("/tickets/{ticket_id}/escalate", dependencies=[Depends(engineer_owns_ticket)])
async def escalate(ticket_id: str, escalation: Escalation, database: Database, actor: Actor) -> dict[str, Any]:
    """Escalate to the manufacturer: the ticket waits for the vendor (its resolution clock paused)."""
    try:
        async with database.unit_of_work() as uow:
            escalation_id = await escalations.escalate(
                uow,
                ticket_id,
                reason=escalation.reason,
                findings=escalation.findings,
                asset_tag=escalation.asset_tag,
                vendor_code=escalation.vendor_code,
                actor=actor,
                now=datetime.now(UTC),
            )
    except Refused as refused:
        raise Problem.of(refused, STATUSES) from refused
    return {"ticket_id": ticket_id, "escalation_id": escalation_id, "status": "paused"}


@router.get("/tickets/{ticket_id}/escalations")
async def ticket_escalations(ticket_id: str, database: Database, caller: Caller) -> list[dict[str, Any]]:
    async with database.connect() as connection:
        found = await escalation_rows.of_ticket(connection, ticket_id)
    return customer_view.escalations(found) if caller.customer_only else found


class SwapReport(BaseModel):
    new_serial_number: Serial = Field(description="The serial of the device now in place, from its label.")
    loaner: bool = Field(default=False, description="A loaner standing in while the faulty device is away.")
    asset_tag: Identifier | None = Field(
        default=None, description="The device's place; default: the one the ticket names."
    )
    old_serial_number: Serial | None = Field(default=None, description="Default: the serial the ticket names.")
    new_model: Name | None = Field(default=None, description="When the new device is another model.")
    new_warranty_until: Day | None = None
    rma_number: Identifier | None = None
    case_number: Identifier | None = Field(
        default=None, description="The vendor case it ends; default: found by device."
    )


@router.post("/tickets/{ticket_id}/swaps", status_code=201, dependencies=[Depends(engineer_owns_ticket)])
async def swap_device(ticket_id: str, report: SwapReport, database: Database, actor: Actor) -> dict[str, Any]:
    """The engineer swapped a device on site: the register follows, and a replacement ends the vendor case."""
    try:
        async with database.unit_of_work() as uow:
            swapped = await swaps.swap_device(
                uow, ticket_id, swaps.Swap(**report.model_dump()), actor=actor, now=datetime.now(UTC)
            )
    except Refused as refused:
        raise Problem.of(refused, STATUSES) from refused
    return swapped.model_dump(mode="json")
