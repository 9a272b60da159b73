"""The engineer's phone: their open tickets and today's inspection visits, nearest deadline first, each
ticket's moves and report with the customer's signature, and the visit's checklist. It works offline:
a service worker keeps the pages, and every action is queued on the phone with its own key and the
moment it was done, then sent here in order once the phone is back online (static/field.js)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse
from pydantic import AwareDatetime, BaseModel, Field

from services.console.db import conflicts
from services.console.domain.phone import NotAnAction, QueuedAction, call_for
from services.console.web import field_pages
from services.console.web.field_offline import device_on_site, lifecycle
from services.console.web.names import names_of
from services.console.web.pages import PageRoute
from services.console.web.refusals import refusal_words
from services.console.web.rendering import language_of, page, translations
from services.console.web.said import Sayer
from services.console.web.sessions import Session, WebSession, require
from services.console.web.upstream import ServiceRefused, Services, optional
from shared.identity import Role

router = APIRouter(route_class=PageRoute)
REFUSALS = frozenset({400, 403, 404, 409, 413, 422})  # the service said no: sending again will not change it
NOT_YET = frozenset({"request_in_progress"})  # the same action's first copy is still in hand: send it later


@router.get("/field/")
async def my_work(request: Request, session: Session, services: Services) -> HTMLResponse:
    require(session, Role.ENGINEER)
    person = session.person
    work = await field_pages.my_work(services, person, datetime.now(UTC))
    async with request.app.state.runtime.database.connect() as connection:
        refused = await conflicts.recent(connection, username=person.username, limit=10)
    return page(request, "field_work.html", session, **work, refused=refused)


@router.get("/field/tickets/{ticket_id}")
async def ticket_in_the_field(request: Request, session: Session, services: Services, ticket_id: str) -> HTMLResponse:
    require(session, Role.ENGINEER)
    person = session.person
    site_code = ticket_id.split("-", 1)[0]  # a ticket's number starts with its site's code
    site = names_of(request.app.state).sites.get(site_code, {})
    ticket, reported, clocks, more, moves = await asyncio.gather(
        services.get(person, "dispatch", f"/tickets/{ticket_id}"),
        services.get(person, "intake", f"/tickets/{ticket_id}"),
        optional(services.get(person, "sla", f"/tickets/{ticket_id}/clocks")),
        field_pages.on_the_ticket(services, person, ticket_id, site_code, site),
        lifecycle(services, person),
    )
    device = await device_on_site(services, person, reported)  # on the page itself: there offline too
    return page(
        request,
        "field_ticket.html",
        session,
        ticket=ticket,
        reported=reported,
        clocks=clocks,
        moves=moves,
        device=device,
        **more,
    )


@router.get("/field/visits/{visit_id}")
async def visit_in_the_field(request: Request, session: Session, services: Services, visit_id: str) -> HTMLResponse:
    require(session, Role.ENGINEER)
    visits = await services.get(session.person, "dispatch", "/inspections/visits", status="open")
    visit = next((v for v in visits if v["visit_id"] == visit_id), None)
    if visit is None:
        raise ServiceRefused(404, "unknown_visit", f"no open inspection visit {visit_id}")
    site_code = visit["site_code"]
    site = names_of(request.app.state).sites.get(site_code, {})
    plans, where = await asyncio.gather(
        services.get(session.person, "dispatch", f"/sites/{site_code}/inspection-plans"),
        field_pages.to_the_site(services, session.person, site_code, site),
    )
    plan: dict[str, Any] = next((p for p in plans if p["code"] == visit["plan_code"]), {"checklist": []})
    return page(request, "field_visit.html", session, visit=visit, checklist=plan["checklist"], **where)


class PhoneAction(BaseModel):
    key: str = Field(min_length=8, max_length=200, pattern=r"^[A-Za-z0-9._:-]+$")
    kind: str = Field(max_length=20)
    target: str = Field(min_length=1, max_length=100)
    action: str | None = Field(default=None, max_length=20)
    at: AwareDatetime
    fields: dict[str, str] = Field(default_factory=dict, max_length=1_000)  # a long checklist: 3 per item


@router.post("/field/actions")
async def carry_out(request: Request, session: Session, services: Services, sent: PhoneAction) -> JSONResponse:
    """One queued action, carried out once whatever the number of times the phone sends it. A refusal
    (the ticket was reassigned or closed meanwhile) is answered `ok: false` and kept for the manager;
    a service out of reach is a 503, and the phone sends the action again later."""
    require(session, Role.ENGINEER)
    queued = QueuedAction(sent.key, sent.kind, sent.target, sent.at, sent.action, sent.fields)
    try:
        call = call_for(queued)
        answer = await services.send(
            session.person, "POST", call.service, call.path, json=call.body, headers={"Idempotency-Key": sent.key}
        )
    except NotAnAction as wrong:
        return await _refused(request, session, queued, ServiceRefused(422, "not_an_action", str(wrong)))
    except ServiceRefused as refused:
        return await _answer_to_refusal(request, session, queued, refused)
    told = answer.json()
    flagged = told.get("arrival") if isinstance(told, dict) else None
    if isinstance(flagged, dict) and flagged.get("doubt"):
        # An arrival dispatch flagged: said on the phone at once, in the words of the ticket's page.
        return JSONResponse({"ok": True, "answer": told, "arrival_words": _arrival_words(request, flagged)})
    return JSONResponse({"ok": True, "answer": told})


def _arrival_words(request: Request, facts: dict[str, Any]) -> str:
    language = language_of(request)
    names = names_of(request.app.state)
    return Sayer(translations(language).gettext, language, names.subsystem, lambda code: code).arrival(facts)


async def _answer_to_refusal(
    request: Request, session: WebSession, queued: QueuedAction, refused: ServiceRefused
) -> JSONResponse:
    """A refusal is kept and told; a service out of reach, or still handling the first copy, is a 503:
    the phone keeps the action and sends it again later."""
    if refused.status not in REFUSALS or refused.error in NOT_YET:
        return JSONResponse({"ok": False, "error": refused.error, "message": refused.message}, status_code=503)
    return await _refused(request, session, queued, refused)


async def _refused(
    request: Request, session: WebSession, queued: QueuedAction, refused: ServiceRefused
) -> JSONResponse:
    async with request.app.state.runtime.database.connect() as connection:
        await conflicts.keep(
            connection,
            key=queued.key,
            username=session.person.username,
            kind=queued.kind,
            target=queued.target,
            action=queued.action,
            happened_at=queued.at,
            error=refused.error,
            message=refused.message,
        )
        await connection.commit()
    # `words`: why, in the reader's language, for the phone to show beside the action.
    why = refusal_words(language_of(request), translations(language_of(request)).gettext)(refused)
    return JSONResponse({"ok": False, "error": refused.error, "message": refused.message, "words": why})


@router.post("/field/photos")
async def add_photo(
    request: Request,
    session: Session,
    services: Services,
    key: Annotated[str, Query(min_length=8, max_length=200, pattern=r"^[A-Za-z0-9._:-]+$")],
    ticket_id: Annotated[str, Query(min_length=1, max_length=100)],
    kind: Annotated[str, Query(pattern="^(before|after|label)$")],
    taken_at: AwareDatetime,
) -> JSONResponse:
    """A photo the phone took (resized there), the picture itself as the body; like every queued
    action, carried out once under its key, its refusal kept for the manager."""
    require(session, Role.ENGINEER)
    queued = QueuedAction(key, "photo", ticket_id, taken_at, kind)
    media_type = request.headers.get("content-type", "image/jpeg")
    try:
        answer = await services.send(
            session.person,
            "POST",
            "archive",
            f"/tickets/{ticket_id}/photos",
            params={"kind": kind, "taken_at": taken_at.isoformat()},
            content=await request.body(),
            headers={"Idempotency-Key": key, "Content-Type": media_type},
        )
    except ServiceRefused as refused:
        return await _answer_to_refusal(request, session, queued, refused)
    return JSONResponse({"ok": True, "answer": answer.json()})
