"""The service report's HTTP API: a site's report for any span of days (a month, a quarter, from one day
to another) as JSON for the console's page, its charts and its spreadsheet, and as the PDF 服务月报 the
customer reads, in Chinese, typeset from the same figures.

The PDF is a reading document, typeset on request and filed nowhere: the report is a view of the
timeline that anyone may ask of any span, again and again, and reads the same of a period that has
ended; nobody signs it. Filing every download would put a document in the hash chain per click. The
signed record of a month is its register (registers.py), which the chain keeps."""

from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query, Response
from sqlalchemy.ext.asyncio import AsyncConnection

from services.archive.db import timeline
from services.archive.domain.documents import canonical_json
from services.archive.domain.service_report import BadSpan, Moment, Span, service_report
from services.archive.domain.story import Site, Story, as_event
from services.archive.domain.ticket_list import SHOWN
from services.archive.register_handlers import PdfRenderer, Settings
from services.archive.registers import HISTORY, site_described
from services.archive.rendering import Sheet
from shared.calendar_queries import Day
from shared.contracts import SlaBreached, SlaMet, TicketOpened, TicketReclassified
from shared.http import Database, Problem, file_named

router = APIRouter(tags=["service report"])

FORM = "monthly_service_report"
BREACH_HISTORY = tuple({*(event.message_type for event in SHOWN), SlaMet.message_type})
"""What a breached ticket's history needs to tell where it stood and when its clock was stopped."""

SiteCode = Annotated[str, Query(min_length=1, max_length=100)]
First = Annotated[Day, Query(alias="from", description="The first day, in the site's time zone.")]
Last = Annotated[Day, Query(alias="to", description="The last day, included.")]


async def drawn_up(
    connection: AsyncConnection, site_code: str, span: Span, *, default_timezone: str, now: datetime
) -> tuple[Site, dict[str, Any]]:
    """The site and its report of `span`, from the archive's own timeline."""
    described = await site_described(connection, site_code)
    if described is None:
        raise Problem(404, "unknown_site", f"intake has not described site {site_code!r} to the archive")
    site = Site.known(site_code, Story(()), described, default_timezone)
    end = min(span.ends(site.timezone), now)
    moments = _moments(await timeline.moments_of_site_between(connection, site_code, span.starts(site.timezone), end))
    concerned = {ticket for _, event in moments if (ticket := getattr(event, "ticket_id", None))}
    history = _events(await timeline.of_tickets(connection, concerned, HISTORY, before=end))
    openings = {opened.ticket_id: opened for opened in history if isinstance(opened, TicketOpened)}
    breached = {event.ticket_id for _, event in moments if isinstance(event, SlaBreached)}
    histories: dict[str, list[Moment]] = {}
    for ticket_id, at, kind, version, payload in await timeline.moments_of_tickets(
        connection, breached, BREACH_HISTORY
    ):
        if (event := as_event(kind, version, payload)) is not None:
            histories.setdefault(ticket_id, []).append((at, event))
    report = service_report(
        site,
        described.customer,
        span,
        moments,
        openings,
        [change for change in history if isinstance(change, TicketReclassified)],
        histories,
        now=now,
    )
    return site, report


@router.get("/reports/service")
async def get_service_report(
    site_code: SiteCode, first: First, last: Last, database: Database, settings: Settings
) -> dict[str, Any]:
    """The site's service report of the days `from` to `to`: tickets by subsystem and kind, each clock's
    promises kept and broken, every breach with where its ticket stood and how late, inspections made
    and missed, follow-up calls and their scores, the devices that failed most, and month by month.
    Codes as codes; `words` holds the Chinese the PDF shows for them."""
    span = _span(first, last)
    async with database.connect() as connection:
        _, report = await drawn_up(
            connection, site_code, span, default_timezone=settings.default_timezone, now=datetime.now(UTC)
        )
    return report


@router.get("/reports/service.pdf", response_class=Response, responses={200: {"content": {"application/pdf": {}}}})
async def get_service_report_pdf(
    site_code: SiteCode, first: First, last: Last, database: Database, settings: Settings, renderer: PdfRenderer
) -> Response:
    """The same report as the PDF 服务月报 for the customer, in Chinese; typeset now, filed nowhere."""
    span = _span(first, last)
    now = datetime.now(UTC)
    async with database.connect() as connection:
        site, report = await drawn_up(connection, site_code, span, default_timezone=settings.default_timezone, now=now)
    label = f"{span.first:%Y%m%d}-{span.last:%Y%m%d}"
    sheet = Sheet(
        form=FORM, code=f"{site.code}-{label}", version=1, site_code=site.code, site_name=site.name,
        timezone=site.timezone, archived_at=now, sha256=hashlib.sha256(canonical_json(report)).hexdigest(),
        content={"form": FORM, **report},
    )  # fmt: skip
    pdf = await renderer.pdf(sheet)
    return Response(
        content=pdf, media_type="application/pdf", headers=file_named(f"{site.code}-服务月报-{label}.pdf", inline=True)
    )


def _span(first: date, last: date) -> Span:
    try:
        return Span.of(first, last)
    except BadSpan as bad:
        raise Problem(422, "bad_period", str(bad)) from bad


def _events(rows: list[tuple[str, int, dict[str, Any]]]) -> list[Any]:
    return [event for event in (as_event(*row) for row in rows) if event is not None]


def _moments(rows: list[tuple[datetime, str, int, dict[str, Any]]]) -> list[Moment]:
    return [(at, event) for at, kind, version, payload in rows if (event := as_event(kind, version, payload))]
