"""The customer's representative: their site's open tickets, equipment register and documents (each
PDF in the reader's language, and as filed), and the monthly and quarterly registers to read and sign.
Staff see any site."""

from __future__ import annotations

import asyncio
from datetime import date, datetime
from typing import Annotated
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from services.console.web.pages import PageRoute
from services.console.web.rendering import language_of, page
from services.console.web.sessions import NotForYou, Session, WebSession, require, settings_of
from services.console.web.upstream import Services
from shared.http import file_named
from shared.identity import Role

router = APIRouter(route_class=PageRoute)
SIGNS_AS = {Role.CUSTOMER: "customer", Role.MANAGER: "integrator"}


def site_shown(session: WebSession, asked: str | None) -> str:
    """The site the page shows: a representative's own, or the one staff asked for."""
    own = session.person.site_code
    if session.person.roles == {Role.CUSTOMER}:
        if asked and asked != own:
            raise NotForYou("customer of " + asked)
        return own or ""
    if not asked:
        raise NotForYou("customer")
    return asked


@router.get("/site")
async def site_page(
    request: Request, session: Session, services: Services, site_code: str | None = None
) -> HTMLResponse:
    if session.person.roles != {Role.CUSTOMER} and not site_code:
        sites = await services.get(session.person, "intake", "/sites")
        return page(request, "sites.html", session, sites=sites)
    site = site_shown(session, site_code)
    person = session.person
    tickets, equipment, documents, registers = await asyncio.gather(
        services.get(person, "dispatch", "/tickets", site_code=site),
        services.get(person, "intake", f"/sites/{site}/equipment"),
        services.get(person, "archive", "/documents", site_code=site, limit=50),
        services.get(person, "archive", f"/sites/{site}/registers"),
    )
    return page(
        request,
        "site.html",
        session,
        site_code=site,
        tickets=tickets,
        equipment=equipment,
        documents=documents,
        registers=list(reversed(registers)),
    )


@router.get("/documents/{code}.pdf")
async def document_pdf(request: Request, session: Session, services: Services, code: str) -> Response:
    """The document in the reader's language: a reading copy the archive typesets from what was filed,
    naming the filed original (beside it, `original.pdf`) and that original's SHA-256."""
    language = language_of(request)
    response = await services.send(
        session.person, "GET", "archive", f"/documents/{code}/pdf", params={"lang": language}
    )
    return Response(
        response.content,
        media_type="application/pdf",
        headers=file_named(f"{code}.{language}.pdf", inline=True),
    )


@router.get("/documents/{code}/original.pdf")
async def filed_original(session: Session, services: Services, code: str) -> Response:
    """The document's PDF as filed (bilingual), whose SHA-256 the site's chain holds."""
    response = await services.send(session.person, "GET", "archive", f"/documents/{code}/pdf")
    return Response(
        response.content,
        media_type="application/pdf",
        headers=file_named(f"{code}.pdf", inline=True),
    )


@router.get("/registers/{code}")
async def register_page(request: Request, session: Session, services: Services, code: str) -> HTMLResponse:
    register = await services.get(session.person, "archive", f"/registers/{code}")
    party = next((party for role, party in SIGNS_AS.items() if role in session.person.roles), None)
    signed = {signature["party"] for signature in register["signatures"]}
    # A month's or a quarter's register is signed once its period has ended; an acceptance register
    # records a handover, and is signed at it.
    today = datetime.now(ZoneInfo(settings_of(request).timezone)).date()
    ended = register.get("kind") == "acceptance" or date.fromisoformat(register["last_day"]) < today
    return page(
        request,
        "register.html",
        session,
        register=register,
        period_open=not ended,
        party=party if ended and party not in signed and register["status"] == "draft" else None,
    )


@router.post("/sites/{site_code}/registers")
async def draw_up_register(
    session: Session,
    services: Services,
    site_code: str,
    kind: Annotated[str, Form(pattern="^(monthly|quarterly)$")],
    period: Annotated[str, Form(max_length=10)] = "",
) -> Response:
    """Draw up the site's register of a month or a quarter (a new version of one not signed yet), for
    both parties to read and sign."""
    require(session, Role.MANAGER)
    drawn = await services.post(
        session.person, "archive", f"/sites/{site_code}/registers", {"kind": kind, "period": period.strip() or None}
    )
    return RedirectResponse(f"/registers/{drawn['code']}", status_code=303)


@router.post("/registers/{code}/sign")
async def sign_register(
    request: Request,
    session: Session,
    services: Services,
    code: str,
    version: Annotated[int, Form()],
    name: Annotated[str, Form()],
    role_title: Annotated[str, Form()],
    signature_png: Annotated[str, Form()] = "",
) -> Response:
    """Sign the version read, with the signature drawn on the page."""
    require(session, Role.CUSTOMER, Role.MANAGER)
    party = next((party for role, party in SIGNS_AS.items() if role in session.person.roles), "integrator")
    await services.post(
        session.person,
        "archive",
        f"/registers/{code}/signatures",
        {
            "version": version,
            "party": party,
            "name": name,
            "role": role_title,
            "signature_png": signature_png.removeprefix("data:image/png;base64,") or None,
        },
    )
    return RedirectResponse(f"/registers/{code}", status_code=303)
