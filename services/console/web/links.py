"""Tickets that belong together, linked from the console: the quality desk names the job a complaint is
about; the operator or the service manager merges a repeat report into the open ticket of its problem
(from the ticket's page, or from the call's receipt when the same place already had an open ticket)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from services.console.web.pages import PageRoute
from services.console.web.sessions import Session, require
from services.console.web.upstream import Services
from shared.identity import Role

router = APIRouter(route_class=PageRoute)
LINKS_TICKETS = (Role.OPERATOR, Role.MANAGER, Role.QUALITY)


@router.post("/tickets/{ticket_id}/links")
async def link_tickets(
    request: Request,
    session: Session,
    services: Services,
    ticket_id: str,
    linked_ticket_id: Annotated[str, Form()],
    relation: Annotated[str, Form()],  # dispatch knows the relations, and says which in the person's page
    reason: Annotated[str, Form()] = "",
) -> Response:
    require(session, *LINKS_TICKETS)
    body = {"ticket_id": linked_ticket_id.strip(), "relation": relation, "reason": reason.strip() or None}
    await services.post(session.person, "dispatch", f"/tickets/{ticket_id}/links", body)
    return RedirectResponse(f"/tickets/{ticket_id}#links", status_code=303)
