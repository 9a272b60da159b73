"""The SLA service's entry points: the ticket events it keeps clocks for, and its HTTP API."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any, cast

from fastapi import APIRouter, Response
from pydantic import BaseModel, Field

from services.sla import tracking, views
from services.sla.db import repository, sites
from services.sla.domain.facts import TICKET_EVENTS
from services.sla.domain.policy import Policy
from services.sla.domain.reports import monthly_report, vendor_report
from services.sla.domain.vendor_clocks import is_vendor_kind
from services.sla.scheduler import TimerScheduler
from services.sla.settings import SlaSettings
from services.sla.site_calendars import UntoldCalendars, publish_policy_sites, publish_site_calendar
from shared.calendar_queries import Month, month_span
from shared.contracts import Envelope, SiteDescribed
from shared.http import Caller, Database, Problem, rows_response
from shared.messaging.routes import MessageHandlers
from shared.messaging.unit_of_work import UnitOfWork
from shared.persistence.service_database import ServiceDatabase
from shared.settings import ServiceSettings

events = MessageHandlers()
router = APIRouter(tags=["sla"])


async def on_ticket_event(message: Envelope[Any], uow: UnitOfWork) -> None:
    await tracking.take_in(uow, message)


for contract in TICKET_EVENTS:
    events.on(contract)(on_ticket_event)


@events.on(SiteDescribed)
async def on_site_described(message: Envelope[SiteDescribed], uow: UnitOfWork) -> None:
    site = message.payload
    if await sites.know_site(uow.connection, site.site_code, site.timezone):
        await publish_site_calendar(uow, site.site_code, now=datetime.now(UTC))


def untold_calendars(database: ServiceDatabase, settings: ServiceSettings) -> UntoldCalendars:
    return UntoldCalendars(database)


def timer_scheduler(database: ServiceDatabase, settings: ServiceSettings) -> TimerScheduler:
    sla = cast(SlaSettings, settings)
    return TimerScheduler(database, tick=timedelta(milliseconds=sla.timer_tick_ms), batch_size=sla.timer_batch_size)


@router.get("/tickets/{ticket_id}/clocks")
async def get_clocks(ticket_id: str, database: Database, caller: Caller) -> list[dict[str, Any]]:
    """The ticket's clocks: target, deadline, where each stands now, and how it ended. A customer sees the
    contract's clocks; the vendor partners' clocks are the integrator's business with its partners."""
    async with database.connect() as connection:
        found = await views.clock_views(connection, ticket_id, datetime.now(UTC))
    if not found:
        raise Problem(404, "unknown_ticket", f"sla has no clock for ticket {ticket_id!r} (yet)")
    return [c for c in found if not is_vendor_kind(c["clock"])] if caller.customer_only else found


@router.get("/clocks")
async def running_clocks(database: Database, caller: Caller, site_code: str | None = None) -> Response:
    """Every clock still running, soonest deadline first: the service manager's countdowns (a customer's
    without the vendor partners' clocks)."""
    async with database.connect() as connection:
        found = await repository.running_clocks(connection, site_code)
    if caller.customer_only:
        found = [
            {k: v for k, v in c.items() if k not in ("partner", "case_number")}
            for c in found
            if not is_vendor_kind(c["clock"])
        ]
    return rows_response(found)


@router.get("/policies")
async def list_policies(database: Database) -> list[dict[str, Any]]:
    """Every SLA policy and its latest version."""
    async with database.connect() as connection:
        return await repository.policy_codes(connection)


@router.get("/policies/{code}")
async def get_policy(code: str, database: Database) -> dict[str, Any]:
    """The latest version of a policy."""
    async with database.connect() as connection:
        latest = await repository.latest_policy(connection, code)
    if latest is None:
        raise Problem(404, "unknown_policy", f"no SLA policy {code!r}")
    version, policy = latest
    return {"code": code, "version": version, "policy": policy.model_dump(mode="json")}


@router.put("/policies/{code}")
async def put_policy(code: str, policy: Policy, database: Database) -> dict[str, Any]:
    """Save a policy as its next version. Clocks already running keep the version they started under; the
    sites under the policy have a new calendar (`sla.site_calendar`)."""
    async with database.unit_of_work() as uow:
        version = await repository.save_policy(uow.connection, code, policy)
        await publish_policy_sites(uow, code, now=datetime.now(UTC))
    return {"code": code, "version": version}


@router.get("/policies/{code}/calendar")
async def policy_calendar(code: str, database: Database, month: Month) -> dict[str, Any]:
    """Working days and days off of a month on the policy's calendar, its exceptions included."""
    async with database.connect() as connection:
        latest = await repository.latest_policy(connection, code)
    if latest is None:
        raise Problem(404, "unknown_policy", f"no SLA policy {code!r}")
    calendar = latest[1].business_calendar()
    first, after = month_span(month)
    days = [first + timedelta(days=n) for n in range((after - first).days)]
    return {
        "policy": code,
        "month": month,
        "days_off": [d for d in days if not calendar.is_working_day(d)],
        "weekend_working_days": [d for d in days if calendar.is_working_day(d) and d.weekday() >= 5],
    }


class SitePolicy(BaseModel):
    policy: str = Field(min_length=1, description="Code of an existing SLA policy.")


@router.get("/sites/{site_code}/policy")
async def get_site_policy(site_code: str, database: Database) -> dict[str, str]:
    async with database.connect() as connection:
        return {"site_code": site_code, "policy": await repository.policy_code_for_site(connection, site_code)}


@router.put("/sites/{site_code}/policy")
async def put_site_policy(site_code: str, body: SitePolicy, database: Database) -> dict[str, str]:
    """Put a site under a policy; tickets opened from now on follow it, and the others count on its
    calendar (`sla.site_calendar`)."""
    async with database.unit_of_work() as uow:
        if not await sites.is_known_site(uow.connection, site_code):
            raise Problem(
                404,
                "unknown_site",
                f"sla knows no site {site_code!r}: load its site file, or describe it in intake first",
            )
        if await repository.latest_policy(uow.connection, body.policy) is None:
            raise Problem(
                422, "unknown_policy", f"no SLA policy {body.policy!r}; create it with PUT /policies/{{code}}"
            )
        await repository.assign_policy(uow.connection, site_code, body.policy)
        await publish_site_calendar(uow, site_code, now=datetime.now(UTC))
    return {"site_code": site_code, "policy": body.policy}


@router.get("/reports/monthly")
async def get_monthly_report(
    database: Database,
    site_code: str,
    month: Month,
) -> dict[str, Any]:
    """Per site and month (in the site's time zone): tickets, clocks met and breached per kind,
    compliance, the worst breaches."""
    first, after = month_span(month)
    async with database.connect() as connection:
        records = await repository.clocks_started_in(connection, site_code, first, after)
    return monthly_report(site_code, month, records, datetime.now(UTC))


@router.get("/reports/vendors")
async def get_vendor_report(
    database: Database,
    month: Month,
) -> dict[str, Any]:
    """Per vendor partner and clock (the month in each site's time zone): met, breached, compliance, and
    the cases that broke the agreement."""
    first, after = month_span(month)
    async with database.connect() as connection:
        records = await repository.vendor_clocks_started_in(connection, first, after)
    return vendor_report(month, records, datetime.now(UTC))
