"""The sites the SLA service knows: those a policy may be given to."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection

from services.sla.db.tables import sites
from shared.persistence.upsert import insert_if_absent


async def know_site(connection: AsyncConnection, site_code: str) -> None:
    await insert_if_absent(connection, sites, {"code": site_code})


async def is_known_site(connection: AsyncConnection, site_code: str) -> bool:
    return await connection.scalar(select(sites.c.code).where(sites.c.code == site_code)) is not None
