"""Dispatch's reads and writes of who can work: engineers, the sites they serve, who owns which
subsystem, and their duty periods."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import Row, func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from services.dispatch.roster.domain import DutyKind, DutyPeriod, Engineer, duty_at, duty_period
from services.dispatch.roster.tables import duty_periods, engineers, ownerships, site_engineers
from services.dispatch.tickets.lookups import open_load
from shared.persistence.upsert import insert_if_absent, upsert


async def owner_of(connection: AsyncConnection, site_code: str, subsystem: str) -> str | None:
    owner: str | None = await connection.scalar(
        select(ownerships.c.engineer_id).where(ownerships.c.site_code == site_code, ownerships.c.subsystem == subsystem)
    )
    return owner


async def roster(connection: AsyncConnection, site_code: str, at: datetime) -> list[Engineer]:
    """The engineers who serve the site, each with where they stand at `at` (on shift, on call, off, on
    leave) and the number of open tickets they carry (all sites)."""
    serving = select(site_engineers.c.engineer_id).where(site_engineers.c.site_code == site_code)
    open_counts = open_load(serving)  # counted for this site's engineers only, not for every engineer
    rows = list(
        await connection.execute(
            select(engineers, func.coalesce(open_counts.c.open_tickets, 0).label("open_tickets"))
            .join(site_engineers, site_engineers.c.engineer_id == engineers.c.engineer_id)
            .outerjoin(open_counts, open_counts.c.engineer_id == engineers.c.engineer_id)
            .where(site_engineers.c.site_code == site_code)
            .order_by(engineers.c.engineer_id)
        )
    )
    periods = await periods_of(connection, [row.engineer_id for row in rows])
    return [
        Engineer(
            engineer_id=row.engineer_id,
            name=row.name,
            skills=frozenset(row.skills),
            duty=duty_at((p for _, p in periods.get(row.engineer_id, [])), at),
            max_open_tickets=row.max_open_tickets,
            open_tickets=row.open_tickets,
        )
        for row in rows
    ]


def _period(row: Row[Any]) -> DutyPeriod:
    return duty_period(DutyKind(row.kind), row.starts, row.ends, row.timezone, row.repeat)


async def periods_of(
    connection: AsyncConnection, engineer_ids: Iterable[str]
) -> dict[str, list[tuple[Row[Any], DutyPeriod]]]:
    """Each engineer's duty periods, as stored and as the domain reads them."""
    rows = await connection.execute(
        select(duty_periods).where(duty_periods.c.engineer_id.in_(list(engineer_ids))).order_by(duty_periods.c.id)
    )
    found: dict[str, list[tuple[Row[Any], DutyPeriod]]] = {}
    for row in rows:
        found.setdefault(row.engineer_id, []).append((row, _period(row)))
    return found


async def add_period(
    connection: AsyncConnection, engineer_id: str, period: DutyPeriod, *, note: str | None, actor: str
) -> int:
    period_id: int = await connection.scalar(
        duty_periods.insert()
        .values(
            engineer_id=engineer_id,
            kind=period.kind,
            starts=period.starts,
            ends=period.ends,
            timezone=period.timezone,
            repeat=period.repeat,
            note=note,
            created_by=actor,
        )
        .returning(duty_periods.c.id)
    )
    return period_id


async def remove_period(connection: AsyncConnection, engineer_id: str, period_id: int) -> bool:
    result = await connection.execute(
        duty_periods.delete().where(duty_periods.c.id == period_id, duty_periods.c.engineer_id == engineer_id)
    )
    return bool(result.rowcount)


async def replace_seeded_periods(connection: AsyncConnection, engineer_id: str) -> None:
    """Forget the periods a site file gave an engineer, before loading it again."""
    await connection.execute(
        duty_periods.delete().where(duty_periods.c.engineer_id == engineer_id, duty_periods.c.created_by == "seed")
    )


async def engineer(connection: AsyncConnection, engineer_id: str) -> Row[Any] | None:
    return (await connection.execute(select(engineers).where(engineers.c.engineer_id == engineer_id))).first()


async def serves(connection: AsyncConnection, engineer_id: str, site_code: str) -> bool:
    found = await connection.scalar(
        select(site_engineers.c.engineer_id).where(
            site_engineers.c.engineer_id == engineer_id, site_engineers.c.site_code == site_code
        )
    )
    return found is not None


async def engineers_list(connection: AsyncConnection) -> list[dict[str, Any]]:
    rows = await connection.execute(
        select(
            engineers.c.engineer_id,
            engineers.c.name,
            engineers.c.phone,
            engineers.c.skills,
            engineers.c.max_open_tickets,
            func.array_remove(func.array_agg(site_engineers.c.site_code), None).label("sites"),
        )
        .outerjoin(site_engineers, site_engineers.c.engineer_id == engineers.c.engineer_id)
        .group_by(engineers.c.engineer_id)
        .order_by(engineers.c.engineer_id)
    )
    return [dict(row._mapping) for row in rows]


async def keep_engineer(connection: AsyncConnection, row: dict[str, Any], *, serving: str) -> None:
    """Add or update an engineer as a site file describes them, serving the site `serving`."""
    await upsert(connection, engineers, row, key=["engineer_id"])
    await insert_if_absent(connection, site_engineers, {"site_code": serving, "engineer_id": row["engineer_id"]})


async def keep_owner(connection: AsyncConnection, row: dict[str, Any]) -> None:
    """Say who owns a subsystem at a site (`site_code`, `subsystem`, `engineer_id`)."""
    await upsert(connection, ownerships, row, key=["site_code", "subsystem"])
