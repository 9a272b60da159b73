"""The e-mail hotline's page for the office: the mails the hotline could not place (from an unknown
sender, naming no site or several, a system the words do not name) or held back (a flood), each with
why, and the operator's triage of each: make a ticket of it at the site they choose, add it to a ticket
as the customer's comment, or set it aside with why. Below, the mails lately received and what each became."""

from __future__ import annotations

import asyncio
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from services.console.web.pages import PageRoute
from services.console.web.rendering import LABELS, page
from services.console.web.sessions import Session, require
from services.console.web.upstream import Services
from shared.identity import Role

router = APIRouter(route_class=PageRoute)
OFFICE = (Role.OPERATOR, Role.MANAGER)
RECENT = 50


@router.get("/mail")
async def mail_page(request: Request, session: Session, services: Services) -> HTMLResponse:
    require(session, *OFFICE)
    person = session.person
    unmatched, throttled, recent, sites = await asyncio.gather(
        services.get(person, "intake", "/mail", status="unmatched", limit=200),
        services.get(person, "intake", "/mail", status="throttled", limit=200),
        services.get(person, "intake", "/mail", limit=RECENT),
        services.get(person, "intake", "/sites"),
    )
    waiting = sorted([*unmatched, *throttled], key=lambda mail: mail["received_at"])
    return page(request, "mail.html", session, waiting=_worded(waiting), recent=_worded(recent), sites=sites)


def _worded(mails: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each mail with the label of why it became what it did, where the console has words for it (a
    refusal's own code otherwise: a new one reads as itself rather than as nothing)."""
    return [{**mail, "why_label": f"mail_why_{mail['why']}" if f"mail_why_{mail['why']}" in LABELS else None}
            for mail in mails]  # fmt: skip


@router.post("/mail/{mail_id}/ticket")
async def make_ticket(
    session: Session,
    services: Services,
    mail_id: str,
    site_code: Annotated[str, Form(max_length=40)],
    subsystem: Annotated[str, Form(max_length=40)] = "",
    kind: Annotated[str, Form(max_length=40)] = "",
) -> Response:
    require(session, *OFFICE)
    body = {"site_code": site_code, "subsystem": subsystem or None, "kind": kind or None}
    made = await services.post(session.person, "intake", f"/mail/{mail_id}/ticket", body)
    return RedirectResponse(f"/tickets/{made['ticket_id']}", status_code=303)


@router.post("/mail/{mail_id}/add-to-ticket")
async def add_to_ticket(
    session: Session, services: Services, mail_id: str, ticket_id: Annotated[str, Form(max_length=40)]
) -> Response:
    require(session, *OFFICE)
    await services.post(session.person, "intake", f"/mail/{mail_id}/add-to-ticket", {"ticket_id": ticket_id.strip()})
    return RedirectResponse(f"/tickets/{ticket_id.strip()}", status_code=303)


@router.post("/mail/{mail_id}/dismiss")
async def dismiss(
    session: Session, services: Services, mail_id: str, reason: Annotated[str, Form(min_length=1, max_length=500)]
) -> Response:
    require(session, *OFFICE)
    await services.post(session.person, "intake", f"/mail/{mail_id}/dismiss", {"reason": reason})
    return RedirectResponse("/mail", status_code=303)
