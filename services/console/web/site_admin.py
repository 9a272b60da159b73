"""Administering sites from the console: the administrator adds a site, or changes one, by sending its
site file (the TOML `aftercare seed` loads) to every service that keeps a part of it; the service
manager uploads a site's equipment register (CSV or XLSX, as intake imports it) and draws up the
acceptance register (前期接收) of a handover for both parties to sign. Files go as they are, the
browser sending the file itself (console.js), not inside a form."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import FormData

from services.console.web.pages import PageRoute
from services.console.web.rendering import page
from services.console.web.sessions import Session, require
from services.console.web.upstream import ServiceRefused, Services
from shared.identity import Role
from shared.problems import Problem
from shared.site_loading import MEDIA_TYPE, load_part, read_site_file

router = APIRouter(route_class=PageRoute)
CHECK_ROWS = 12  # lines of the completion list the form offers; "more lines" doubles them
CHECK_RESULTS = ("passed", "failed", "not_applicable")


@router.post("/admin/sites/file")
async def load_site_file(request: Request, session: Session, services: Services) -> Response:
    """Send the site file to every service that keeps a part of it: intake first (the site, its
    contracts and register; a file it refuses goes nowhere else), then the others (who serves it, its
    calendar, whom to tell), then the console's own (who may sign in)."""
    require(session)  # administrators only
    body = await request.body()
    try:
        described = read_site_file(body.decode("utf-8"))
    except UnicodeDecodeError as undecodable:
        raise ServiceRefused(422, "unreadable_site_file", f"the site file must be UTF-8: {undecodable}") from None
    except Problem as problem:  # said on the page, as the services' refusals are
        raise ServiceRefused(problem.status, problem.error, problem.message) from None
    code = described.site.code
    loaded = []
    for service in services.urls:
        try:
            await services.send(
                session.person, "PUT", service, f"/sites/{code}/site-file", content=body,
                headers={"Content-Type": MEDIA_TYPE},
            )  # fmt: skip
        except ServiceRefused as refused:
            if refused.error != "no_site_part":
                raise
            continue
        loaded.append(service)
    # The console's own part: the people of the site who may sign in (each one's password set on this page).
    try:
        await load_part(request.app.state.runtime, code, body.decode("utf-8"))
    except Problem as problem:
        raise ServiceRefused(problem.status, problem.error, problem.message) from None
    loaded.append("console")
    return RedirectResponse(f"/admin?site_loaded={code}&by={','.join(loaded)}#sites", status_code=303)


@router.post("/sites/{site_code}/equipment/import")
async def import_register(request: Request, session: Session, services: Services, site_code: str) -> Response:
    """The site's equipment register file, imported by intake whole or not at all (its problems listed)."""
    require(session, Role.MANAGER)
    answer = await services.send(
        session.person, "POST", "intake", f"/sites/{site_code}/equipment/import", content=await request.body(),
        params={"reason": "register uploaded in the console"},
        headers={"Content-Type": request.headers.get("content-type", "")},
    )  # fmt: skip
    summary = answer.json()
    counts = f"{len(summary['created'])},{len(summary['updated'])},{summary['unchanged']}"
    return RedirectResponse(f"/site?site_code={site_code}&imported={counts}#equipment", status_code=303)


@router.get("/sites/{site_code}/acceptance")
async def acceptance_form(
    request: Request, session: Session, services: Services, site_code: str, rows: int = CHECK_ROWS
) -> HTMLResponse:
    require(session, Role.MANAGER)
    devices = await services.get(session.person, "intake", f"/sites/{site_code}/equipment")
    subsystems = sorted({device["subsystem"] for device in devices})
    return page(
        request,
        "acceptance.html",
        session,
        site_code=site_code,
        subsystems=subsystems,
        rows=max(CHECK_ROWS, min(rows, 200)),
        results=CHECK_RESULTS,
        today=date.today().isoformat(),
    )


@router.post("/sites/{site_code}/acceptance")
async def draw_up_acceptance(
    request: Request,
    session: Session,
    services: Services,
    site_code: str,
    handed_over_on: Annotated[str, Form()],
    integrator_present: Annotated[str, Form()],
    customer_present: Annotated[str, Form()],
    notes: Annotated[str, Form()] = "",
) -> Response:
    """The handover as found, drawn up by the archive as the acceptance register to sign."""
    require(session, Role.MANAGER)
    form = await request.form()
    register = await services.post(
        session.person,
        "archive",
        f"/sites/{site_code}/registers/acceptance",
        {
            "handed_over_on": handed_over_on,
            "checks": _checks(form),
            "integrator_present": _names(integrator_present),
            "customer_present": _names(customer_present),
            "notes": notes.strip() or None,
        },
    )
    return RedirectResponse(f"/registers/{register['code']}", status_code=303)


def _names(typed: str) -> list[str]:
    """One name per line (or separated by commas, Chinese or not)."""
    return [name.strip() for line in typed.replace("，", ",").splitlines() for name in line.split(",") if name.strip()]


def _checks(form: FormData) -> list[dict[str, str | None]]:
    """The completion list's lines that name an item, in the form's order."""
    checks = []
    for number in range(200):
        item = str(form.get(f"item-{number}") or "").strip()
        if item:
            checks.append(
                {
                    "subsystem": str(form.get(f"subsystem-{number}") or ""),
                    "item": item,
                    "result": str(form.get(f"result-{number}") or "passed"),
                    "remark": str(form.get(f"remark-{number}") or "").strip() or None,
                }
            )
    return checks
