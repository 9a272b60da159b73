"""The console's pages: signing in and out, each person's landing page, the language, the live feed,
and how a page answers when the person must sign in, may not see it, or a service says no."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import secrets
import time
from collections.abc import AsyncIterator, Callable, Coroutine
from typing import Annotated, Any, cast
from urllib.parse import quote

from fastapi import APIRouter, Form, Request, Response
from fastapi.responses import RedirectResponse
from fastapi.routing import APIRoute
from sse_starlette import EventSourceResponse, ServerSentEvent

from services.console import people
from services.console.domain.people import PersonRefused
from services.console.web.live import LiveFeed, Moved
from services.console.web.rendering import LANGUAGE_COOKIE, LANGUAGES, page
from services.console.web.sessions import (
    COOKIE,
    CsrfRefused,
    NotForYou,
    Session,
    SignInNeeded,
    close_session,
    open_session,
    settings_of,
    still_signed_in,
)
from services.console.web.upstream import ServiceRefused
from shared.contracts.visibility import CUSTOMER_SEES
from shared.http import client_address
from shared.identity import Role
from shared.persistence.service_database import ServiceDatabase

SETTLE_SECONDS = 0.5
SESSION_RECHECK_SECONDS = 30.0  # how long a live stream goes on without asking whether its session holds
# What a customer's live page is told of: document.archived is left out, since a staff-only document's
# filing would tell them when something of the staff's happened.
CUSTOMER_MOVES = frozenset(CUSTOMER_SEES) - {"document.archived"}
SIGN_IN_COOKIE = "aftercare_sign_in"  # guards the sign-in form itself against a forged cross-site post


_NO_KEY = secrets.token_hex(32)


def _form_guard(request: Request, cookie: str) -> str:
    """What the sign-in form must send back for this cookie: the cookie signed with a key only the console
    holds (derived from its signing key), so that a cookie planted by a neighbouring site (a plain
    double-submit cookie's weakness) comes with no form value that matches it."""
    signing_key = settings_of(request).signing_key or _NO_KEY  # without one nobody signs in: never a known key
    key = hashlib.sha256(b"aftercare sign-in form\0" + signing_key.encode()).digest()
    return hmac.new(key, cookie.encode(), hashlib.sha256).hexdigest()


LANDING = (
    (Role.MANAGER, "/board"),
    (Role.OPERATOR, "/calls/new"),
    (Role.QUALITY, "/quality"),
    (Role.CUSTOMER, "/site"),
    (Role.ENGINEER, "/field/"),
    (Role.ADMIN, "/admin"),
)


class PageRoute(APIRoute):
    """A page route: sends the browser to sign in, or shows why not, instead of a JSON error."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handle = super().get_route_handler()

        async def answered(request: Request) -> Response:
            try:
                return await handle(request)
            except SignInNeeded:
                return _to_sign_in(request)
            except CsrfRefused:
                return page(request, "refused.html", status_code=403, reason="csrf")
            except NotForYou as roles:
                session = getattr(request.state, "web_session", None)
                return page(request, "refused.html", session, status_code=403, reason="roles", roles=str(roles))
            except ServiceRefused as refused:
                session = getattr(request.state, "web_session", None)
                if request.headers.get("HX-Request"):  # shown where the page keeps its messages
                    response = page(request, "_problem.html", session, problem=refused)
                    response.headers.update({"HX-Retarget": "#problem", "HX-Reswap": "innerHTML"})
                    return response
                return page(
                    request, "refused.html", session, status_code=refused.status, reason="service", problem=refused
                )

        return answered


router = APIRouter(route_class=PageRoute)


def _to_sign_in(request: Request) -> Response:
    target = "/sign-in?next=" + quote(request.url.path)
    if request.headers.get("HX-Request"):
        return Response(status_code=204, headers={"HX-Redirect": target})
    return RedirectResponse(target, status_code=303)


def _database(request: Request) -> ServiceDatabase:
    return cast(ServiceDatabase, request.app.state.runtime.database)


@router.get("/")
async def landing(session: Session) -> RedirectResponse:
    """Each person starts where their work is."""
    for role, path in LANDING:
        if role in session.person.roles:
            return RedirectResponse(path, status_code=303)
    return RedirectResponse("/sign-in", status_code=303)


@router.get("/sign-in")
async def sign_in_form(request: Request, next: str = "/") -> Response:
    cookie = secrets.token_urlsafe(24)
    response = page(request, "sign_in.html", next=_local(next), guard=_form_guard(request, cookie))
    response.set_cookie(SIGN_IN_COOKIE, cookie, httponly=True, samesite="strict", secure=_secure(request))
    return response


@router.post("/sign-in")
async def sign_in(
    request: Request,
    username: Annotated[str, Form()],
    password: Annotated[str, Form()],
    guard: Annotated[str, Form()],
    next: Annotated[str, Form()] = "/",
) -> Response:
    cookie = request.cookies.get(SIGN_IN_COOKIE, "")
    if not cookie or not hmac.compare_digest(_form_guard(request, cookie).encode(), guard.encode()):
        return page(request, "refused.html", status_code=403, reason="csrf")
    try:
        person, _ = await people.signed_in(
            _database(request),
            username.strip(),
            password,
            address=client_address(request),
            by_address=settings_of(request).by_address,
        )
    except PersonRefused as refused:
        fresh = secrets.token_urlsafe(24)
        waiting = isinstance(refused, people.TooManyAttempts)
        refusal = page(
            request,
            "sign_in.html",
            status_code=429 if waiting else 401,
            next=_local(next),
            guard=_form_guard(request, fresh),
            refusal=refused.reason,
            retry_after=refused.detail.get("retry_after"),
            username=username,
        )
        if waiting:
            refusal.headers["Retry-After"] = str(refused.detail["retry_after"])
        refusal.set_cookie(SIGN_IN_COOKIE, fresh, httponly=True, samesite="strict", secure=_secure(request))
        return refusal
    settings = settings_of(request)
    key = await open_session(_database(request), person, settings.session_hours)
    response = RedirectResponse(_local(next), status_code=303)
    response.set_cookie(
        COOKIE,
        key,
        max_age=int(settings.session_hours * 3600),
        httponly=True,
        samesite="lax",
        secure=_secure(request),
    )
    response.delete_cookie(SIGN_IN_COOKIE)
    return response


@router.post("/sign-out")
async def sign_out(request: Request, session: Session) -> Response:
    await close_session(_database(request), request.cookies.get(COOKIE, ""))
    response = RedirectResponse("/sign-in", status_code=303)
    response.delete_cookie(COOKIE)
    return response


@router.get("/language/{code}")
async def choose_language(request: Request, code: str, back: str = "/") -> Response:
    response = RedirectResponse(_local(back), status_code=303)
    if code in LANGUAGES:
        response.set_cookie(LANGUAGE_COOKIE, code, max_age=365 * 24 * 3600, samesite="lax", secure=_secure(request))
    return response


@router.get("/live")
async def live(request: Request, session: Session) -> EventSourceResponse:
    """Server-sent events: `ticket` each time one the person may see moves (a customer: their site's)."""
    feed = cast(LiveFeed, request.app.state.runtime.worker(LiveFeed))
    site = session.person.site_code if session.person.roles == {Role.CUSTOMER} else None

    def visible(moved: Moved) -> bool:
        """A customer hears of their site's moves of the kinds they see (shared/contracts/visibility.py):
        not even when a staff-only event happened."""
        return site is None or (moved.site_code == site and moved.customer_sees and moved.event_type in CUSTOMER_MOVES)

    async def events() -> AsyncIterator[ServerSentEvent]:
        checked = time.monotonic()
        async with feed.watch() as moves:
            while True:
                moved = await moves.get()
                if time.monotonic() - checked > SESSION_RECHECK_SECONDS:
                    if not await still_signed_in(request):
                        return  # signed out, or the account closed: the stream ends with the session
                    checked = time.monotonic()
                if not visible(moved):
                    continue
                # A ticket's move is a burst of events (opened, assigned, clocks, documents): the page
                # is told once the burst has settled, so it reloads once, with everything in place.
                await asyncio.sleep(SETTLE_SECONDS)
                burst = [moved]
                while not moves.empty():
                    burst.append(moves.get_nowait())
                tickets = sorted({m.ticket_id for m in burst if visible(m) and m.ticket_id})
                yield ServerSentEvent(data=json.dumps({"tickets": tickets}), event="ticket")

    return EventSourceResponse(events(), ping=15)


def _local(path: str) -> str:
    """Only a path on this site: a link may not send a person elsewhere after signing in."""
    return path if path.startswith("/") and not path.startswith(("//", "/\\")) else "/"


def _secure(request: Request) -> bool:
    return settings_of(request).secure_cookies
