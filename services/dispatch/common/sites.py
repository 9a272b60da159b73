"""The sites dispatch serves, shared by its areas: the time zone each keeps its rosters, calendars and
reports in, and where it is, to check an engineer's arrival against."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Column, Float, Table, Text, select
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.ext.asyncio import AsyncConnection

from services.dispatch.db.schema import metadata
from shared.persistence.upsert import insert_if_absent, upsert

DEFAULT_TIMEZONE = "Asia/Shanghai"  # for a site dispatch heard of before it kept time zones

sites = Table(
    "sites",
    metadata,
    Column("code", Text, primary_key=True),
    Column("timezone", Text, nullable=False),
    Column("latitude", Float),
    Column("longitude", Float),
    Column("arrival_radius_m", Float),
    Column("paging", JSONB),  # the site file's paging chain (steps, minutes_between_steps); None: the default
)


async def timezone_of(connection: AsyncConnection, site_code: str) -> str | None:
    zone: str | None = await connection.scalar(select(sites.c.timezone).where(sites.c.code == site_code))
    return zone


async def paging_of(connection: AsyncConnection, site_code: str) -> dict[str, Any] | None:
    """The site's paging chain as its site file gave it (None: the default chain)."""
    chain: dict[str, Any] | None = await connection.scalar(select(sites.c.paging).where(sites.c.code == site_code))
    return chain


async def know_site(connection: AsyncConnection, site_code: str, timezone: str) -> None:
    """Remember a site's time zone, as the tickets from it say it (the site file says it too)."""
    await insert_if_absent(connection, sites, {"code": site_code, "timezone": timezone})


async def keep_site(connection: AsyncConnection, row: dict[str, Any]) -> None:
    """Add or update a site as its site file describes it: `code`, `timezone` and where it is."""
    await upsert(connection, sites, row, key=["code"])


async def site_row(connection: AsyncConnection, site_code: str) -> dict[str, Any] | None:
    """The site as dispatch keeps it: its time zone and, when the site file gives them, where it is."""
    row = (await connection.execute(select(sites).where(sites.c.code == site_code))).first()
    return dict(row._mapping) if row is not None else None
