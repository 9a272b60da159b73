"""The lists of tickets people watch: every open ticket, those awaiting assignment, those at risk, and a
month's tickets for the reports."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from services.dispatch.common.sites import sites
from services.dispatch.followups.lookups import last_satisfaction
from services.dispatch.roster.lookups import engineer_names
from services.dispatch.tickets.domain.lifecycle import Status
from services.dispatch.tickets.tables import assignments, ticket_history, tickets
from shared.persistence.database import dicts_of


async def queue(connection: AsyncConnection, *, waiting: bool, site_code: str | None) -> list[dict[str, Any]]:
    """Tickets waiting for an engineer (`waiting`), or at risk and still not accepted, oldest first, each
    at risk with the pages its site's chain has sent (`pages`)."""
    query = select(
        tickets.c.ticket_id,
        tickets.c.site_code,
        tickets.c.subsystem,
        tickets.c.kind,
        tickets.c.priority,
        tickets.c.status,
        tickets.c.reported_at,
        tickets.c.waiting_since,
        tickets.c.waiting_why,
        tickets.c.waiting_facts,
        tickets.c.at_risk_since,
        assignments.c.engineer_id,
    ).outerjoin(assignments, assignments.c.ticket_id == tickets.c.ticket_id)
    if waiting:
        query = query.where(tickets.c.status == Status.AWAITING_ASSIGNMENT).order_by(tickets.c.waiting_since)
    else:
        query = query.where(
            tickets.c.at_risk_since.is_not(None),
            tickets.c.status.in_([Status.AWAITING_ASSIGNMENT, Status.ASSIGNED]),
        ).order_by(tickets.c.at_risk_since)
    if site_code is not None:
        query = query.where(tickets.c.site_code == site_code)
    found = [dict(row._mapping) for row in await connection.execute(query)]
    if not waiting:  # whom the paging chain has woken for each, in order
        pages = await _pages(connection, [row["ticket_id"] for row in found])
        found = [{**row, "pages": pages.get(row["ticket_id"], [])} for row in found]
    return found


async def _pages(connection: AsyncConnection, ticket_ids: list[str]) -> dict[str, list[dict[str, Any]]]:
    rows = await connection.execute(
        select(ticket_history.c.ticket_id, ticket_history.c.at, ticket_history.c.facts)
        .where(ticket_history.c.ticket_id.in_(ticket_ids), ticket_history.c.action == "paged")
        .order_by(ticket_history.c.id)
    )
    pages: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        pages.setdefault(row.ticket_id, []).append({**(row.facts or {}), "at": row.at})
    return pages


async def open_tickets(connection: AsyncConnection, *, site_code: str | None) -> list[dict[str, Any]]:
    """Every ticket not closed yet, oldest report first, with who holds it and the id of its latest
    history row (`last_history_id`: a note or any other row added to the ticket changes it, for a page
    kept on a phone to know it reads differently now; an index lookup per ticket)."""
    names = engineer_names()
    last_history = (
        select(func.max(ticket_history.c.id))
        .where(ticket_history.c.ticket_id == tickets.c.ticket_id)
        .scalar_subquery()
        .label("last_history_id")
    )
    query = (
        select(
            tickets.c.ticket_id,
            tickets.c.site_code,
            tickets.c.subsystem,
            tickets.c.kind,
            tickets.c.priority,
            tickets.c.status,
            tickets.c.queue,
            tickets.c.reported_at,
            tickets.c.waiting_why,
            tickets.c.waiting_facts,
            tickets.c.at_risk_since,
            tickets.c.device,
            tickets.c.reporter,
            tickets.c.appointment_starts,
            tickets.c.appointment_ends,
            assignments.c.engineer_id,
            names.c.engineer_name,
            last_history,
        )
        .outerjoin(assignments, assignments.c.ticket_id == tickets.c.ticket_id)
        .outerjoin(names, names.c.engineer_id == assignments.c.engineer_id)
        .where(tickets.c.status != Status.CLOSED)
        .order_by(tickets.c.reported_at)
    )
    if site_code is not None:
        query = query.where(tickets.c.site_code == site_code)
    return dicts_of(await connection.execute(query))


async def reported_in(connection: AsyncConnection, site_code: str, first: date, after: date) -> list[dict[str, Any]]:
    """The site's tickets reported in [first, after) on the site's own calendar, with who held each and
    the satisfaction of its last follow-up call that reached the customer."""
    last_score = last_satisfaction(tickets.c.ticket_id)
    names = engineer_names()
    local_report = func.timezone(sites.c.timezone, tickets.c.reported_at)
    query = (
        select(
            tickets.c.ticket_id,
            tickets.c.subsystem,
            tickets.c.kind,
            tickets.c.status,
            tickets.c.reported_at,
            assignments.c.engineer_id,
            names.c.engineer_name,
            last_score.label("satisfaction"),
        )
        .join(sites, sites.c.code == tickets.c.site_code)
        .outerjoin(assignments, assignments.c.ticket_id == tickets.c.ticket_id)
        .outerjoin(names, names.c.engineer_id == assignments.c.engineer_id)
        .where(tickets.c.site_code == site_code, local_report >= first, local_report < after)
        .order_by(tickets.c.reported_at)
    )
    return [dict(row._mapping) for row in await connection.execute(query)]
