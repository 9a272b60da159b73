"""The service manager's desk: the live board of open tickets with their countdowns, the tickets
nobody could take and those at risk, a ticket's candidates and assigning it by hand, the follow-up
calls due with the form to record one, and what waits elsewhere (vendor cases, inspection visits, dead
letters)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from services.console.db import conflicts as phone_conflicts
from services.console.domain.board import board
from services.console.web.pages import PageRoute
from services.console.web.rendering import page
from services.console.web.sessions import Session, WebSession, require
from services.console.web.upstream import Services, Upstream, optional
from shared.identity import Role

router = APIRouter(route_class=PageRoute)
WATCHES = (Role.MANAGER, Role.OPERATOR, Role.QUALITY)
VISITS_SHOWN = 10


@router.get("/board")
async def board_page(request: Request, session: Session, services: Services) -> HTMLResponse:
    require(session, *WATCHES)
    person = session.person
    waiting, at_risk, due, cases, visits, doubtful, *dead = await asyncio.gather(
        services.get(person, "dispatch", "/queues/awaiting-assignment"),
        services.get(person, "dispatch", "/queues/at-risk"),
        _calls_to_make(services, session),
        optional(services.get(person, "vendor", "/cases", open=True)),
        optional(services.get(person, "dispatch", "/inspections/visits", status="open")),
        optional(services.get(person, "dispatch", "/arrivals", flagged=True, limit=VISITS_SHOWN)),
        *(optional(services.get(person, name, "/dead-letters")) for name in services.urls),
    )
    async with request.app.state.runtime.database.connect() as connection:
        refused_on_phones = await phone_conflicts.recent(connection, limit=VISITS_SHOWN)
    return page(
        request,
        "board.html",
        session,
        refused_on_phones=refused_on_phones,
        rows=await _rows(services, session),
        waiting=waiting,
        at_risk=at_risk,
        due=due,
        cases=cases,
        visits=visits[:VISITS_SHOWN],
        doubtful_arrivals=doubtful,
        dead_letters=[queue for queues in dead for queue in queues if queue["waiting"]],
    )


@router.get("/board/tickets")
async def board_rows(request: Request, session: Session, services: Services) -> HTMLResponse:
    """The open tickets alone (an htmx fragment), refreshed whenever one moves."""
    require(session, *WATCHES)
    return page(request, "_board_rows.html", session, rows=await _rows(services, session))


async def _rows(services: Upstream, session: WebSession) -> list[object]:
    tickets, clocks = await asyncio.gather(
        services.get(session.person, "dispatch", "/tickets"), services.get(session.person, "sla", "/clocks")
    )
    return list(board(tickets, clocks, datetime.now(UTC)))


@router.get("/tickets/{ticket_id}")
async def ticket_page(request: Request, session: Session, services: Services, ticket_id: str) -> HTMLResponse:
    """A ticket: where it stands, its clocks, its history, and (for the manager) who could take it."""
    person = session.person
    ticket, reported, clocks, history = await asyncio.gather(
        services.get(person, "dispatch", f"/tickets/{ticket_id}"),
        services.get(person, "intake", f"/tickets/{ticket_id}"),
        optional(services.get(person, "sla", f"/tickets/{ticket_id}/clocks")),
        services.get(person, "dispatch", f"/tickets/{ticket_id}/history"),
    )
    steering = session.has(Role.MANAGER)
    candidates = await services.get(person, "dispatch", f"/tickets/{ticket_id}/candidates") if steering else []
    told: list[object] = []
    if person.roles != {Role.CUSTOMER}:  # who was told is the office's business; notify down: not shown
        told = await optional(services.get(person, "notify", f"/tickets/{ticket_id}/notifications"))
    return page(
        request,
        "ticket.html",
        session,
        ticket=ticket,
        reported=reported,
        clocks=clocks,
        history=history,
        candidates=candidates,
        steering=steering,
        told=told,
    )


@router.post("/tickets/{ticket_id}/assign")
async def assign(
    request: Request,
    session: Session,
    services: Services,
    ticket_id: str,
    engineer_id: Annotated[str, Form()],
    reason: Annotated[str, Form()],
) -> Response:
    require(session, Role.MANAGER)
    await services.post(
        session.person, "dispatch", f"/tickets/{ticket_id}/assign", {"engineer_id": engineer_id, "reason": reason}
    )
    return RedirectResponse(f"/tickets/{ticket_id}", status_code=303)


@router.get("/follow-ups")
async def follow_ups(request: Request, session: Session, services: Services) -> HTMLResponse:
    require(session, Role.MANAGER, Role.OPERATOR, Role.QUALITY)
    return page(request, "follow_ups.html", session, due=await _calls_to_make(services, session))


async def _calls_to_make(services: Upstream, session: WebSession) -> list[dict[str, Any]]:
    """Follow-up calls due, and those missed that may still be made late, earliest first."""
    due, missed = await asyncio.gather(
        services.get(session.person, "dispatch", "/follow-ups", status="due"),
        services.get(session.person, "dispatch", "/follow-ups", status="missed"),
    )
    return sorted([*due, *missed], key=lambda call: str(call["due_at"]))


@router.post("/tickets/{ticket_id}/follow-up")
async def record_follow_up(
    request: Request,
    session: Session,
    services: Services,
    ticket_id: str,
    reached: Annotated[str, Form()],
    satisfaction: Annotated[str, Form()] = "",
    comments: Annotated[str, Form()] = "",
) -> Response:
    """Record the call: satisfied closes the ticket, dissatisfied reopens it and opens a quality case."""
    require(session, Role.MANAGER, Role.OPERATOR, Role.QUALITY)
    answered = reached == "yes"
    outcome = await services.post(
        session.person,
        "dispatch",
        f"/tickets/{ticket_id}/follow-up",
        {
            "reached": answered,
            "satisfaction": int(satisfaction) if answered and satisfaction.isdigit() else None,
            "comments": comments.strip() or None,
        },
    )
    return page(request, "_follow_up_done.html", session, ticket_id=ticket_id, outcome=outcome["outcome"])
