"""Loads a site description into dispatch: the engineers and who owns which subsystem."""

from __future__ import annotations

from pathlib import Path

from services.dispatch.db.tables import engineers, ownerships, site_engineers
from shared.persistence.service_database import ServiceDatabase
from shared.persistence.upsert import insert_if_absent, upsert
from shared.site_file import load_site_file


async def load_site(database: ServiceDatabase, path: Path) -> str:
    described = load_site_file(path)
    site_code = described.site.code
    async with database.engine.begin() as connection:
        for engineer in described.engineers:
            row = {
                "engineer_id": engineer.id,
                "name": engineer.name,
                "phone": engineer.phone,
                "skills": engineer.skills,
                "on_duty": engineer.on_duty,
                "max_open_tickets": engineer.max_open_tickets,
            }
            await upsert(connection, engineers, row, key=["engineer_id"])
            await insert_if_absent(connection, site_engineers, {"site_code": site_code, "engineer_id": engineer.id})
        owned = [s for s in described.subsystems if s.owner is not None]
        for subsystem in owned:
            row = {"site_code": site_code, "subsystem": subsystem.code, "engineer_id": subsystem.owner}
            await upsert(connection, ownerships, row, key=["site_code", "subsystem"])
    return f"{len(described.engineers)} engineers, {len(owned)} subsystem owners at {site_code}"
