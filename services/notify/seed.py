"""Loads a site description into notify: whom to tell of what (the engineers and the staff the file
names, with their addresses and their choices). Loading again updates their addresses and adds the
file's sites and roles to theirs; the choices people made since (in the console) stay."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from services.notify.db import repository as notices
from services.notify.domain.notices import parse_quiet_hours, preferences_from
from shared.persistence.service_database import ServiceDatabase
from shared.site_file import ReachableSection, SiteFile, engineer_username, load_site_file


async def load_site(database: ServiceDatabase, path: Path) -> str:
    described = load_site_file(path)
    contacts = _contacts(described)
    async with database.engine.begin() as connection:
        for contact in contacts:
            await notices.keep_contact(connection, contact)
    return f"{len(contacts)} people to notify at {described.site.code}"


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
            "robot_secret": reach.robot.secret if reach.robot else None, "wecom_userid": reach.wecom_userid,
            "language": reach.language,
            "timezone": timezone, "quiet_hours": reach.quiet_hours, "channels": reach.notify,
        }  # fmt: skip
    return list(rows.values())
