"""Loads a site description into dispatch: the site's time zone, the engineers with their duty roster,
who owns which subsystem, and the inspection plans. Loading again replaces the rosters the file gave,
and keeps the periods people added through the API. (Whom to tell and how is the notify service's
part of the file.)"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from services.dispatch.common import sites
from services.dispatch.inspections.domain import InspectionPlan
from services.dispatch.inspections.visits import put_plan
from services.dispatch.roster import repository as roster
from services.dispatch.roster.domain import DutyKind, DutyPeriod
from shared.persistence.service_database import ServiceDatabase
from shared.site_file import load_site_file

SEED = "seed"


async def load_site(database: ServiceDatabase, path: Path) -> str:
    described = load_site_file(path)
    site_code, timezone = described.site.code, described.site.timezone
    periods = {
        engineer.id: [
            (DutyPeriod(DutyKind(d.kind), d.starts, d.ends, timezone, d.repeat), d.note) for d in engineer.duty
        ]
        for engineer in described.engineers
    }
    plans = [InspectionPlan.model_validate(section.model_dump()) for section in described.inspections]
    async with database.engine.begin() as connection:
        where = described.site.location
        located = {
            "latitude": where.latitude if where else None,
            "longitude": where.longitude if where else None,
            "arrival_radius_m": where.arrival_radius_m if where else None,
        }
        paging = described.paging.model_dump()
        await sites.keep_site(connection, {"code": site_code, "timezone": timezone, "paging": paging, **located})
        for engineer in described.engineers:
            row = {
                "engineer_id": engineer.id,
                "name": engineer.name,
                "phone": engineer.phone,
                "skills": engineer.skills,
                "max_open_tickets": engineer.max_open_tickets,
            }
            await roster.keep_engineer(connection, row, serving=site_code)
            await roster.replace_seeded_periods(connection, engineer.id)
            for period, note in periods[engineer.id]:
                await roster.add_period(connection, engineer.id, period, note=note, actor=SEED)
        owned = [s for s in described.subsystems if s.owner is not None]
        for subsystem in owned:
            row = {"site_code": site_code, "subsystem": subsystem.code, "engineer_id": subsystem.owner}
            await roster.keep_owner(connection, row)
        for plan in plans:
            await put_plan(connection, site_code, plan, actor=SEED, now=datetime.now(UTC))
    duty = sum(len(p) for p in periods.values())
    return (
        f"{len(described.engineers)} engineers ({duty} duty periods), {len(owned)} subsystem owners, "
        f"{len(plans)} inspection plans at {site_code}"
    )
