"""Loads a site description into dispatch: the site's time zone, the engineers with their duty roster,
who owns which subsystem, and whom to tell of what (the engineers and the staff the file names, with
their addresses). Loading again replaces the rosters the file gave, and keeps the periods people added
through the API and the choices people made about their notifications."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from services.dispatch.common import sites
from services.dispatch.inspections.domain import InspectionPlan
from services.dispatch.inspections.visits import put_plan
from services.dispatch.notifications import repository as notices
from services.dispatch.notifications.domain.notices import parse_quiet_hours, preferences_from
from services.dispatch.roster import repository as roster
from services.dispatch.roster.domain import DutyKind, DutyPeriod
from shared.persistence.service_database import ServiceDatabase
from shared.site_file import ReachableSection, SiteFile, engineer_username, load_site_file

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
    contacts = _contacts(described)
    async with database.engine.begin() as connection:
        where = described.site.location
        located = {
            "latitude": where.latitude if where else None,
            "longitude": where.longitude if where else None,
            "arrival_radius_m": where.arrival_radius_m if where else None,
        }
        await sites.keep_site(connection, {"code": site_code, "timezone": timezone, **located})
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
        for contact in contacts:
            await notices.keep_contact(connection, contact)
    duty = sum(len(p) for p in periods.values())
    return (
        f"{len(described.engineers)} engineers ({duty} duty periods), {len(owned)} subsystem owners, "
        f"{len(plans)} inspection plans, {len(contacts)} people to notify at {site_code}"
    )


def _contacts(described: SiteFile) -> list[dict[str, Any]]:
    """Whom the file says to tell, as contact rows; a wrong choice in it is refused with its reason."""
    code, timezone = described.site.code, described.site.timezone
    people: list[tuple[str, str, list[str], str | None, ReachableSection]] = [
        (engineer_username(e, code), e.name, ["engineer"], e.id, e) for e in described.engineers
    ]
    people += [(s.username, s.name, list(s.roles), None, s) for s in described.staff]
    rows: dict[str, dict[str, Any]] = {}
    for username, name, roles, engineer_id, reach in people:
        try:
            preferences_from(reach.notify)
            if reach.quiet_hours:
                parse_quiet_hours(reach.quiet_hours)
        except ValueError as error:
            raise ValueError(f"{username}: {error}") from None
        if username in rows:  # an engineer also named among the staff: one person, with both roles
            rows[username]["roles"] = sorted({*rows[username]["roles"], *roles})
            continue
        rows[username] = {
            "username": username, "name": name, "roles": roles, "engineer_id": engineer_id, "site_codes": [code],
            "email": reach.email, "phone": reach.phone, "robot_kind": reach.robot.kind if reach.robot else None,
            "robot_url": reach.robot.url if reach.robot else None,
            "robot_secret": reach.robot.secret if reach.robot else None, "language": reach.language,
            "timezone": timezone, "quiet_hours": reach.quiet_hours, "channels": reach.notify,
        }  # fmt: skip
    return list(rows.values())
