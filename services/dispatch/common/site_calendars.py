"""Each site's calendar as the SLA service tells it (`sla.site_calendar`), shared by the areas that
count working days on it: the follow-up call's due date and the inspection visits' days and windows.
China's official calendar, working day ending 18:00, until a site's own has arrived."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncConnection

from services.dispatch.db.schema import metadata
from shared.calendar import SiteCalendar
from shared.contracts import SiteCalendarSet
from shared.persistence import site_calendars as calendars

site_calendars = calendars.site_calendars_table(metadata)


async def keep(connection: AsyncConnection, told: SiteCalendarSet) -> bool:
    """Keep the site's calendar unless a newer one is kept already; True if kept."""
    return await calendars.keep_site_calendar(connection, site_calendars, told)


async def calendar_of_site(connection: AsyncConnection, site_code: str) -> SiteCalendar:
    return await calendars.site_calendar_of(connection, site_calendars, site_code)
