"""Dispatch's HTTP API for the service manager and the engineer beyond the ticket's moves: the queues
to watch, a ticket's candidates, assigning by hand, the engineers and their duty roster, escalating to a
vendor partner and swapping a device on site."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Response
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, StringConstraints

from services.dispatch import escalations, steering, swaps
from services.dispatch.db import escalations as escalation_rows
from services.dispatch.db import queues, roster
from services.dispatch.domain import customer_view
from services.dispatch.domain.roster import DutyKind
from services.dispatch.ownership import engineer_owns_ticket
from shared.calendar_queries import Month, month_span
from shared.contracts.bounds import Code, Identifier, Name
from shared.contracts.partners import EscalationReason
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


@router.get("/engineers")
async def list_engineers(database: Database) -> list[dict[str, Any]]:
    """Every engineer, with skills and the sites served."""
    async with database.connect() as connection:
        return await roster.engineers_list(connection)


@router.get("/sites/{site_code}/roster")
async def site_roster(
    site_code: str,
    database: Database,
    at: Annotated[AwareDatetime | None, Query(description="The moment to look at; default now.")] = None,
) -> list[dict[str, Any]]:
    """The engineers serving a site, each with where they stand at that moment and their open tickets."""
    async with database.connect() as connection:
        engineers = await roster.roster(connection, site_code, at or datetime.now(UTC))
    return [
        {
            "engineer_id": e.engineer_id,
            "name": e.name,
            "skills": sorted(e.skills),
            "duty": e.duty.value,
            "available": e.available,
            "open_tickets": e.open_tickets,
            "max_open_tickets": e.max_open_tickets,
        }
        for e in engineers
    ]


class DutyEntry(BaseModel):
    """A shift, an on-call period or leave, in the site's local time (no offset)."""

    model_config = ConfigDict(extra="forbid")

    kind: DutyKind
    site_code: str = Field(description="The site whose time zone the times are in.")
    starts: datetime = Field(description="Local start, e.g. 2026-12-01T08:30 (of the first occurrence).")
    ends: datetime = Field(description="Local end, e.g. 2026-12-01T18:00.")
    repeat: str | None = Field(default=None, description="RFC 5545 RRULE, e.g. FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR.")
    note: str | None = None


@router.get("/engineers/{engineer_id}/duty")
async def engineer_duty(engineer_id: str, database: Database) -> list[dict[str, Any]]:
    """The engineer's shifts, on-call periods and leave."""
    async with database.connect() as connection:
        periods = await roster.periods_of(connection, [engineer_id])
    return [
        {key: value for key, value in row._mapping.items() if key != "engineer_id"}
        for row, _ in periods.get(engineer_id, [])
    ]


@router.post("/engineers/{engineer_id}/duty", status_code=201)
async def add_duty(engineer_id: str, entry: DutyEntry, database: Database, actor: Actor) -> dict[str, Any]:
    """Add a shift, on-call period or leave. Tickets waiting for someone are looked at again within the
    waiting interval (DISPATCH_RECURRING_INTERVAL_SECONDS)."""
    try:
        async with database.unit_of_work() as uow:
            period_id = await steering.add_duty(
                uow.connection,
                engineer_id,
                kind=entry.kind,
                starts=entry.starts,
                ends=entry.ends,
                repeat=entry.repeat,
                site_code=entry.site_code,
                note=entry.note,
                actor=actor,
            )
    except Refused as refused:
        raise Problem.of(refused, STATUSES) from refused
    return {"id": period_id, "engineer_id": engineer_id}


@router.delete("/engineers/{engineer_id}/duty/{period_id}", status_code=204)
async def remove_duty(engineer_id: str, period_id: int, database: Database) -> None:
    async with database.unit_of_work() as uow:
        if not await roster.remove_period(uow.connection, engineer_id, period_id):
            raise Problem(404, "unknown_period", f"engineer {engineer_id} has no duty period {period_id}")


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
    new_warranty_until: date | None = None
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
