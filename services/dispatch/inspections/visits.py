"""Planned inspections: the use cases behind the plans, the opening of each visit when it falls due
(once, however many dispatch processes run), the recording of its results, and appointments.

A failed checklist item is reported to intake as a service request on its own queue
(`intake.requests`, channel `inspection`, the visit and item as the request id), so it becomes a
fault ticket with the same clocks and path as a customer's call.
"""

from __future__ import annotations

import hashlib
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncConnection

from services.dispatch.common import site_calendars, sites
from services.dispatch.inspections import repository as inspections
from services.dispatch.inspections.domain import (
    Finding,
    InspectionPlan,
    ItemResult,
    ResultsRefused,
    due_by,
    judge,
    scheduled_on,
)
from services.dispatch.roster import repository as roster
from services.dispatch.tickets import repository
from shared.contracts import (
    InspectionFinding,
    InspectionItemResult,
    InspectionVisitCompleted,
    InspectionVisitMissed,
    InspectionVisitOpened,
    InspectionVisitOverdue,
    Priority,
    Reporter,
    RequestChannel,
    ServiceKind,
    SubmitServiceRequest,
)
from shared.messaging.unit_of_work import UnitOfWork
from shared.refusals import Refused

INTAKE_QUEUE = "intake.requests"
MAX_REQUEST_ID = 100  # intake.submit_request's request_id


def finding_request_id(visit_id: str, item_code: str) -> str:
    """The request id of a failed item, the same every time it is sent: the visit and the item, or the
    item's digest where both would not fit."""
    joined = f"{visit_id}/{item_code}"
    if len(joined) <= MAX_REQUEST_ID:
        return joined
    return f"{visit_id}/{hashlib.sha256(item_code.encode()).hexdigest()[:16]}"


URGENT = frozenset({Priority.HIGH, Priority.CRITICAL})


def local_today(now: datetime, timezone: str) -> date:
    return now.astimezone(ZoneInfo(timezone)).date()


async def put_plan(
    connection: AsyncConnection, site_code: str, plan: InspectionPlan, *, actor: str, now: datetime
) -> date | None:
    """Add or change a site's plan; returns the day of its next visit."""
    timezone = await sites.timezone_of(connection, site_code)
    if timezone is None:
        raise Refused("unknown_site", f"dispatch knows no site {site_code!r}")
    owner_site = await inspections.plan_site(connection, plan.code)
    if owner_site is not None and owner_site != site_code:
        raise Refused("plan_of_another_site", f"plan {plan.code} belongs to site {owner_site}")
    if await roster.owner_of(connection, site_code, plan.subsystem) is None:
        raise Refused("unknown_subsystem", f"site {site_code} has no owner for subsystem {plan.subsystem!r}")
    next_on = plan.occurrence_on_or_after(max(plan.starts_on, local_today(now, timezone)))
    await inspections.save_plan(connection, site_code, plan, next_on=next_on, actor=actor)
    return next_on


async def open_due_visits(uow: UnitOfWork, *, now: datetime, limit: int) -> int:
    """Open the visit of every plan whose next occurrence has come; a visit of the same plan still not
    made is missed. Returns how many visits were opened."""
    opened = 0
    for row in await inspections.claim_due_plans(uow.connection, now, limit):
        plan = inspections.plan_of(row)
        calendar = (await site_calendars.calendar_of_site(uow.connection, row.site_code)).business_calendar()
        occurrence = row.next_occurrence_on
        for missed in await inspections.still_open_visits(uow.connection, plan.code, before=occurrence):
            await inspections.set_status(uow.connection, missed.visit_id, "missed")
            uow.publish(
                InspectionVisitMissed(
                    visit_id=missed.visit_id,
                    site_code=missed.site_code,
                    subsystem=missed.subsystem,
                    due_by=missed.due_by,
                ),
                correlation_id=missed.visit_id,
            )
        day = scheduled_on(occurrence, calendar)
        visit_id = f"{plan.code}-{occurrence:%Y%m%d}"
        engineer = await roster.owner_of(uow.connection, row.site_code, plan.subsystem)
        values = {
            "visit_id": visit_id,
            "plan_code": plan.code,
            "site_code": row.site_code,
            "subsystem": plan.subsystem,
            "title": plan.title,
            "occurrence_on": occurrence,
            "scheduled_on": day,
            "due_by": due_by(day, plan.window_working_days, calendar),
            "engineer_id": engineer,
            "opened_at": now,
        }
        if await inspections.open_visit(uow.connection, **values):
            opened += 1
            uow.publish(
                InspectionVisitOpened(
                    visit_id=visit_id,
                    plan_code=plan.code,
                    site_code=row.site_code,
                    subsystem=plan.subsystem,
                    title=plan.title,
                    scheduled_on=day,
                    due_by=values["due_by"],
                    engineer_id=engineer,
                ),
                correlation_id=visit_id,
            )
        await inspections.advance(uow.connection, plan.code, plan.occurrence_after(occurrence))
    return opened


