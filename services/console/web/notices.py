"""Each person's notifications (the notify service's): what they were told lately and whether it reached them,
and their own choices: the channels for each kind of notice, quiet hours in their time zone, and the
language they read. Their addresses are an administrator's to change."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from services.console.web.pages import PageRoute
from services.console.web.rendering import page
from services.console.web.sessions import Session
from services.console.web.upstream import ServiceRefused, Services

router = APIRouter(route_class=PageRoute)


@router.get("/me/notifications")
async def my_notifications(request: Request, session: Session, services: Services) -> HTMLResponse:
    try:
        mine: dict[str, Any] | None = await services.get(session.person, "notify", "/me/notifications")
    except ServiceRefused as refused:
        if refused.status != 404:
            raise
        mine = None  # nobody told notify how to reach this person yet
    return page(request, "notifications.html", session, mine=mine)


@router.post("/me/notifications")
async def choose(request: Request, session: Session, services: Services) -> Response:
    """The form names each kind once (`kind`); a kind left on its default is not sent, so that it keeps
    following the default; otherwise the channels ticked for it, none meaning none."""
    form = await request.form()
    channels = {
        str(kind): [c for c in ("wecom", "robot", "email", "sms") if form.get(f"{kind}:{c}")]
        for kind in form.getlist("kind")
        if not form.get(f"{kind}:default")
    }
    choices = {
        "language": form.get("language") or "zh",
        "timezone": form.get("timezone") or "Asia/Shanghai",
        "quiet_hours": str(form.get("quiet_hours") or "").strip() or None,
        "channels": channels,
    }
    await services.put(session.person, "notify", "/me/notifications", choices)
    return RedirectResponse("/me/notifications", status_code=303)
