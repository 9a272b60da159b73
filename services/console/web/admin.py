"""The administrator's pages: the people who may sign in, and the documents that govern the contract,
each kept by the service that owns it: a site's maintenance contracts (intake), the SLA policies (the
SLA service) and the vendor partners' agreements (vendor). A document is edited as the JSON its service
takes; the service checks it and says what is wrong, and the text typed is kept for the next try."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from services.console import people
from services.console.db import people as people_rows
from services.console.domain.people import Person, PersonRefused
from services.console.web.pages import PageRoute
from services.console.web.rendering import language_of, page, translations
from services.console.web.sessions import Session, WebSession, require
from services.console.web.upstream import ServiceRefused, Services, Upstream, optional
from shared.identity import Role

router = APIRouter(route_class=PageRoute)


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
    contracts = await asyncio.gather(
        *(services.get(session.person, "intake", f"/sites/{site['code']}/contracts") for site in sites)
    )
    return page(
        request,
        "admin.html",
        session,
        people=everyone,
        sites=list(zip(sites, contracts, strict=True)),
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
    active: Annotated[str, Form()] = "",
) -> Response:
    """Add a person, or change one (their password too); unticking `active` closes the account at once."""
    require(session)
    person = Person(
        username.strip(),
        name.strip(),
        frozenset(role),
        engineer_id.strip() or None,
        site_code.strip() or None,
        active=active == "on",
    )
    try:
        async with request.app.state.runtime.database.unit_of_work() as uow:
            await people.keep(uow, person, password)
    except PersonRefused as refused:
        raise ServiceRefused(422, refused.reason, refused.message) from refused
    return RedirectResponse("/admin", status_code=303)


@router.post("/admin/people/{username}/active")
async def open_or_close(request: Request, session: Session, username: str, active: Annotated[bool, Form()]) -> Response:
    """Close an account with one button (or open it again): no password to type; its tokens end at once."""
    require(session)
    _ = translations(language_of(request)).gettext
    if username == session.person.username and not active:
        raise ServiceRefused(422, "own_account", _("You cannot close your own account: ask another administrator."))
    async with request.app.state.runtime.database.unit_of_work() as uow:
        found = await people.set_active(uow, username, active=active)
    if found is None:
        raise ServiceRefused(404, "unknown_person", _("Nobody signs in as %(username)s.") % {"username": username})
    return RedirectResponse("/admin#people", status_code=303)


@dataclass(frozen=True)
class Kept:
    """Where a governing document lives: the service, the path to read and write it, and how to find
    the latest terms in what the service answers."""

    service: str
    path: str
    title: str
    latest: Callable[[Any, str], dict[str, Any]]  # (the service's answer, the code) -> the terms
    keeper: Role = Role.ADMIN  # besides administrators, who may edit it


SHOWN_NOT_KEPT = frozenset({"code", "active", "next_occurrence_on"})  # what a list adds to the terms


def _the_policy(answer: Any, _: str) -> dict[str, Any]:
    return dict(answer["policy"])  # {"code", "version", "policy"}


def _the_latest_version(answer: Any, _: str) -> dict[str, Any]:
    return dict(answer[-1]["terms"]) if answer else {}  # every version, oldest first


def _the_one_listed(answer: Any, code: str) -> dict[str, Any]:
    found = next((item for item in answer if item["code"] == code), None)  # a site's contracts or plans
    return {key: value for key, value in (found or {}).items() if key not in SHOWN_NOT_KEPT}


def _plan(site_code: str, code: str) -> Kept:
    path, title = f"/sites/{site_code}/inspection-plans", f"inspection plan {code} of {site_code}"
    return Kept("dispatch", path, title, _the_one_listed, Role.MANAGER)


def _policy(code: str) -> Kept:
    return Kept("sla", f"/policies/{code}", f"SLA policy {code}", _the_policy)


def _agreement(code: str) -> Kept:
    return Kept("vendor", f"/partners/{code}/agreement", f"agreement with {code}", _the_latest_version)


def _contract(site_code: str, code: str) -> Kept:
    return Kept("intake", f"/sites/{site_code}/contracts", f"contract {code} of {site_code}", _the_one_listed)


@router.get("/admin/policies/{code}")
async def edit_policy(request: Request, session: Session, services: Services, code: str) -> HTMLResponse:
    return await _editor(request, session, services, _policy(code), code)


@router.post("/admin/policies/{code}")
async def save_policy(
    request: Request, session: Session, services: Services, code: str, text: Annotated[str, Form()]
) -> Response:
    return await _save(request, session, services, _policy(code), code, text, put=f"/policies/{code}")


@router.get("/admin/partners/{code}/agreement")
async def edit_agreement(request: Request, session: Session, services: Services, code: str) -> HTMLResponse:
    return await _editor(request, session, services, _agreement(code), code)


@router.post("/admin/partners/{code}/agreement")
async def save_agreement(
    request: Request, session: Session, services: Services, code: str, text: Annotated[str, Form()]
) -> Response:
    return await _save(request, session, services, _agreement(code), code, text, put=f"/partners/{code}/agreement")


@router.get("/admin/sites/{site_code}/contracts/{code}")
async def edit_contract(
    request: Request, session: Session, services: Services, site_code: str, code: str
) -> HTMLResponse:
    return await _editor(request, session, services, _contract(site_code, code), code)


@router.post("/admin/sites/{site_code}/contracts/{code}")
async def save_contract(
    request: Request, session: Session, services: Services, site_code: str, code: str, text: Annotated[str, Form()]
) -> Response:
    put = f"/sites/{site_code}/contracts/{code}"
    return await _save(request, session, services, _contract(site_code, code), code, text, put=put)


@router.get("/plans")
async def inspection_plans(
    request: Request, session: Session, services: Services, site_code: str | None = None
) -> HTMLResponse:
    """The service manager's inspection plans of a site, each with its next visit."""
    require(session, Role.MANAGER)
    sites = await services.get(session.person, "intake", "/sites")
    site = site_code or (sites[0]["code"] if sites else "")
    plans = await services.get(session.person, "dispatch", f"/sites/{site}/inspection-plans") if site else []
    return page(request, "plans.html", session, sites=sites, site_code=site, plans=plans)


