"""The list office people live in: every ticket, found by its number, words, device, serial number or
the reporter's phone, filtered, sorted and paged, exported as XLSX or CSV, and kept under a name as a
saved view. A customer's representative lists their own site's tickets. The archive's ticket list
answers (one read model fed by the events), not five services per page."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Annotated, Any
from urllib.parse import parse_qsl
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from services.console.db import saved_views
from services.console.domain.ticket_list import MAX_EXPORT, PER_PAGE, ListQuery, Pages, export_rows
from services.console.web.names import names_of
from services.console.web.pages import PageRoute
from services.console.web.rendering import LABELS, N_, language_of, local_time, page, translations
from services.console.web.sessions import Session, WebSession, settings_of
from services.console.web.upstream import ServiceRefused, Services, Upstream, optional
from shared.contracts import Priority, ServiceKind
from shared.http import file_named
from shared.spreadsheets import SheetFormat, write_sheet

router = APIRouter(route_class=PageRoute)

EXPORT_COLUMNS: tuple[tuple[str, str], ...] = (
    (N_("Ticket"), "ticket_id"),
    (N_("Reported at"), "reported_at"),
    (N_("Site"), "site_name"),
    (N_("Subsystem"), "subsystem"),
    (N_("Kind"), "kind"),
    (N_("Priority"), "priority"),
    (N_("Channel"), "channel"),
    (N_("Status"), "status"),
    (N_("Engineer"), "engineer_name"),
    (N_("Description"), "description"),
    (N_("Reported by"), "reporter_name"),
    (N_("Phone"), "reporter_phone"),
    (N_("Device"), "asset_tag"),
    (N_("Serial number"), "serial_number"),
    (N_("Deadline missed"), "breached"),
    (N_("Next deadline"), "next_due_at"),
    (N_("Resolved"), "resolved_at"),
    (N_("Closed"), "closed_at"),
)
"""An export's columns: the header (in the person's language) and the line's field."""

STATUSES = ("new", "awaiting_assignment", "with_quality_desk", "assigned", "accepted", "on_site", "paused",
            "resolved", "closed")  # fmt: skip  # dispatch's (the archive's list checks them)
KINDS = tuple(kind.value for kind in ServiceKind)
PRIORITIES = tuple(reversed([priority.value for priority in Priority]))  # the most urgent first
SORTS = {
    "-reported_at": N_("Newest first"),
    "reported_at": N_("Oldest first"),
    "next_due_at": N_("Next deadline first"),
    "priority": N_("Most urgent first"),
    "-updated_at": N_("Last changed first"),
    "ticket_id": N_("By number"),
}


def _customer_site(session: WebSession) -> str | None:
    """The site a customer's representative is held to; None for the integrator's staff."""
    identity = session.person.identity()
    return identity.site_code or "" if identity.customer_only else None


async def _answer(services: Upstream, session: WebSession, query: ListQuery, *, page_number: int, limit: int) -> Any:
    params = query.archive_params(site_code=_customer_site(session))
    return await services.get(session.person, "archive", "/tickets", page=page_number, limit=limit, **params)


@router.get("/tickets")
async def ticket_list(request: Request, session: Session, services: Services) -> HTMLResponse:
    query = ListQuery.of(list(request.query_params.multi_items()))
    customer = _customer_site(session) is not None
    answer, sites, engineers = await asyncio.gather(
        _answer(services, session, query, page_number=query.page, limit=PER_PAGE),
        optional(services.get(session.person, "intake", "/sites")) if not customer else _nothing(),
        optional(services.get(session.person, "dispatch", "/engineers")) if not customer else _nothing(),
    )
    async with request.app.state.runtime.database.connect() as connection:
        views = await saved_views.of(connection, session.person.username)
    return page(
        request,
        "tickets.html",
        session,
        query=query,
        answer=answer,
        pages=Pages.of(answer["total"], query.page),
        sites=sites or [],
        engineers=engineers or [],
        customer=customer,
        views=views,
        statuses=STATUSES,
        kinds=KINDS,
        priorities=PRIORITIES,
        sorts=SORTS,
        max_export=MAX_EXPORT,
    )


async def _nothing() -> list[Any]:
    return []


@router.get("/tickets.{extension}")
async def export(request: Request, session: Session, services: Services, extension: str) -> Response:
    """The filtered list as a file, every line of it (at most MAX_EXPORT), in the person's language."""
    try:
        sheet_format = SheetFormat(extension)
    except ValueError:
        raise ServiceRefused(404, "unknown_format", f"no export as .{extension}: .xlsx or .csv") from None
    query = ListQuery.of(list(request.query_params.multi_items()))
    answer = await _answer(services, session, query, page_number=1, limit=MAX_EXPORT)
    language = language_of(request)
    _ = translations(language).gettext
    if answer["total"] > MAX_EXPORT:
        raise ServiceRefused(
            422,
            "export_too_long",
            _("The list has %(total)s tickets; an export holds at most %(most)s. Narrow the filter first.")
            % {"total": answer["total"], "most": MAX_EXPORT},
        )
    zone = ZoneInfo(settings_of(request).timezone)
    names = names_of(request.app.state)  # sites and subsystems as people call them, not their codes
    known = names.sites
    items = [
        {
            **item,
            "site_name": names.site(item["site_code"], language) if item["site_code"] in known else item["site_name"],
            "subsystem": names.subsystem(item["subsystem"], item["site_code"], language),
        }
        for item in answer["items"]
    ]
    rows = export_rows(
        items,
        [field for _title, field in EXPORT_COLUMNS],
        label=lambda code: _(LABELS[code]) if code in LABELS else code,
        local=lambda moment: local_time(moment, zone),
        yes_no=lambda yes: _("Yes") if yes else _("No"),
    )
    header = [_(title) for title, _field in EXPORT_COLUMNS]
    name = f"tickets-{datetime.now(UTC).astimezone(zone):%Y%m%d-%H%M}.{sheet_format.value}"
    return Response(
        content=await asyncio.to_thread(write_sheet, header, rows, sheet_format, title="tickets"),
        media_type=sheet_format.media_type,
        headers=file_named(name),
    )


@router.post("/tickets/views")
async def save_view(
    request: Request, session: Session, name: Annotated[str, Form(min_length=1, max_length=60)],
    query: Annotated[str, Form(max_length=4000)] = "",
) -> Response:  # fmt: skip
    """Keep the list as shown under a name of the person's own."""
    _ = translations(language_of(request)).gettext
    if not name.strip():
        raise ServiceRefused(422, "no_name", _("Give the list a name."))
    try:
        pairs = parse_qsl(query.lstrip("?"), max_num_fields=200)
    except ValueError:  # more filters than any form of ours sends
        pairs = []
    kept = ListQuery.of(pairs).link()
    async with request.app.state.runtime.database.unit_of_work() as uow:
        try:
            await saved_views.keep(uow.connection, session.person.username, name.strip(), kept)
        except saved_views.TooManyViews as full:
            message = _("You keep %(most)s lists already, the most there may be: remove one first.")
            raise ServiceRefused(422, "too_many_views", message % {"most": saved_views.MOST_PER_PERSON}) from full
    return RedirectResponse(f"/tickets?{kept}", status_code=303)


@router.post("/tickets/views/forget")
async def forget_view(request: Request, session: Session, name: Annotated[str, Form(max_length=60)]) -> Response:
    async with request.app.state.runtime.database.unit_of_work() as uow:
        await saved_views.forget(uow.connection, session.person.username, name)
    return RedirectResponse("/tickets", status_code=303)
