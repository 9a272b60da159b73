"""The administrator's page of dead letters: every service's dead-letter queues, each letter with the
reason it died, and sending them back once the cause is fixed (one letter, or a queue's all)."""

from __future__ import annotations

import asyncio
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from services.console.web.pages import PageRoute
from services.console.web.rendering import page
from services.console.web.sessions import Session, WebSession, require
from services.console.web.upstream import ServiceRefused, Services, Upstream, optional

router = APIRouter(route_class=PageRoute)
LETTERS_SHOWN = 20


@router.get("/admin/dead-letters")
async def dead_letters_page(request: Request, session: Session, services: Services) -> HTMLResponse:
    require(session)  # administrators only: a letter holds the message whole
    found = await asyncio.gather(*(_of_service(services, session, name) for name in services.urls))
    return page(request, "dead_letters.html", session, services=[entry for entry in found if entry["queues"]])


async def _of_service(services: Upstream, session: WebSession, name: str) -> dict[str, Any]:
    queues = await optional(services.get(session.person, name, "/dead-letters")) or []
    waiting = [queue for queue in queues if queue["waiting"]]
    letters = await asyncio.gather(
        *(services.get(session.person, name, f"/dead-letters/{q['queue']}", limit=LETTERS_SHOWN) for q in waiting)
    )
    return {"name": name, "queues": [{**q, "letters": found} for q, found in zip(waiting, letters, strict=True)]}


@router.post("/admin/dead-letters/{service}/{queue}/replay")
async def replay(
    session: Session,
    services: Services,
    service: str,
    queue: str,
    message_id: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    """Send one letter back (`message_id`), or every letter of the queue."""
    require(session)
    if service not in services.urls:
        raise ServiceRefused(404, "unknown_service", f"no service {service!r}")
    body = {"message_id": message_id} if message_id else {"limit": 10_000}
    await services.post(session.person, service, f"/dead-letters/{queue}/replay", body)
    return RedirectResponse("/admin/dead-letters", status_code=303)
