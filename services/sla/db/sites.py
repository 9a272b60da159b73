"""The sites the SLA service knows: those a policy may be given to, and whose calendar it tells."""

from __future__ import annotations

from sqlalchemy import false, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from services.sla.db.tables import site_policies, sites
from services.sla.domain.policy import DEFAULT_POLICY


async def know_site(connection: AsyncConnection, site_code: str, timezone: str | None = None) -> bool:
    """Remember a site (and its time zone, when given); True if it is new or its time zone changed."""
    statement = insert(sites).values(code=site_code, timezone=timezone)
    changed = sites.c.timezone.is_distinct_from(timezone) if timezone is not None else false()
    result = await connection.execute(
        statement.on_conflict_do_update(
            index_elements=[sites.c.code], set_={"timezone": timezone}, where=changed
        ).returning(sites.c.code)
    )
    return result.first() is not None


async def is_known_site(connection: AsyncConnection, site_code: str) -> bool:
    return await connection.scalar(select(sites.c.code).where(sites.c.code == site_code)) is not None


async def timezone_of(connection: AsyncConnection, site_code: str) -> str | None:
    zone: str | None = await connection.scalar(select(sites.c.timezone).where(sites.c.code == site_code))
    return zone


async def next_calendar_revision(connection: AsyncConnection, site_code: str) -> int:
    """Count the site's calendar revision up, holding its row until the transaction ends: whoever
    publishes the site's calendar next waits, and so reads what this transaction wrote."""
    revision: int = await connection.scalar(
        update(sites)
        .where(sites.c.code == site_code)
        .values(calendar_revision=sites.c.calendar_revision + 1)
        .returning(sites.c.calendar_revision)
    )
    return revision


async def untold_site_codes(connection: AsyncConnection) -> list[str]:
    """Sites whose calendar was never published: known before the SLA service told calendars."""
    untold = select(sites.c.code).where(sites.c.calendar_revision == 0).order_by(sites.c.code)
    return list(await connection.scalars(untold))


async def hold_if_untold(connection: AsyncConnection, site_code: str) -> bool:
    """Hold the site's row if its calendar is still untold; False if another process told it meanwhile."""
    held = await connection.scalar(
        select(sites.c.code).where(sites.c.code == site_code, sites.c.calendar_revision == 0).with_for_update()
    )
    return held is not None


async def site_codes(connection: AsyncConnection) -> list[str]:
    return list(await connection.scalars(select(sites.c.code).order_by(sites.c.code)))


async def sites_under_policy(connection: AsyncConnection, policy_code: str) -> list[str]:
    """The known sites a policy applies to: those put under it, and for the default policy those put
    under none."""
    assigned = site_policies.c.policy_code == policy_code
    if policy_code == DEFAULT_POLICY:
        assigned = assigned | site_policies.c.policy_code.is_(None)
    query = (
        select(sites.c.code)
        .select_from(sites.outerjoin(site_policies, site_policies.c.site_code == sites.c.code))
        .where(assigned)
        .order_by(sites.c.code)
    )
    return list(await connection.scalars(query))
