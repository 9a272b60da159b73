"""Loads a site description into intake: the site, its subsystems and its equipment register."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.dialects.postgresql import insert

from services.intake.db.tables import equipment, sites, subsystems
from shared.messaging.unit_of_work import ServiceDatabase
from shared.site_file import load_site_file


async def load_site(database: ServiceDatabase, path: Path) -> str:
    described = load_site_file(path)
    site = described.site
    async with database.engine.begin() as connection:
        site_row = site.model_dump()
        await connection.execute(
            insert(sites).values(site_row).on_conflict_do_update(index_elements=[sites.c.code], set_=site_row)
        )
        for subsystem in described.subsystems:
            row = {"site_code": site.code, **subsystem.model_dump(exclude={"owner"})}
            await connection.execute(
                insert(subsystems)
                .values(row)
                .on_conflict_do_update(index_elements=[subsystems.c.site_code, subsystems.c.code], set_=row)
            )
        for item in described.equipment:
            row = {"site_code": site.code, **item.model_dump()}
            await connection.execute(
                insert(equipment)
                .values(row)
                .on_conflict_do_update(index_elements=[equipment.c.site_code, equipment.c.asset_tag], set_=row)
            )
    return f"site {site.code}: {len(described.subsystems)} subsystems, {len(described.equipment)} devices"
