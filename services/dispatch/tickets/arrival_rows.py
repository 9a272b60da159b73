"""Where sites are and where engineers checked in, in dispatch's own schema."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection

from services.dispatch.common.sites import sites
from services.dispatch.roster.lookups import engineer_names
from services.dispatch.tickets.domain.arrival import ArrivalCheck, Position, SiteLocation
from services.dispatch.tickets.tables import arrivals


async def site_location(connection: AsyncConnection, site_code: str) -> SiteLocation | None:
    row = (
        await connection.execute(
            select(sites.c.latitude, sites.c.longitude, sites.c.arrival_radius_m).where(sites.c.code == site_code)
        )
    ).first()
    if row is None or row.latitude is None or row.longitude is None:
        return None
    return SiteLocation(row.latitude, row.longitude, row.arrival_radius_m or 200.0)


async def record(
    connection: AsyncConnection,
    *,
    ticket_id: str,
    site_code: str,
    engineer_id: str | None,
    arrived_at: datetime,
    position: Position | None,
    checked: ArrivalCheck,
) -> None:
    await connection.execute(
        arrivals.insert().values(
            ticket_id=ticket_id,
            site_code=site_code,
            engineer_id=engineer_id,
            arrived_at=arrived_at,
            latitude=position.latitude if position else None,
            longitude=position.longitude if position else None,
            accuracy_m=position.accuracy_m if position else None,
            distance_m=checked.distance_m,
            doubt=checked.doubt.value if checked.doubt else None,
        )
    )


async def listing(
    connection: AsyncConnection, *, flagged: bool, site_code: str | None, ticket_id: str | None, limit: int
) -> list[dict[str, Any]]:
    """Check-ins, newest first: all, or only those flagged for the manager."""
    names = engineer_names()
    query = (
        select(arrivals, names.c.engineer_name)
        .outerjoin(names, names.c.engineer_id == arrivals.c.engineer_id)
        .order_by(arrivals.c.arrived_at.desc())
        .limit(limit)
    )
    if flagged:
        query = query.where(arrivals.c.doubt.is_not(None))
    if site_code is not None:
        query = query.where(arrivals.c.site_code == site_code)
    if ticket_id is not None:
        query = query.where(arrivals.c.ticket_id == ticket_id)
    return [dict(row._mapping) for row in await connection.execute(query)]