async def flag_overdue(uow: UnitOfWork, *, now: datetime, limit: int) -> int:
    rows = await inspections.claim_newly_overdue(uow.connection, now, limit)
    await inspections.flag_overdue(uow.connection, [row.visit_id for row in rows], now)
    for row in rows:
        uow.publish(
            InspectionVisitOverdue(
                visit_id=row.visit_id, site_code=row.site_code, subsystem=row.subsystem, due_by=row.due_by
            ),
            correlation_id=row.visit_id,
        )
    return len(rows)


CLOCK_SKEW = timedelta(minutes=2)  # a phone's clock may run a little ahead


async def record_results(
    uow: UnitOfWork,
    visit_id: str,
    results: list[ItemResult],
    *,
    engineer: str,
    now: datetime,
    done_at: datetime | None = None,
) -> list[Finding]:
    """Record every checklist item of a visit, made at `done_at` (a phone that was offline sends it
    later; default now); each failed item is reported to intake as a fault."""
    if done_at is not None and done_at > now + CLOCK_SKEW:
        raise Refused("in_the_future", f"done_at {done_at.isoformat()} is ahead of dispatch's clock")
    now = done_at or now
    row = await inspections.visit_for_update(uow.connection, visit_id)
    if row is None:
        raise Refused("unknown_visit", f"no inspection visit {visit_id!r}")
    if row.status == "done":
        raise Refused("visit_done", f"visit {visit_id} was made on {row.completed_at:%Y-%m-%d} by {row.completed_by}")
    plan = InspectionPlan.model_validate(row.plan)
    try:
        findings = judge(plan.checklist, results)
    except ResultsRefused as refused:
        raise Refused("invalid_results", str(refused)) from refused
    timezone = await sites.timezone_of(uow.connection, row.site_code) or sites.DEFAULT_TIMEZONE
    late = local_today(now, timezone) > row.due_by
    await inspections.complete(uow.connection, visit_id, findings, by=engineer, at=now, late=late)
    failed = [f for f in findings if f.failed]
    for finding in failed:
        uow.send(
            SubmitServiceRequest(
                request_id=finding_request_id(visit_id, finding.item.code),
                site_code=row.site_code,
                subsystem=row.subsystem,
                asset_tag=finding.item.asset_tag,
                description=f"Inspection {visit_id} found a fault: {finding.describe()}",
                channel=RequestChannel.INSPECTION,
                reporter=Reporter(name=engineer, organisation="inspection"),
                reported_at=now,
                kind=ServiceKind.FAULT,
                found_at=InspectionFinding(visit_id=visit_id, item_code=finding.item.code, item_text=finding.item.text),
            ),
            routing_key=INTAKE_QUEUE,
            correlation_id=visit_id,
        )
    uow.publish(
        InspectionVisitCompleted(
            visit_id=visit_id,
            plan_code=row.plan_code,
            site_code=row.site_code,
            subsystem=row.subsystem,
            title=row.title,
            scheduled_on=row.scheduled_on,
            engineer_id=engineer,
            completed_at=now,
            late=late,
            results=[_result(f) for f in findings],
            faults_reported=len(failed),
        ),
        correlation_id=visit_id,
    )
    return findings


def _result(finding: Finding) -> InspectionItemResult:
    return InspectionItemResult(
        code=finding.item.code,
        text=finding.item.text,
        kind=finding.item.kind.value,
        passed=finding.result.passed,
        value=finding.result.value,
        unit=finding.item.unit,
        expected=finding.item.expected(),
        failed=finding.failed,
        note=finding.result.note,
        asset_tag=finding.item.asset_tag,
    )


async def book_visit(
    connection: AsyncConnection, visit_id: str, *, starts: datetime, ends: datetime, agreed_with: str
) -> None:
    _check_window(starts, ends)
    if not await inspections.set_visit_appointment(
        connection, visit_id, starts=starts, ends=ends, agreed_with=agreed_with
    ):
        raise Refused("unknown_visit", f"no open inspection visit {visit_id!r}")


async def book_ticket(
    connection: AsyncConnection, ticket_id: str, *, starts: datetime, ends: datetime, agreed_with: str
) -> None:
    """Agree a time window with the customer for a job that is not urgent."""
    _check_window(starts, ends)
    ticket = await repository.ticket_for_update(connection, ticket_id)
    if ticket is None:
        raise Refused("unknown_ticket", f"dispatch has no ticket {ticket_id!r}")
    if ticket.priority in URGENT:
        raise Refused(
            "urgent_job", f"ticket {ticket_id} is {ticket.priority.value} priority: it is not put off to an appointment"
        )
    await repository.set_appointment(connection, ticket_id, starts=starts, ends=ends, agreed_with=agreed_with)


def _check_window(starts: datetime, ends: datetime) -> None:
    if ends <= starts:
        raise Refused("invalid_window", "the agreed window ends after it starts")


async def engineers_day(
    connection: AsyncConnection, engineer_id: str, day: date, site_code: str
) -> list[dict[str, Any]]:
    timezone = await sites.timezone_of(connection, site_code)
    if timezone is None:
        raise Refused("unknown_site", f"dispatch knows no site {site_code!r}")
    return await inspections.engineers_day(connection, engineer_id, day, timezone)
