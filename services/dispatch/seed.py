"""Loads a site description into dispatch: the engineers and who owns which subsystem."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.dialects.postgresql import insert

from services.dispatch.db.tables import engineers, ownerships, site_engineers
from shared.messaging.unit_of_work import ServiceDatabase
from shared.site_file import load_site_file


async def load_site(database: ServiceDatabase, path: Path) -> str:
    described = load_site_file(path)
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
            await connection.execute(
                insert(engineers).values(row).on_conflict_do_update(index_elements=[engineers.c.engineer_id], set_=row)
            )
            await connection.execute(
                insert(site_engineers)
                .values(site_code=described.site.code, engineer_id=engineer.id)
                .on_conflict_do_nothing()
            )
        owned = [s for s in described.subsystems if s.owner is not None]
        for subsystem in owned:
            row = {"site_code": described.site.code, "subsystem": subsystem.code, "engineer_id": subsystem.owner}
            await connection.execute(
                insert(ownerships)
                .values(row)
                .on_conflict_do_update(index_elements=[ownerships.c.site_code, ownerships.c.subsystem], set_=row)
            )
    return f"{len(described.engineers)} engineers, {len(owned)} subsystem owners at {described.site.code}"
