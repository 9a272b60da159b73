"""The customer's representative reports and follows up themselves: a problem at their site (a device
from its register or a subsystem, their words, a contact, photos), comments on their tickets, and their
own answer to the follow-up (which counts as the call; a dissatisfied one reopens the ticket). Their
requests reach intake by the channel `portal`."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from services.console.web.names import names_of
from services.console.web.pages import PageRoute
from services.console.web.rendering import page
from services.console.web.sessions import Session, require
from services.console.web.upstream import Services
from shared.contracts import Priority, RequestChannel
from shared.identity import Role

router = APIRouter(route_class=PageRoute)
WHOLE_SUBSYSTEM = ""  # the `about` choice of a subsystem as a whole, no device named


@router.get("/report")
async def report_form(request: Request, session: Session, services: Services) -> HTMLResponse:
    """What the customer may report about: each subsystem of their site, and its devices in service."""
    require(session, Role.CUSTOMER)
    site = session.person.site_code or ""
    devices = await services.get(session.person, "intake", f"/sites/{site}/equipment", status="in_service")
    named = names_of(request.app.state).sites.get(site, {}).get("subsystem_names") or {}
    subsystems = sorted({*named, *(device["subsystem"] for device in devices)})
    return page(
        request,
        "report.html",
        session,
        site_code=site,
        about=[(code, [d for d in devices if d["subsystem"] == code]) for code in subsystems],
    )


@router.post("/report")
async def report(
    request: Request,
    session: Session,
    services: Services,
    about: Annotated[str, Form()],  # "<subsystem>" or "<subsystem>|<asset tag>"
    description: Annotated[str, Form()],
    contact_name: Annotated[str, Form()],
    contact_phone: Annotated[str, Form()] = "",
    urgent: Annotated[bool, Form()] = False,
) -> Response:
    """Open the ticket as the customer's own request; then their page, where the photos follow."""
    require(session, Role.CUSTOMER)
    subsystem, _, asset_tag = about.partition("|")
    receipt = await services.post(
        session.person,
        "intake",
        "/requests",
        {
            "site_code": session.person.site_code,
            "subsystem": subsystem,
            "asset_tag": asset_tag or None,
            "description": description.replace("\r\n", "\n"),
            "channel": RequestChannel.PORTAL.value,
            "priority": (Priority.HIGH if urgent else Priority.NORMAL).value,
            "reporter": {"name": contact_name, "phone": contact_phone or None},
        },
    )
    return RedirectResponse(f"/tickets/{receipt['ticket_id']}?reported={receipt['status']}", status_code=303)


@router.post("/tickets/{ticket_id}/reported-photos")
async def add_reported_photo(
    request: Request,
    session: Session,
    services: Services,
    ticket_id: str,
    taken_at: Annotated[str | None, Query(max_length=40)] = None,
) -> JSONResponse:
    """A photo of the problem as the customer sees it, resized by their browser: the picture itself as
    the body, kept by the archive with the ticket."""
    require(session, Role.CUSTOMER)
    answer = await services.send(
        session.person,
        "POST",
        "archive",
        f"/tickets/{ticket_id}/photos",
        params={"kind": "from_customer", "taken_at": taken_at},
        content=await request.body(),
        headers={"Content-Type": request.headers.get("content-type", "image/jpeg")},
    )
    return JSONResponse(answer.json(), status_code=201)


@router.post("/tickets/{ticket_id}/comments")
async def comment(
    request: Request, session: Session, services: Services, ticket_id: str, text: Annotated[str, Form()]
) -> Response:
    require(session, Role.CUSTOMER)
    body = {"text": text.replace("\r\n", "\n")}
    await services.post(session.person, "dispatch", f"/tickets/{ticket_id}/comments", body)
    return RedirectResponse(f"/tickets/{ticket_id}#history", status_code=303)


@router.post("/tickets/{ticket_id}/follow-up/answer")
async def answer_follow_up(
    request: Request,
    session: Session,
    services: Services,
    ticket_id: str,
    satisfaction: Annotated[int, Form()],
    comments: Annotated[str, Form()] = "",
) -> Response:
    """Their own answer to the follow-up: it counts as the call."""
    require(session, Role.CUSTOMER)
    body: dict[str, Any] = {"satisfaction": satisfaction, "comments": comments.replace("\r\n", "\n") or None}
    await services.post(session.person, "dispatch", f"/tickets/{ticket_id}/follow-up/answer", body)
    return RedirectResponse(f"/tickets/{ticket_id}?answered=1#follow-up", status_code=303)
