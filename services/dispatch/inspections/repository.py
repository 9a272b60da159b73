"""Dispatch's reads and writes of inspection plans, visits and their results, and of appointments."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Date, Row, cast, func, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from services.dispatch.common.sites import sites
from services.dispatch.inspections.domain import Finding, InspectionPlan
from services.dispatch.inspections.tables import inspection_plans, inspection_results, inspection_visits
from services.dispatch.tickets.lookups import open_tickets_of_day


def plan_of(row: Row[Any]) -> InspectionPlan:
    return InspectionPlan.model_validate(row.plan)


async def save_plan(
    connection: AsyncConnection, site_code: str, plan: InspectionPlan, *, next_on: date | None, actor: str
) -> None:
    row = {
        "code": plan.code,
        "site_code": site_code,
        "subsystem": plan.subsystem,
        "plan": plan.model_dump(mode="json"),
        "active": True,
        "next_occurrence_on": next_on,
        "updated_by": actor,
        "updated_at": func.now(),
    }
    await connection.execute(
        insert(inspection_plans).values(row).on_conflict_do_update(index_elements=[inspection_plans.c.code], set_=row)
    )


async def plan_site(connection: AsyncConnection, code: str) -> str | None:
    site: str | None = await connection.scalar(
        select(inspection_plans.c.site_code).where(inspection_plans.c.code == code)
    )
    return site


async def plans_of(connection: AsyncConnection, site_code: str) -> list[dict[str, Any]]:
    rows = await connection.execute(
        select(inspection_plans).where(inspection_plans.c.site_code == site_code).order_by(inspection_plans.c.code)
    )
    return [{**row.plan, "active": row.active, "next_occurrence_on": row.next_occurrence_on} for row in rows]


def _site_today(now: datetime) -> Any:
    """The date at each site, from its time zone."""
    return cast(func.timezone(sites.c.timezone, now), Date)


async def claim_due_plans(connection: AsyncConnection, now: datetime, limit: int) -> list[Row[Any]]:
    """Lock active plans whose next occurrence has come (at the site), with the site's time zone;
    plans another replica holds are skipped."""
    rows = await connection.execute(
        select(inspection_plans, sites.c.timezone)
        .join(sites, sites.c.code == inspection_plans.c.site_code)
        .where(inspection_plans.c.active, inspection_plans.c.next_occurrence_on <= _site_today(now))
        .order_by(inspection_plans.c.next_occurrence_on)
        .limit(limit)
        .with_for_update(of=inspection_plans, skip_locked=True)
    )
    return list(rows)


async def advance(connection: AsyncConnection, code: str, next_on: date | None) -> None:
    await connection.execute(
        update(inspection_plans).where(inspection_plans.c.code == code).values(next_occurrence_on=next_on)
    )


async def open_visit(connection: AsyncConnection, **values: Any) -> bool:
    """Open a visit; False if the plan's visit for that occurrence exists already."""
    result = await connection.execute(
        insert(inspection_visits)
        .values(status="open", **values)
        .on_conflict_do_nothing()
        .returning(inspection_visits.c.visit_id)
    )
    return result.first() is not None


async def still_open_visits(connection: AsyncConnection, plan_code: str, before: date) -> list[Row[Any]]:
    rows = await connection.execute(
        select(inspection_visits)
        .where(
            inspection_visits.c.plan_code == plan_code,
            inspection_visits.c.status == "open",
            inspection_visits.c.occurrence_on < before,
        )
        .with_for_update()
    )
    return list(rows)


async def set_status(connection: AsyncConnection, visit_id: str, status: str) -> None:
    await connection.execute(
        update(inspection_visits).where(inspection_visits.c.visit_id == visit_id).values(status=status)
    )


async def claim_newly_overdue(connection: AsyncConnection, now: datetime, limit: int) -> list[Row[Any]]:
    """Lock open visits past the last day of their window and not yet flagged overdue."""
    rows = await connection.execute(
        select(inspection_visits)
        .join(sites, sites.c.code == inspection_visits.c.site_code)
        .where(
            inspection_visits.c.status == "open",
            inspection_visits.c.overdue_since.is_(None),
            inspection_visits.c.due_by < _site_today(now),
        )
        .limit(limit)
        .with_for_update(of=inspection_visits, skip_locked=True)
    )
    return list(rows)


