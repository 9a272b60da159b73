"""The engineer's phone without a signal: the service worker (static/field-sw.js on the vendored
Workbox) with the list of the app's own files it keeps at install, each with its revision; the list
of the engineer's pages to keep (their open tickets, their visits, their home list) that the phone
asks for at sign-in and whenever the work changes; the page shown for a page never kept; and the web
app manifest that lets the phone put the app on its home screen and open it from there."""

from __future__ import annotations

import asyncio
import functools
import hashlib
import json
import time
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse, JSONResponse

from services.console.domain.offline import statuses_of, work_to_keep
from services.console.domain.people import Person
from services.console.web.names import names_of
from services.console.web.pages import PageRoute
from services.console.web.rendering import LOCALES, N_, language_of, page, translations
from services.console.web.sessions import Session, require
from services.console.web.upstream import Services, Upstream, optional
from shared.identity import Role

router = APIRouter(route_class=PageRoute)
WEB = Path(__file__).parent
STATIC = WEB / "static"
SERVICE_WORKER = STATIC / "field-sw.js"
THEME = "#1f5fbf"  # the console's brand blue (console.css)
# What every field page loads, kept at install: the pages then open with no signal at all.
SHELL_FILES = (
    "console.css",
    "console.js",
    "field.js",
    "field-offline.js",
    "field-notes.js",
    "field-scan.js",
    "vendor/htmx-2.0.11.min.js",
    "vendor/zxing-wasm-3.1.8.reader.iife.js",  # the serial scanner where the browser has none of its own:
    "vendor/zxing-wasm-3.1.8.reader.wasm",  # kept with the app, so that a first scan works with no signal
    "vendor/htmx-ext-sse-2.2.4.min.js",
    "field-icon-192.png",
    "field-icon-512.png",
    "field-icon-maskable-512.png",
)
LIFECYCLE_SECONDS = 600.0  # how long the moves' table read from dispatch is kept: it changes with a release
APP_NAME = N_("Aftercare in the field")
APP_SHORT_NAME = N_("Aftercare")
APP_DESCRIPTION = N_("The engineer's tickets and inspection visits, with or without a signal")


def _digest(*paths: Path) -> str:
    hashed = hashlib.sha256()
    for path in paths:
        hashed.update(path.read_bytes())
    return hashed.hexdigest()[:16]


# The console's own code that renders the field pages (what they gather, and how they word it): with the
# templates and the words, the pages' build.
RENDERING_CODE = (
    WEB / "field.py",
    WEB / "field_pages.py",
    WEB / "field_offline.py",
    WEB / "rendering.py",
    WEB / "said.py",
    WEB / "words.py",
    WEB / "refusals.py",
    WEB / "names.py",
    WEB.parent / "domain" / "field_day.py",
    WEB.parent / "domain" / "offline.py",
    WEB.parent / "domain" / "board.py",
)


@functools.cache
def pages_revision() -> str:
    """The pages' build: their templates and words, and the console's code that renders them. A new one
    makes the phone fetch its pages again."""
    return _digest(*sorted((WEB / "templates").glob("*.html")), *sorted(LOCALES.rglob("*.po")), *RENDERING_CODE)


@functools.cache
def _shell() -> list[dict[str, str]]:
    files = [{"url": f"/static/{name}", "revision": _digest(STATIC / name)} for name in SHELL_FILES]
    return [
        *files,
        {"url": "/field/offline", "revision": pages_revision()},
        {"url": "/field/manifest.webmanifest", "revision": pages_revision()},
    ]


@router.get("/field/sw.js")
async def service_worker() -> Response:
    """The phone's service worker, served from the folder it looks after, with the app's own files and
    their revisions written in: a new revision of any of them is a new worker, which keeps them anew."""
    script = f"self.SHELL = {json.dumps(_shell())};\n{SERVICE_WORKER.read_text()}"
    return Response(script, media_type="text/javascript", headers={"Cache-Control": "no-cache"})


