"""The service manager's desk: the live board of open tickets with their countdowns, the tickets
nobody could take and those at risk, a ticket's candidates and assigning it by hand, the follow-up
calls due with the form to record one, and what waits elsewhere (vendor cases, inspection visits, dead
letters)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, ConfigDict, Field, field_validator

from services.console.db import conflicts as phone_conflicts
from services.console.domain.board import Risk, board, narrowed
from services.console.domain.ticket_list import Pages
from services.console.web.pages import PageRoute
from services.console.web.rendering import page
from services.console.web.sessions import Session, WebSession, require
from services.console.web.upstream import ServiceRefused, Services, Upstream, optional
from shared.identity import Role

router = APIRouter(route_class=PageRoute)
WATCHES = (Role.MANAGER, Role.OPERATOR, Role.QUALITY)
VISITS_SHOWN = 10
ROWS_PER_PAGE = 50
FINISHED = frozenset({"resolved", "closed"})


class BoardView(BaseModel):
    """Which open tickets the board shows: a site's, an engineer's, those of one risk; a page of them."""

    model_config = ConfigDict(extra="ignore")

    site_code: str | None = Field(None, max_length=100)
    engineer_id: str | None = Field(None, max_length=100)
    risk: Risk | None = None
    page: int = Field(1, ge=1, le=10_000)

    @field_validator("site_code", "engineer_id", "risk", mode="before")
    @classmethod
    def _blank_is_none(cls, value: object) -> object:
        return value or None

    def link(self, **changes: object) -> str:
        asked = {**self.model_dump(mode="json", exclude_none=True), **changes}
        return urlencode({key: value for key, value in asked.items() if value is not None and value != ""})


View = Annotated[BoardView, Query()]


@router.get("/board")
async def board_page(request: Request, session: Session, services: Services, view: View) -> HTMLResponse:
    require(session, *WATCHES)
    person, site = session.person, view.site_code  # a site chosen: every part of the board is that site's
    rows, waiting, at_risk, due, cases, visits, doubtful, sites, engineers, *dead = await asyncio.gather(
        _rows(services, session, view),
        services.get(person, "dispatch", "/queues/awaiting-assignment", site_code=site),
        services.get(person, "dispatch", "/queues/at-risk", site_code=site),
        _calls_to_make(services, session, site),
        optional(services.get(person, "vendor", "/cases", open=True)),
        optional(services.get(person, "dispatch", "/inspections/visits", status="open", site_code=site)),
        optional(services.get(person, "dispatch", "/arrivals", flagged=True, limit=VISITS_SHOWN, site_code=site)),
        optional(services.get(person, "intake", "/sites")),
        optional(services.get(person, "dispatch", "/engineers")),
        *(optional(services.get(person, name, "/dead-letters")) for name in services.urls),
    )
    async with request.app.state.runtime.database.connect() as connection:
        refused_on_phones = await phone_conflicts.recent(connection, limit=VISITS_SHOWN * 5 if site else VISITS_SHOWN)
    if site is not None:  # a vendor case and a phone's action name their ticket (or visit), whose number starts so
        cases = [case for case in cases if str(case.get("ticket_id", "")).startswith(f"{site}-")]
        refused_on_phones = [r for r in refused_on_phones if str(r["target"]).startswith(f"{site}-")][:VISITS_SHOWN]
    return page(
        request,
        "board.html",
        session,
        refused_on_phones=refused_on_phones,
        **rows,
        sites=sites or [],
        engineers=engineers or [],
        risks=list(Risk),
        waiting=waiting,
        at_risk=at_risk,
        due=due,
        cases=cases,
        visits=visits[:VISITS_SHOWN],
        doubtful_arrivals=doubtful,
        dead_letters=_dead_letters_by_service(services.urls, dead),
    )


def _dead_letters_by_service(names: Iterable[str], answers: list[Any]) -> list[dict[str, Any]]:
    """How many letters wait in each service's dead-letter queues (the board names the service; the
    administrator's page the queues)."""
    waiting = {name: sum(queue["waiting"] for queue in queues) for name, queues in zip(names, answers, strict=True)}
    return [{"service": name, "waiting": count} for name, count in waiting.items() if count]


@router.get("/board/tickets")
async def board_rows(request: Request, session: Session, services: Services, view: View) -> HTMLResponse:
    """The open tickets alone (an htmx fragment), refreshed whenever one moves."""
    require(session, *WATCHES)
    return page(request, "_board_rows.html", session, **await _rows(services, session, view))