async def flag_overdue(connection: AsyncConnection, visit_ids: list[str], at: datetime) -> None:
    if visit_ids:
        await connection.execute(
            update(inspection_visits).where(inspection_visits.c.visit_id.in_(visit_ids)).values(overdue_since=at)
        )


async def visit(connection: AsyncConnection, visit_id: str) -> Row[Any] | None:
    return (await connection.execute(select(inspection_visits).where(inspection_visits.c.visit_id == visit_id))).first()


async def visit_for_update(connection: AsyncConnection, visit_id: str) -> Row[Any] | None:
    query = (
        select(inspection_visits, inspection_plans.c.plan)
        .join(inspection_plans, inspection_plans.c.code == inspection_visits.c.plan_code)
        .where(inspection_visits.c.visit_id == visit_id)
        .with_for_update(of=inspection_visits)
    )
    return (await connection.execute(query)).first()


async def complete(
    connection: AsyncConnection, visit_id: str, findings: list[Finding], *, by: str, at: datetime, late: bool
) -> None:
    await connection.execute(
        inspection_results.insert(),
        [
            {
                "visit_id": visit_id,
                "item_code": f.item.code,
                "passed": f.result.passed,
                "value": f.result.value,
                "note": f.result.note,
                "failed": f.failed,
            }
            for f in findings
        ],
    )
    await connection.execute(
        update(inspection_visits)
        .where(inspection_visits.c.visit_id == visit_id)
        .values(status="done", completed_at=at, completed_by=by, late=late)
    )


async def set_visit_appointment(
    connection: AsyncConnection, visit_id: str, *, starts: datetime, ends: datetime, agreed_with: str
) -> bool:
    result = await connection.execute(
        update(inspection_visits)
        .where(inspection_visits.c.visit_id == visit_id, inspection_visits.c.status == "open")
        .values(appointment_starts=starts, appointment_ends=ends, appointment_agreed_with=agreed_with)
    )
    return bool(result.rowcount)


async def visits(
    connection: AsyncConnection, *, site_code: str | None, status: str | None, overdue: bool
) -> list[dict[str, Any]]:
    query = select(inspection_visits).order_by(inspection_visits.c.scheduled_on, inspection_visits.c.visit_id)
    if site_code is not None:
        query = query.where(inspection_visits.c.site_code == site_code)
    if status is not None:
        query = query.where(inspection_visits.c.status == status)
    if overdue:
        query = query.where(inspection_visits.c.status == "open", inspection_visits.c.overdue_since.is_not(None))
    return [dict(row._mapping) for row in await connection.execute(query)]


async def results_of(connection: AsyncConnection, visit_id: str) -> list[dict[str, Any]]:
    rows = await connection.execute(select(inspection_results).where(inspection_results.c.visit_id == visit_id))
    return [dict(row._mapping) for row in rows]


async def engineers_day(
    connection: AsyncConnection, engineer_id: str, day: date, timezone: str
) -> list[dict[str, Any]]:
    """The engineer's visits and open tickets for a day (site time): by appointment first, in order of
    the agreed windows, then the rest."""
    local_day = cast(func.timezone(timezone, inspection_visits.c.appointment_starts), Date)
    visit_rows = await connection.execute(
        select(inspection_visits).where(
            inspection_visits.c.engineer_id == engineer_id,
            inspection_visits.c.status == "open",
            (local_day == day)
            | (inspection_visits.c.appointment_starts.is_(None) & (inspection_visits.c.scheduled_on <= day)),
        )
    )
    ticket_rows = await open_tickets_of_day(connection, engineer_id, day, timezone)
    items = [
        {
            "what": "inspection",
            "id": row.visit_id,
            "site_code": row.site_code,
            "title": row.title,
            "starts": row.appointment_starts,
            "ends": row.appointment_ends,
            "agreed_with": row.appointment_agreed_with,
            "due_by": row.due_by,
        }
        for row in visit_rows
    ] + [
        {
            "what": "ticket",
            "id": row.ticket_id,
            "site_code": row.site_code,
            "title": f"{row.kind} {row.subsystem} ({row.priority})",
            "starts": row.appointment_starts,
            "ends": row.appointment_ends,
            "agreed_with": row.appointment_agreed_with,
            "due_by": None,
        }
        for row in ticket_rows
    ]
    return sorted(items, key=lambda item: (item["starts"] is None, item["starts"] or datetime.max, item["id"]))