@router.get("/field/offline-manifest")
async def offline_manifest(request: Request, session: Session, services: Services) -> Response:
    """The URLs of every page the engineer may need with no signal, and their version (also the ETag:
    asked with the version it last kept in `If-None-Match`, the phone hears 304 when nothing changed)."""
    require(session, Role.ENGINEER)
    person = session.person
    tickets, visits, clocks = await asyncio.gather(
        services.get(person, "dispatch", "/tickets"),
        optional(services.get(person, "dispatch", "/inspections/visits", status="open")),
        optional(services.get(person, "sla", "/clocks")),
    )
    work = work_to_keep(
        person.engineer_id,
        tickets,
        visits or [],
        language=language_of(request),
        pages_revision=pages_revision(),
        clocks=clocks or [],
        sites=names_of(request.app.state).sites,
    )
    # The version is the person's work: another person's word for it is not theirs (the phone sends it
    # only when the list it kept is this person's).
    tag = f'"{person.username}:{work.version}"'
    headers = {"ETag": tag, "Cache-Control": "no-store"}
    if tag in _tags(request.headers.get("if-none-match", "")):
        return Response(status_code=304, headers=headers)
    return JSONResponse({"person": person.username, "version": work.version, "urls": list(work.urls)}, headers=headers)


def _tags(header: str) -> set[str]:
    """The entity tags an If-None-Match names (weak ones compare as strong: the body is the tag's)."""
    return {tag.strip().removeprefix("W/") for tag in header.split(",") if tag.strip()}


@router.get("/field/offline")
async def offline_page(request: Request) -> HTMLResponse:
    """What the phone shows for a page it never kept while there is no signal: no one's data in it,
    so it is kept at install, before anyone's work."""
    return page(request, "field_offline.html")


@router.get("/field/manifest.webmanifest")
async def web_app_manifest() -> Response:
    """The app on the phone's home screen: in Chinese (the manifest is fetched without the language
    cookie), opening the engineer's home list on its own, without the browser's bars."""
    zh = translations("zh").gettext
    icon = "/static/field-icon-{}.png"
    manifest = {
        "name": zh(APP_NAME),
        "short_name": zh(APP_SHORT_NAME),
        "description": zh(APP_DESCRIPTION),
        "lang": "zh-CN",
        "id": "/field/",
        "start_url": "/field/",
        "scope": "/field/",
        "display": "standalone",
        "orientation": "portrait",
        "theme_color": THEME,
        "background_color": "#f5f7fb",
        "icons": [
            {"src": icon.format("192"), "sizes": "192x192", "type": "image/png", "purpose": "any"},
            {"src": icon.format("512"), "sizes": "512x512", "type": "image/png", "purpose": "any"},
            {"src": icon.format("maskable-512"), "sizes": "512x512", "type": "image/png", "purpose": "maskable"},
        ],
    }
    return Response(json.dumps(manifest, ensure_ascii=False), media_type="application/manifest+json")


_lifecycle: dict[str, Any] = {}


async def lifecycle(services: Upstream, person: Person) -> dict[str, Any] | None:
    """The moves of a ticket's life as dispatch tells them (which statuses each applies to, where each
    leads), the statuses the field work beside them (escalate, swap) applies to, and the statuses they
    name: for a page to offer only what applies, even offline."""
    if _lifecycle.get("until", 0.0) < time.monotonic():
        told = await optional(services.get(person, "dispatch", "/lifecycle"))
        if not told:
            return None
        _lifecycle.update(
            table=told["moves"], field_work=told.get("field_work", {}), until=time.monotonic() + LIFECYCLE_SECONDS
        )
    moves: dict[str, Any] = _lifecycle["table"]
    return {"moves": moves, "field_work": _lifecycle["field_work"], "statuses": statuses_of(moves)}


async def device_on_site(services: Upstream, person: Person, reported: dict[str, Any]) -> dict[str, Any] | None:
    """The device the report names, with the history of its register entry, for the ticket's page: the
    engineer reads it on site, where there may be no signal to fetch it."""
    if not reported.get("asset_tag"):
        return None
    found = await optional(
        services.get(person, "intake", f"/sites/{reported['site_code']}/equipment/{reported['asset_tag']}")
    )
    return found or None
