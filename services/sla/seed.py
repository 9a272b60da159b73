"""Loads a site description into the SLA service: that the site exists, so that it may be put under a
policy before its first ticket, and its time zone; the site's calendar is then told to the others."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from services.sla.db import sites
from services.sla.site_calendars import publish_site_calendar
from shared.persistence.service_database import ServiceDatabase
from shared.site_file import load_site_file


async def load_site(database: ServiceDatabase, path: Path) -> str:
    site = load_site_file(path).site
    async with database.unit_of_work() as uow:
        if await sites.know_site(uow.connection, site.code, site.timezone):
            await publish_site_calendar(uow, site.code, now=datetime.now(UTC))
    return f"site {site.code} known"
