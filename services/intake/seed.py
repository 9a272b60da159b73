"""Loads a site description into intake: the site, its subsystems and its equipment register."""

from __future__ import annotations

from pathlib import Path

from services.intake.db.tables import equipment, sites, subsystems
from shared.persistence.service_database import ServiceDatabase
from shared.persistence.upsert import upsert
from shared.site_file import load_site_file


async def load_site(database: ServiceDatabase, path: Path) -> str:
    described = load_site_file(path)
    site = described.site
    async with database.engine.begin() as connection:
        await upsert(connection, sites, site.model_dump(), key=["code"])
        for subsystem in described.subsystems:
            row = {"site_code": site.code, **subsystem.model_dump(exclude={"owner"})}
            await upsert(connection, subsystems, row, key=["site_code", "code"])
        for item in described.equipment:
            await upsert(
                connection, equipment, {"site_code": site.code, **item.model_dump()}, key=["site_code", "asset_tag"]
            )
    return f"site {site.code}: {len(described.subsystems)} subsystems, {len(described.equipment)} devices"
