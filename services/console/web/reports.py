"""A site's service for a chosen period (a month, a quarter, from one day to another; the last six months
by default): tickets by subsystem and kind, each clock's promises kept, every breach with its reason, the
inspections made and missed, the follow-up scores, the devices that failed most, and month by month. The
archive counts it all from its timeline in one answer (GET /reports/service), which the page shows as
tables and as Apache ECharts charts, exports as XLSX in the reader's language, and hands on as the
archive's Chinese PDF 服务月报 for the customer. A customer's representative reads their own site's."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response

from services.console.domain import charts
from services.console.web.names import names_of
from services.console.web.pages import PageRoute
from services.console.web.rendering import LABELS, N_, language_of, local_time, page, translations
from services.console.web.sessions import Session, WebSession, require, settings_of
from services.console.web.upstream import ServiceRefused, Services, Upstream
from shared.http import file_named
from shared.identity import Role
from shared.spreadsheets import MEDIA_TYPES, SheetFormat, write_workbook

router = APIRouter(route_class=PageRoute)

REASONS = {
    "not_assigned": N_("Not yet assigned"),
    "nobody_free": N_("No engineer free"),
    "no_skill": N_("No engineer with the skill"),
    "not_accepted": N_("Not yet accepted by the engineer"),
    "not_on_site": N_("Engineer on the way, not yet on site"),
    "work_in_progress": N_("Work in progress on site"),
    "with_quality_desk": N_("With the quality desk"),
    "waiting_for_customer": N_("Waiting for the customer"),
    "waiting_for_parts": N_("Waiting for parts"),
    "waiting_for_vendor": N_("Waiting for the vendor"),
    "paused": N_("Paused"),
    "state_unknown": N_("Where it stood is unknown"),
}
"""Why a clock ran out: where its ticket stood then (the archive's codes)."""

READS = (Role.MANAGER, Role.QUALITY, Role.CUSTOMER)

First = Annotated[date | None, Query(alias="from")]
Last = Annotated[date | None, Query(alias="to")]


class Asked:
    """The page's question: the site and the period, as the form and the export links give them."""

    def __init__(
        self,
        site_code: str | None = None,
        period: str | None = None,
        month: str | None = None,
        quarter: str | None = None,
        first: First = None,
        last: Last = None,
    ) -> None:
        self.site_code = site_code
        self.period = period
        self.month = month
        self.quarter = quarter
        self.first = first
        self.last = last


async def _report(
    request: Request, session: WebSession, services: Upstream, asked: Asked
) -> tuple[str, list[Any], charts.Period, dict[str, Any] | None]:
    """The site shown, the sites to choose from, the period and the archive's report of it."""
    require(session, *READS)
    identity = session.person.identity()
    if identity.customer_only:
        sites: list[Any] = []
        site = identity.site_code or ""
    else:
        sites = await services.get(session.person, "intake", "/sites")
        site = asked.site_code or (sites[0]["code"] if sites else "")
    today = datetime.now(UTC).astimezone(ZoneInfo(settings_of(request).timezone)).date()
    try:
        period = charts.chosen_period(
            today, asked.period, month=asked.month, quarter=asked.quarter, first=asked.first, last=asked.last
        )
    except charts.BadPeriod as bad:
        raise ServiceRefused(422, "bad_period", str(bad)) from bad
    if not site:
        return site, sites, period, None
    report = await services.get(session.person, "archive", "/reports/service", site_code=site, **period.query())
    return site, sites, period, report


def _words(request: Request, site: str) -> dict[str, Callable[[str | None], str]]:
    """The reader's words for the report's codes."""
    language = language_of(request)
    _ = translations(language).gettext
    names = names_of(request.app.state)

    def label(code: str | None) -> str:
        return _(LABELS[code]) if code in LABELS else code or ""

    return {
        "subsystem": lambda code: names.subsystem(code, site, language) if code else "",
        "kind": label,
        "clock": label,
        "reason": lambda code: _(REASONS[code]) if code in REASONS else code or "",
    }


Question = Annotated[Asked, Depends()]


@router.get("/reports")
async def reports_page(request: Request, session: Session, services: Services, asked: Question) -> HTMLResponse:
    site, sites, period, report = await _report(request, session, services, asked)
    _ = translations(language_of(request)).gettext
    words = _words(request, site)
    chart_options: dict[str, Any] = {}
    if report is not None:
        chart_options = {
            "months": charts.months_chart(report["by_month"], words["clock"], _("Tickets opened"), _("kept")),
            "tickets": charts.tickets_chart(
                report["tickets"]["by_subsystem_and_kind"], words["subsystem"], words["kind"]
            ),
            "compliance": charts.compliance_chart(report["sla"], words["clock"], _("Kept"), _("Missed")),
            "reasons": charts.reasons_chart(report["breaches_by_reason"], words["reason"]),
            "inspections": charts.inspections_chart(
                report["inspections"]["by_subsystem"], words["subsystem"], _("Done"), _("Not made")
            ),
            "satisfaction": charts.satisfaction_chart(report["follow_ups"]["scores"], _("Follow-up calls")),
            "devices": charts.devices_chart(report["devices"], _("Failures")),
        }
    today = period.last if period.kind == "months" else datetime.now(UTC).date()
    return page(
        request,
        "reports.html",
        session,
        sites=sites,
        site_code=site,
        customer=session.person.identity().customer_only,
        period=period,
        asked=asked,
        quarters=charts.recent_quarters(today),
        report=report,
        charts=chart_options,
        words=words,
        late_by=charts.late_by,
        dissatisfied=charts.dissatisfied,
        below_target=charts.below_target,
        query=_query(site, period),
    )


def _query(site: str, period: charts.Period) -> str:
    """The export links' question: the site and the period's days, whatever way they were chosen."""
    return f"site_code={site}&period=range&from={period.first.isoformat()}&to={period.last.isoformat()}"


@router.get("/reports.xlsx")
async def reports_xlsx(request: Request, session: Session, services: Services, asked: Question) -> Response:
    """The report's tables, a sheet each, in the reader's language."""
    site, _sites, period, report = await _report(request, session, services, asked)
    if report is None:
        raise ServiceRefused(404, "no_site", "no site to report on")
    language = language_of(request)
    sheets = report_sheets(
        report, translations(language).gettext, _words(request, site), ZoneInfo(settings_of(request).timezone)
    )
    name = f"{site}-report-{period.first:%Y%m%d}-{period.last:%Y%m%d}.xlsx"
    return Response(
        content=await asyncio.to_thread(write_workbook, sheets),
        media_type=MEDIA_TYPES[SheetFormat.XLSX],
        headers=file_named(name),
    )


@router.get("/reports.pdf")
async def reports_pdf(request: Request, session: Session, services: Services, asked: Question) -> Response:
    """The archive's 服务月报 of the same site and period, in Chinese, for the customer."""
    site, _sites, period, _report_shown = await _report(request, session, services, asked)
    answer = await services.send(
        session.person, "GET", "archive", "/reports/service.pdf", params={"site_code": site, **period.query()}
    )
    name = f"{site}-服务月报-{period.first:%Y%m%d}-{period.last:%Y%m%d}.pdf"
    return Response(content=answer.content, media_type="application/pdf", headers=file_named(name))


Sheets = list[tuple[str, list[str], list[list[object]]]]


def report_sheets(
    report: dict[str, Any], _: Callable[[str], str], words: dict[str, Callable[[str | None], str]], zone: ZoneInfo
) -> Sheets:
    """The report's tables as the XLSX holds them: a sheet each, headed in the reader's language."""
    subsystem, kind, clock, reason = words["subsystem"], words["kind"], words["clock"], words["reason"]
    tickets = report["tickets"]
    follow_ups = report["follow_ups"]
    inspections = report["inspections"]
    return [
        (
            _("Tickets"),
            [_("Subsystem"), _("Kind"), _("Opened"), _("Resolved"), _("Closed")],
            [
                *([subsystem(r["subsystem"]), kind(r["kind"]), r["opened"], r["resolved"], r["closed"]]
                  for r in tickets["by_subsystem_and_kind"]),
                [_("Total"), "", tickets["opened"], tickets["resolved"], tickets["closed"]],
            ],
        ),
        (
            _("Clocks"),
            [_("Clock"), _("Kept"), _("Missed"), _("Kept %")],
            [[clock(r["clock"]), r["met"], r["breached"], r["met_percent"]] for r in report["sla"]],
        ),
        (
            _("Breaches"),
            [_("Ticket"), _("Clock"), _("Reason"), _("Engineer"), _("Due"), _("Stopped"), _("Minutes late")],
            [
                [b["ticket_id"], clock(b["clock"]), reason(b["reason"]), b["engineer_name"] or "",
                 local_time(b["due_at"], zone), local_time(b["stopped_at"], zone), b["late_minutes"]]
                for b in report["breaches"]
            ],
        ),
        (
            _("Inspections"),
            [_("Subsystem"), _("Done"), _("Done late"), _("Not made")],
            [[subsystem(r["subsystem"]), r["completed"], r["late"], r["missed"]] for r in inspections["by_subsystem"]],
        ),
        (
            _("Satisfaction"),
            [_("Score"), _("Follow-up calls")],
            [
                *([str(score), follow_ups["scores"].get(str(score), 0)] for score in range(1, 6)),
                [_("Average"), follow_ups["average_satisfaction"]],
            ],
        ),
        (
            _("Devices"),
            [_("Device"), _("Serial number"), _("Model"), _("Subsystem"), _("Failures")],
            [
                [d["asset_tag"] or "", d["serial_number"] or "", d["model"] or "", subsystem(d["subsystem"]),
                 d["failures"]]
                for d in report["devices"]
            ],
        ),
        (
            _("By month"),
            [_("Month"), _("Tickets opened"), *(f"{clock(code)} {_('Kept %')}" for code in charts.CLOCKS),
             _("Average satisfaction")],
            [
                [m["month"], m["opened"], *(m["sla"].get(code) for code in charts.CLOCKS), m["average_satisfaction"]]
                for m in report["by_month"]
            ],
        ),
    ]  # fmt: skip
