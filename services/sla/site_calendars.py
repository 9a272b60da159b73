"""Telling the other services each site's calendar (`sla.site_calendar`): the SLA policy owns a site's
working days, and dispatch (follow-up calls, inspections) and the vendor service (partners' repair
deadlines) count on what this publishes, through the outbox with the change that caused it.

A site's calendar may change when the SLA service first knows the site (or its time zone), when the
site is put under a policy, and when that policy gets a new version; an operator can also publish every
site's calendar again (`aftercare sla publish-calendars`) for consumers that started later. Sites known
before the SLA service told calendars (an upgrade) are told once when it starts (`UntoldCalendars`).
"""

from __future__ import annotations

from datetime import UTC, datetime

from services.sla.db import repository, sites
from shared.background import OnceAtStart
from shared.contracts import SiteCalendarSet
from shared.logs import get_logger
from shared.messaging.unit_of_work import UnitOfWork
from shared.persistence.service_database import ServiceDatabase

log = get_logger(__name__)


def calendar_correlation(site_code: str) -> str:
    return f"{site_code}-calendar"


async def publish_site_calendar(uow: UnitOfWork, site_code: str, *, now: datetime) -> SiteCalendarSet:
    """Publish the site's calendar as its policy gives it now, under the site's next revision."""
    connection = uow.connection
    revision = await sites.next_calendar_revision(connection, site_code)  # first: it serialises publishers
    policy_code = await repository.policy_code_for_site(connection, site_code)
    latest = await repository.latest_policy(connection, policy_code)
    if latest is None:
        raise LookupError(f"SLA policy {policy_code!r} of site {site_code} does not exist")
    version, policy = latest
    event = SiteCalendarSet(
        site_code=site_code,
        timezone=await sites.timezone_of(connection, site_code),
        calendar=policy.site_calendar(),
        policy=policy_code,
        policy_version=version,
        revision=revision,
        effective_at=now,
    )
    uow.publish(event, correlation_id=calendar_correlation(site_code))
    return event


async def publish_policy_sites(uow: UnitOfWork, policy_code: str, *, now: datetime) -> int:
    """A policy has a new version: publish the calendar of every site under it; returns how many."""
    under = await sites.sites_under_policy(uow.connection, policy_code)
    for site_code in under:
        await publish_site_calendar(uow, site_code, now=now)
    return len(under)


async def publish_every_site(database: ServiceDatabase, *, now: datetime) -> list[str]:
    """Publish every known site's calendar again, one transaction per site; returns the sites."""
    async with database.connect() as connection:
        known = await sites.site_codes(connection)
    for site_code in known:
        async with database.unit_of_work() as uow:
            await publish_site_calendar(uow, site_code, now=now)
    return known


async def publish_untold(database: ServiceDatabase, *, now: datetime) -> list[str]:
    """Publish the calendar of every site never told yet, once whatever the number of processes."""
    async with database.connect() as connection:
        untold = await sites.untold_site_codes(connection)
    told = []
    for site_code in untold:
        try:
            async with database.unit_of_work() as uow:
                if await sites.hold_if_untold(uow.connection, site_code):
                    await publish_site_calendar(uow, site_code, now=now)
                    told.append(site_code)
        except LookupError as error:  # its policy is gone: the others are told all the same
            log.warning("a site's calendar cannot be told", site=site_code, error=str(error))
    return told


class UntoldCalendars(OnceAtStart):
    """At start, tells the calendars of the sites never told (an upgraded deployment's)."""

    task_name = "sla-untold-calendars"

    def __init__(self, database: ServiceDatabase) -> None:
        super().__init__()
        self._database = database

    async def _once(self) -> None:
        told = await publish_untold(self._database, now=datetime.now(UTC))
        if told:
            log.info("told the calendars of sites known before", sites=told)