async def _rows(services: Upstream, session: WebSession, view: BoardView) -> dict[str, Any]:
    """A page of the open tickets the view asks for, the most urgent first, and where it is among the pages."""
    tickets, clocks = await asyncio.gather(
        services.get(session.person, "dispatch", "/tickets", site_code=view.site_code),
        services.get(session.person, "sla", "/clocks", site_code=view.site_code),
    )
    rows = narrowed(board(tickets, clocks, datetime.now(UTC)), engineer_id=view.engineer_id, risk=view.risk)
    pages = Pages.of(len(rows), view.page, ROWS_PER_PAGE)
    start = (view.page - 1) * ROWS_PER_PAGE
    return {"rows": rows[start : start + ROWS_PER_PAGE], "shown": len(rows), "pages": pages, "view": view}


@router.get("/tickets/{ticket_id}")
async def ticket_page(request: Request, session: Session, services: Services, ticket_id: str) -> HTMLResponse:
    """A ticket: where it stands, its clocks, its history, and (for the manager) who could take it."""
    person = session.person
    site = ticket_id.split("-", 1)[0]
    ticket, reported, clocks, history, documents, photos = await asyncio.gather(
        _as_dispatch_has_it(services, person, ticket_id),
        services.get(person, "intake", f"/tickets/{ticket_id}"),
        optional(services.get(person, "sla", f"/tickets/{ticket_id}/clocks")),
        services.get(person, "dispatch", f"/tickets/{ticket_id}/history"),
        optional(services.get(person, "archive", "/documents", ticket_id=ticket_id, site_code=site)),
        optional(services.get(person, "archive", f"/tickets/{ticket_id}/photos")),
    )
    # Who could take it, and the form to give it to them, while someone must still work on it.
    steering = session.has(Role.MANAGER) and ticket["status"] not in FINISHED
    candidates = []
    if steering:  # none while dispatch has not heard of a ticket just opened
        candidates = await optional(services.get(person, "dispatch", f"/tickets/{ticket_id}/candidates"))
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
        documents=list({d["code"]: d for d in reversed(documents or [])}.values()),  # each once, its latest version
        photos=photos or [],
    )


async def _as_dispatch_has_it(services: Upstream, person: Any, ticket_id: str) -> dict[str, Any]:
    """The ticket at dispatch; new, when intake has just opened it and dispatch has not heard of it yet
    (the page right after a report). Intake's answer says whether it exists at all."""
    try:
        return dict(await services.get(person, "dispatch", f"/tickets/{ticket_id}"))
    except ServiceRefused as refused:
        if refused.status != 404:
            raise
        return {"ticket_id": ticket_id, "status": "new", "links": []}


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


@router.post("/tickets/{ticket_id}/notes")
async def write_note(
    request: Request,
    session: Session,
    services: Services,
    ticket_id: str,
    text: Annotated[str, Form()],  # dispatch bounds it, and says so in the person's page
    for_customer: Annotated[bool, Form()] = False,
) -> Response:
    require(session, Role.OPERATOR, Role.MANAGER, Role.ENGINEER, Role.QUALITY)
    text = text.replace("\r\n", "\n")  # a browser sends each line break of a textarea as two characters
    await services.post(
        session.person, "dispatch", f"/tickets/{ticket_id}/notes", {"text": text, "for_customer": for_customer}
    )
    return RedirectResponse(f"/tickets/{ticket_id}#history", status_code=303)


@router.get("/follow-ups")
async def follow_ups(request: Request, session: Session, services: Services, site_code: str = "") -> HTMLResponse:
    require(session, Role.MANAGER, Role.OPERATOR, Role.QUALITY)
    due = await _calls_to_make(services, session, site_code or None)
    return page(request, "follow_ups.html", session, due=due, site_code=site_code)


async def _calls_to_make(services: Upstream, session: WebSession, site_code: str | None = None) -> list[dict[str, Any]]:
    """Follow-up calls due (at one site, or every site), and those missed that may still be made late,
    earliest first."""
    due, missed = await asyncio.gather(
        services.get(session.person, "dispatch", "/follow-ups", status="due", site_code=site_code),
        services.get(session.person, "dispatch", "/follow-ups", status="missed", site_code=site_code),
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
