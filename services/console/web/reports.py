"""Charts where people would rather look than read, for one site over the last six months: SLA
compliance by month and clock, breaches by subsystem and by engineer, satisfaction over time."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from services.console.domain.charts import breaches_by, compliance_by_month, last_months, satisfaction_by_month
from services.console.web.pages import PageRoute
from services.console.web.rendering import page
from services.console.web.sessions import Session, require
from services.console.web.upstream import Services
from shared.identity import Role

router = APIRouter(route_class=PageRoute)
MONTHS_SHOWN = 6


@router.get("/reports")
async def reports_page(
    request: Request, session: Session, services: Services, site_code: str | None = None
) -> HTMLResponse:
    require(session, Role.MANAGER, Role.QUALITY)
    person = session.person
    sites = await services.get(person, "intake", "/sites")
    site = site_code or (sites[0]["code"] if sites else "")
    months = last_months(datetime.now(UTC).date(), MONTHS_SHOWN)
    monthly, tickets = await asyncio.gather(
        asyncio.gather(*(services.get(person, "sla", "/reports/monthly", site_code=site, month=m) for m in months)),
        asyncio.gather(
            *(services.get(person, "dispatch", "/reports/tickets", site_code=site, month=m) for m in months)
        ),
    )
    every_ticket = [ticket for month in tickets for ticket in month]
    return page(
        request,
        "reports.html",
        session,
        sites=sites,
        site_code=site,
        compliance=compliance_by_month(monthly),
        by_subsystem=breaches_by(monthly, every_ticket, "subsystem"),
        by_engineer=breaches_by(monthly, every_ticket, "engineer_name"),
        satisfaction=satisfaction_by_month(months, tickets),
    )
