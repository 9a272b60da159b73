"""Intake's reads and writes, in its own schema only."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Row, func, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from services.intake.db import register
from services.intake.db.tables import (
    rejected_requests,
    request_changes,
    service_requests,
    sites,
    subsystems,
    ticket_counters,
)
from services.intake.domain.requests import SiteScope
from shared.persistence.locks import lock_for_transaction


async def site_scope(connection: AsyncConnection, site_code: str, asset_tag: str | None) -> SiteScope | None:
    """The site, its subsystems and contracts, and the one device a request names (if registered)."""
    site = (await connection.execute(select(sites).where(sites.c.code == site_code))).first()
    if site is None:
        return None
    subsystem_codes = await connection.scalars(select(subsystems.c.code).where(subsystems.c.site_code == site_code))
    device = await register.device(connection, site_code, asset_tag) if asset_tag is not None else None
    return SiteScope(
        code=site.code,
        name=site.name,
        timezone=site.timezone,
        subsystems=frozenset(subsystem_codes),
        devices={device.asset_tag: device} if device else {},
        contracts=tuple(await register.contracts_of(connection, site_code)),
    )


async def site(connection: AsyncConnection, site_code: str) -> Row[Any] | None:
    return (await connection.execute(select(sites).where(sites.c.code == site_code))).first()


async def subsystems_of(connection: AsyncConnection, site_code: str) -> list[dict[str, Any]]:
    """The site's subsystems with their names, by code."""
    rows = await connection.execute(
        select(subsystems.c.code, subsystems.c.name, subsystems.c.local_name)
        .where(subsystems.c.site_code == site_code)
        .order_by(subsystems.c.code)
    )
    return [dict(row._mapping) for row in rows]


async def site_codes(connection: AsyncConnection) -> list[str]:
    return list(await connection.scalars(select(sites.c.code).order_by(sites.c.code)))


async def serialise_on(connection: AsyncConnection, key: str) -> None:
    """Hold a transaction lock on `key`, so two submissions of the same request or problem cannot
    both open a ticket."""
    await lock_for_transaction(connection, f"intake:{key}")


async def by_request_id(connection: AsyncConnection, request_id: str) -> dict[str, Any] | None:
    row = (
        await connection.execute(select(service_requests).where(service_requests.c.request_id == request_id))
    ).first()
    return dict(row._mapping) if row else None


async def recent_repeat(connection: AsyncConnection, fingerprint: str, since: datetime) -> dict[str, Any] | None:
    row = (
        await connection.execute(
            select(service_requests)
            .where(service_requests.c.fingerprint == fingerprint, service_requests.c.received_at >= since)
            .order_by(service_requests.c.received_at.desc())
            .limit(1)
        )
    ).first()
    return dict(row._mapping) if row else None


async def count_repeat(connection: AsyncConnection, ticket_id: str, at: datetime) -> None:
    await connection.execute(
        update(service_requests)
        .where(service_requests.c.ticket_id == ticket_id)
        .values(repeat_count=service_requests.c.repeat_count + 1, last_repeated_at=at)
    )


async def next_sequence(connection: AsyncConnection, site_code: str, day: date) -> int:
    statement = (
        insert(ticket_counters)
        .values(site_code=site_code, day=day, last_sequence=1)
        .on_conflict_do_update(
            index_elements=[ticket_counters.c.site_code, ticket_counters.c.day],
            set_={"last_sequence": ticket_counters.c.last_sequence + 1},
        )
        .returning(ticket_counters.c.last_sequence)
    )
    return int((await connection.execute(statement)).scalar_one())


async def add_request(connection: AsyncConnection, **values: Any) -> None:
    await connection.execute(service_requests.insert().values(**values))


async def request(connection: AsyncConnection, ticket_id: str) -> dict[str, Any] | None:
    row = (await connection.execute(select(service_requests).where(service_requests.c.ticket_id == ticket_id))).first()
    return dict(row._mapping) if row else None


async def sites_with_subsystems(connection: AsyncConnection) -> list[dict[str, Any]]:
    """Each site with its subsystems' codes, and their names (`subsystem_names`: code -> name, local_name)."""
    names = func.jsonb_object_agg(
        subsystems.c.code, func.jsonb_build_object("name", subsystems.c.name, "local_name", subsystems.c.local_name)
    )
    rows = await connection.execute(
        select(sites, func.array_agg(subsystems.c.code).label("subsystems"), names.label("subsystem_names"))
        .join(subsystems, subsystems.c.site_code == sites.c.code)
        .group_by(sites.c.code)
        .order_by(sites.c.code)
    )
    return [dict(row._mapping) for row in rows]


async def add_rejection(connection: AsyncConnection, **values: Any) -> None:
    await connection.execute(rejected_requests.insert().values(**values))


async def rejections(connection: AsyncConnection, limit: int) -> list[dict[str, Any]]:
    rows = await connection.execute(
        select(rejected_requests).order_by(rejected_requests.c.received_at.desc()).limit(limit)
    )
    return [dict(row._mapping) for row in rows]


async def request_for_update(connection: AsyncConnection, ticket_id: str) -> dict[str, Any] | None:
    row = (
        await connection.execute(
            select(service_requests).where(service_requests.c.ticket_id == ticket_id).with_for_update()
        )
    ).first()
    return dict(row._mapping) if row else None


async def reclassify(connection: AsyncConnection, ticket_id: str, *, kind: str, priority: str) -> None:
    await connection.execute(
        update(service_requests).where(service_requests.c.ticket_id == ticket_id).values(kind=kind, priority=priority)
    )


async def add_change(connection: AsyncConnection, **values: Any) -> None:
    await connection.execute(request_changes.insert().values(**values))


async def changes_of(connection: AsyncConnection, ticket_id: str) -> list[dict[str, Any]]:
    rows = await connection.execute(
        select(request_changes.c.at, request_changes.c.actor, request_changes.c.reason, request_changes.c.changes)
        .where(request_changes.c.ticket_id == ticket_id)
        .order_by(request_changes.c.id)
    )
    return [dict(row._mapping) for row in rows]
