"""The customer's own systems, subscribed to their site's events (the webhooks service): a site's
subscriptions with whether each is paused and why, a new one (its secret shown once), its deliveries,
resuming and ending one, and sending a delivery again. The representative sees their own site; an
administrator any."""

from __future__ import annotations

import asyncio
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from services.console.web.customer import site_shown
from services.console.web.pages import PageRoute
from services.console.web.rendering import page
from services.console.web.sessions import Session, require
from services.console.web.upstream import Services
from shared.identity import Role

router = APIRouter(route_class=PageRoute)


@router.get("/hooks")
async def subscriptions(
    request: Request, session: Session, services: Services, site_code: str | None = None
) -> HTMLResponse:
    require(session, Role.CUSTOMER)
    site = site_shown(session, site_code)
    found = await services.get(session.person, "webhooks", "/subscriptions", site_code=site)
    shown = [s for s in found if s["active"]]
    deliveries = await asyncio.gather(
        *(services.get(session.person, "webhooks", f"/subscriptions/{s['id']}/deliveries", limit=10) for s in shown)
    )
    return page(request, "hooks.html", session, site_code=site, subscriptions=list(zip(shown, deliveries, strict=True)))


@router.post("/hooks")
async def subscribe(
    request: Request,
    session: Session,
    services: Services,
    site_code: Annotated[str, Form()],
    url: Annotated[str, Form()],
    event_types: Annotated[str, Form()] = "",
) -> HTMLResponse:
    """A new subscription: the page shows its secret once, for the receiver to keep."""
    require(session, Role.CUSTOMER)
    site = site_shown(session, site_code)
    types = [t.strip() for t in event_types.replace(",", " ").split() if t.strip()]
    made = await services.post(
        session.person, "webhooks", "/subscriptions", {"site_code": site, "url": url.strip(), "event_types": types}
    )
    return page(request, "hook_made.html", session, made=made)


@router.post("/hooks/{subscription_id}/resume")
async def resume(
    session: Session, services: Services, subscription_id: str, site_code: Annotated[str, Form()]
) -> Response:
    require(session, Role.CUSTOMER)
    await services.post(session.person, "webhooks", f"/subscriptions/{subscription_id}/resume", {})
    return RedirectResponse(f"/hooks?site_code={site_code}", status_code=303)


@router.post("/hooks/{subscription_id}/end")
async def end(
    session: Session, services: Services, subscription_id: str, site_code: Annotated[str, Form()]
) -> Response:
    require(session, Role.CUSTOMER)
    await services.send(session.person, "DELETE", "webhooks", f"/subscriptions/{subscription_id}")
    return RedirectResponse(f"/hooks?site_code={site_code}", status_code=303)


@router.post("/hooks/deliveries/{delivery_id}/replay")
async def replay(session: Session, services: Services, delivery_id: str, site_code: Annotated[str, Form()]) -> Response:
    require(session, Role.CUSTOMER)
    await services.post(session.person, "webhooks", f"/deliveries/{delivery_id}/replay", {})
    return RedirectResponse(f"/hooks?site_code={site_code}", status_code=303)
