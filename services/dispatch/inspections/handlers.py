"""Dispatch's HTTP API for planned inspections, appointments and the engineer's day."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError

from services.dispatch.inspections import repository as inspection_rows
from services.dispatch.inspections import visits as inspections
from services.dispatch.inspections.domain import ChecklistItem, InspectionPlan, ItemResult
from services.dispatch.inspections.ownership import engineer_owns_visit
from services.dispatch.tickets import lookups as ticket_lookups
from services.dispatch.tickets.ownership import engineer_owns_ticket
from shared.calendar_queries import Day
from shared.days import AwareMoment
from shared.http import Actor, Database, Problem
from shared.refusals import Refused

router = APIRouter(tags=["dispatch: planned inspections"])

STATUSES = {"unknown_site": 404, "unknown_visit": 404, "unknown_ticket": 404, "visit_done": 409}
STATUSES |= {"plan_of_another_site": 409}


class PlanTerms(BaseModel):
    """An inspection plan as the service manager enters it (its code is in the path)."""

    model_config = ConfigDict(extra="forbid")

    subsystem: str
    title: str
    repeat: str = Field(description="RFC 5545 RRULE: FREQ=MONTHLY;BYDAY=1MO is the first Monday of each month.")
    starts_on: Day
    window_working_days: int = 3
    checklist: list[ChecklistItem]


@router.get("/sites/{site_code}/inspection-plans")
async def list_plans(site_code: str, database: Database) -> list[dict[str, Any]]:
    async with database.connect() as connection:
        return await inspection_rows.plans_of(connection, site_code)


@router.put("/sites/{site_code}/inspection-plans/{code}")
async def put_plan(site_code: str, code: str, terms: PlanTerms, database: Database, actor: Actor) -> dict[str, Any]:
    """Add or change a plan; answers with the day of its next visit."""
    try:
        plan = InspectionPlan(code=code, **terms.model_dump())
        async with database.unit_of_work() as uow:
            next_on = await inspections.put_plan(uow.connection, site_code, plan, actor=actor, now=datetime.now(UTC))
    except ValidationError as invalid:
        message = "; ".join(error["msg"].removeprefix("Value error, ") for error in invalid.errors())
        raise Problem(422, "invalid_plan", message) from invalid
    except Refused as refused:
        raise Problem.of(refused, STATUSES) from refused
    return {"code": code, "next_visit_on": next_on}


@router.get("/inspections/visits")
async def list_visits(
    database: Database, site_code: str | None = None, status: str | None = None, overdue: bool = False
) -> list[dict[str, Any]]:
    """Visits by site and status (open, done, missed); `overdue=true` lists open visits past their window."""
    async with database.connect() as connection:
        return await inspection_rows.visits(connection, site_code=site_code, status=status, overdue=overdue)


@router.get("/inspections/visits/{visit_id}/results")
async def visit_results(visit_id: str, database: Database) -> list[dict[str, Any]]:
    """Each checklist item's result, with the ticket a failed item opened once intake opened it."""
    async with database.connect() as connection:
        results = await inspection_rows.results_of(connection, visit_id)
        opened = await ticket_lookups.tickets_found_at(connection, visit_id)
    return [{**result, "ticket_id": opened.get(result["item_code"])} for result in results]


class ResultEntry(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: str
    passed: bool | None = None
    value: float | None = None
    note: Annotated[str, StringConstraints(strip_whitespace=True, max_length=500)] | None = None


class Results(BaseModel):
    items: list[ResultEntry]
    done_at: AwareMoment | None = Field(
        default=None, description="When the visit was made (a phone offline at the time sends it later); default: now."
    )


@router.post("/inspections/visits/{visit_id}/results", dependencies=[Depends(engineer_owns_visit)])
async def record_results(visit_id: str, results: Results, database: Database, actor: Actor) -> dict[str, Any]:
    """Record every checklist item of the visit; each failed item is reported to intake as a fault."""
    try:
        async with database.unit_of_work() as uow:
            findings = await inspections.record_results(
                uow,
                visit_id,
                [ItemResult(r.code, r.passed, r.value, r.note) for r in results.items],
                engineer=actor,
                now=datetime.now(UTC),
                done_at=results.done_at,
            )
    except Refused as refused:
        raise Problem.of(refused, STATUSES) from refused
    return {"visit_id": visit_id, "failed": [f.item.code for f in findings if f.failed]}


class Appointment(BaseModel):
    starts_at: AwareMoment
    ends_at: AwareMoment
    agreed_with: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]


@router.post("/inspections/visits/{visit_id}/appointment", dependencies=[Depends(engineer_owns_visit)])
async def book_visit(visit_id: str, appointment: Appointment, database: Database) -> dict[str, Any]:
    """The time window agreed with the customer (malls want work outside opening hours)."""
    try:
        async with database.unit_of_work() as uow:
            await inspections.book_visit(
                uow.connection,
                visit_id,
                starts=appointment.starts_at,
                ends=appointment.ends_at,
                agreed_with=appointment.agreed_with,
            )
    except Refused as refused:
        raise Problem.of(refused, STATUSES) from refused
    return {"visit_id": visit_id, **appointment.model_dump()}


@router.post("/tickets/{ticket_id}/appointment", dependencies=[Depends(engineer_owns_ticket)])
async def book_ticket(ticket_id: str, appointment: Appointment, database: Database) -> dict[str, Any]:
    """The time window agreed with the customer for a job that is not urgent."""
    try:
        async with database.unit_of_work() as uow:
            await inspections.book_ticket(
                uow.connection,
                ticket_id,
                starts=appointment.starts_at,
                ends=appointment.ends_at,
                agreed_with=appointment.agreed_with,
            )
    except Refused as refused:
        raise Problem.of(refused, STATUSES) from refused
    return {"ticket_id": ticket_id, **appointment.model_dump()}


@router.get("/engineers/{engineer_id}/day")
async def engineers_day(engineer_id: str, day: Day, site_code: str, database: Database) -> list[dict[str, Any]]:
    """The engineer's day: visits and open jobs, those with an agreed window first, in its order."""
    try:
        async with database.connect() as connection:
            return await inspections.engineers_day(connection, engineer_id, day, site_code)
    except Refused as refused:
        raise Problem.of(refused, STATUSES) from refused
