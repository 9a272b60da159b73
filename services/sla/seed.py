"""Loads a site description into the SLA service: only that the site exists, so that it may be put
under a policy before its first ticket."""

from __future__ import annotations

from pathlib import Path

from services.sla.db import sites
from shared.persistence.service_database import ServiceDatabase
from shared.site_file import load_site_file


async def load_site(database: ServiceDatabase, path: Path) -> str:
    site_code = load_site_file(path).site.code
    async with database.engine.begin() as connection:
        await sites.know_site(connection, site_code)
    return f"site {site_code} known"
