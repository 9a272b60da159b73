"""The quality desk's complaints and their handling."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from services.console.web.pages import PageRoute
from services.console.web.rendering import page
from services.console.web.sessions import Session, require
from services.console.web.upstream import Services
from shared.identity import Role

router = APIRouter(route_class=PageRoute)
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
