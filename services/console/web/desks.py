"""The quality desk's complaints and their handling, the engineer's open tickets (their phone pages
come with the field app), and the administrator's people, sites and contracts, policies and partners."""

from __future__ import annotations

import asyncio
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from services.console import people
from services.console.db import people as people_rows
from services.console.domain.people import Person, PersonRefused
from services.console.web.pages import PageRoute
from services.console.web.rendering import page
from services.console.web.sessions import Session, require
from services.console.web.upstream import ServiceRefused, Upstream, optional, upstream
from shared.identity import Role

router = APIRouter(route_class=PageRoute)
Services = Annotated[Upstream, Depends(upstream)]
DESK = (Role.QUALITY, Role.MANAGER)


@router.get("/quality")
async def quality_desk(request: Request, session: Session, services: Services) -> HTMLResponse:
    require(session, *DESK)
    cases = await services.get(session.person, "dispatch", "/quality/cases")
    return page(request, "quality.html", session, cases=cases)


@router.post("/quality/cases/{case_id}/take")
async def take_case(request: Request, session: Session, services: Services, case_id: int) -> Response:
    require(session, *DESK)
    await services.post(session.person, "dispatch", f"/quality/cases/{case_id}/take", {"owner": session.person.name})
    return RedirectResponse("/quality", status_code=303)


@router.post("/quality/cases/{case_id}/answer")
async def answer_case(
    request: Request,
    session: Session,
    services: Services,
    case_id: int,
    handling: Annotated[str, Form()],
    answer: Annotated[str, Form()],
) -> Response:
    require(session, *DESK)
    await services.post(
        session.person, "dispatch", f"/quality/cases/{case_id}/answer", {"handling": handling, "answer": answer}
    )
    return RedirectResponse("/quality", status_code=303)


@router.get("/engineer")
async def engineer_day(request: Request, session: Session, services: Services) -> HTMLResponse:
    require(session, Role.ENGINEER)
    tickets = await services.get(session.person, "dispatch", "/tickets")
    mine = [ticket for ticket in tickets if ticket["engineer_id"] == session.person.engineer_id]
    return page(request, "engineer.html", session, tickets=mine)


@router.get("/admin")
async def admin_page(request: Request, session: Session, services: Services) -> HTMLResponse:
    require(session)  # administrators only
    async with request.app.state.runtime.database.connect() as connection:
        everyone = await people_rows.everyone(connection)
    sites, policies, partners = await asyncio.gather(
        services.get(session.person, "intake", "/sites"),
        services.get(session.person, "sla", "/policies"),
        optional(services.get(session.person, "vendor", "/partners")),
    )
    return page(
        request,
        "admin.html",
        session,
        people=everyone,
        sites=sites,
        policies=policies,
        partners=partners,
        roles=list(Role),
    )


@router.post("/admin/people")
async def add_person(
    request: Request,
    session: Session,
    username: Annotated[str, Form()],
    name: Annotated[str, Form()],
    role: Annotated[list[Role], Form()],
    password: Annotated[str, Form()],
    engineer_id: Annotated[str, Form()] = "",
    site_code: Annotated[str, Form()] = "",
) -> Response:
    """Add a person, or change one (their password too)."""
    require(session)
    person = Person(
        username.strip(), name.strip(), frozenset(role), engineer_id.strip() or None, site_code.strip() or None
    )
    try:
        async with request.app.state.runtime.database.connect() as connection:
            await people.keep(connection, person, password)
            await connection.commit()
    except PersonRefused as refused:
        raise ServiceRefused(422, refused.reason, refused.message) from refused
    return RedirectResponse("/admin", status_code=303)
