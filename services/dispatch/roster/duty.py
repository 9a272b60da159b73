"""The duty roster kept by hand: the service manager adds a shift, an on-call period or leave in a
site's local time."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncConnection

from services.dispatch.common import sites
from services.dispatch.roster import repository as roster
from services.dispatch.roster.domain import DutyKind, DutyPeriod, InvalidPeriod
from shared.refusals import Refused


async def add_duty(
    connection: AsyncConnection,
    engineer_id: str,
    *,
    kind: DutyKind,
    starts: datetime,
    ends: datetime,
    repeat: str | None,
    site_code: str,
    note: str | None,
    actor: str,
) -> int:
    """Add a shift, on-call period or leave, in the local time of `site_code`; returns its id."""
    if await roster.engineer(connection, engineer_id) is None:
        raise Refused("unknown_engineer", f"no engineer {engineer_id!r}")
    timezone = await sites.timezone_of(connection, site_code)
    if timezone is None:
        raise Refused("unknown_site", f"dispatch knows no site {site_code!r}")
    try:
        period = DutyPeriod(kind=kind, starts=starts, ends=ends, timezone=timezone, repeat=repeat)
    except InvalidPeriod as invalid:
        raise Refused("invalid_period", str(invalid)) from invalid
    return await roster.add_period(connection, engineer_id, period, note=note, actor=actor)
