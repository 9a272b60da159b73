"""The hotline operator takes a call: picks the site, subsystem and device, types what the caller says
while the page suggests the kind and warns of the same problem already open, submits, and reads the
ticket number back to the caller."""

from __future__ import annotations

import asyncio
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse

from services.console.web.pages import PageRoute
from services.console.web.rendering import page
from services.console.web.sessions import Session, WebSession, require
from services.console.web.upstream import Services, Upstream
from shared.contracts import Priority, RequestChannel, ServiceKind
from shared.identity import Role

router = APIRouter(route_class=PageRoute)
TAKES_CALLS = (Role.OPERATOR, Role.MANAGER)


@router.get("/calls/new")
async def new_call(request: Request, session: Session, services: Services) -> HTMLResponse:
    require(session, *TAKES_CALLS)
    sites = await services.get(session.person, "intake", "/sites")
    return page(
        request,
        "call.html",
        session,
        sites=sites,
        kinds=list(ServiceKind),
        priorities=list(Priority),
        channels=[channel for channel in RequestChannel if channel is not RequestChannel.PORTAL],  # the customer's
    )


@router.get("/calls/devices")
async def devices(
    request: Request, session: Session, services: Services, site_code: str, subsystem: str = ""
) -> HTMLResponse:
    """The device picker for a site and subsystem (an htmx fragment)."""
    require(session, *TAKES_CALLS)
    found = await services.get(
        session.person, "intake", f"/sites/{site_code}/equipment", subsystem=subsystem or None, status="in_service"
    )
    return page(request, "_devices.html", session, devices=found)


@router.get("/calls/preview")
async def preview(
    request: Request,
    session: Session,
    services: Services,
    site_code: str = "",
    subsystem: str = "",
    asset_tag: str = "",
    description: str = "",
) -> HTMLResponse:
    """The kind the description suggests, and the same problem if it is already open (an htmx fragment)."""
    require(session, *TAKES_CALLS)
    if not site_code or not subsystem:
        return page(request, "_preview.html", session, suggested=None, open_already=[])
    found = await services.get(
        session.person,
        "intake",
        "/requests/preview",
        site_code=site_code,
        subsystem=subsystem,
        asset_tag=asset_tag or None,
        description=description,
    )
    return page(
        request,
        "_preview.html",
        session,
        suggested=found["suggested_kind"] if description.strip() else None,
        open_already=await _still_open(services, session, found["similar"]),
    )


async def _still_open(services: Upstream, session: WebSession, similar: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Of the recent requests, those whose ticket dispatch has not closed."""
    states = await asyncio.gather(
        *(services.get(session.person, "dispatch", f"/tickets/{item['ticket_id']}") for item in similar),
        return_exceptions=True,
    )
    return [
        {**item, "status": state["status"]}
        for item, state in zip(similar, states, strict=True)
        if isinstance(state, dict) and state.get("status") != "closed"
    ]


@router.post("/calls")
async def take_call(
    request: Request,
    session: Session,
    services: Services,
    site_code: Annotated[str, Form()],
    subsystem: Annotated[str, Form()],
    description: Annotated[str, Form()],
    reporter_name: Annotated[str, Form()],
    reporter_phone: Annotated[str, Form()] = "",
    asset_tag: Annotated[str, Form()] = "",
    kind: Annotated[str, Form()] = "",
    priority: Annotated[str, Form()] = Priority.NORMAL.value,
    channel: Annotated[str, Form()] = RequestChannel.HOTLINE.value,
) -> HTMLResponse:
    """Open the ticket; the answer is its number, to read back to the caller."""
    require(session, *TAKES_CALLS)
    body: dict[str, Any] = {
        "site_code": site_code,
        "subsystem": subsystem,
        "asset_tag": asset_tag or None,
        "description": description,
        "channel": channel,
        "priority": priority,
        "kind": kind or None,
        "reporter": {"name": reporter_name, "phone": reporter_phone or None},
    }
    receipt = await services.post(session.person, "intake", "/requests", body)
    return page(
        request,
        "_receipt.html",
        session,
        receipt=receipt,
        open_already=await _same_place_open(services, session, body, receipt),
    )


async def _same_place_open(
    services: Upstream, session: WebSession, asked: dict[str, Any], receipt: dict[str, Any]
) -> list[dict[str, Any]]:
    """The other open tickets of the same place, which a new ticket may be a repeat report of (the
    receipt offers to merge it into one)."""
    if receipt.get("status") != "opened":
        return []
    found = await services.get(
        session.person, "intake", "/requests/preview", site_code=asked["site_code"], subsystem=asked["subsystem"],
        asset_tag=asked["asset_tag"], description=asked["description"],
    )  # fmt: skip
    others = [item for item in found["similar"] if item["ticket_id"] != receipt["ticket_id"]]
    return [item for item in await _still_open(services, session, others) if item["status"] != "resolved"]