@router.get("/plans/{site_code}/{code}")
async def edit_plan(request: Request, session: Session, services: Services, site_code: str, code: str) -> HTMLResponse:
    return await _editor(request, session, services, _plan(site_code, code), code)


@router.post("/plans/{site_code}/{code}")
async def save_plan(
    request: Request, session: Session, services: Services, site_code: str, code: str, text: Annotated[str, Form()]
) -> Response:
    put = f"/sites/{site_code}/inspection-plans/{code}"
    return await _save(request, session, services, _plan(site_code, code), code, text, put=put)


async def _editor(request: Request, session: WebSession, services: Upstream, kept: Kept, code: str) -> HTMLResponse:
    require(session, kept.keeper)
    try:
        terms = kept.latest(await services.get(session.person, kept.service, kept.path), code)
    except ServiceRefused as refused:
        if refused.status != 404:
            raise
        terms = {}  # a new one
    text = json.dumps(terms, ensure_ascii=False, indent=2, default=str)
    return page(request, "editor.html", session, kept=kept, text=text, saved=request.query_params.get("saved"))


async def _save(
    request: Request, session: WebSession, services: Upstream, kept: Kept, code: str, text: str, *, put: str
) -> Response:
    require(session, kept.keeper)
    try:
        terms = json.loads(text)
        if not isinstance(terms, dict):
            raise ValueError("the document must be one JSON object: { ... }")
        await services.put(session.person, kept.service, put, terms)
    except ValueError as bad:  # json.JSONDecodeError is one
        problem = ServiceRefused(422, "not_json", str(bad))
        return page(request, "editor.html", session, status_code=422, kept=kept, text=text, problem=problem)
    except ServiceRefused as refused:
        return page(request, "editor.html", session, status_code=refused.status, kept=kept, text=text, problem=refused)
    return RedirectResponse(f"{request.url.path}?saved=1", status_code=303)
