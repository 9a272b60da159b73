"""Intake's reads and writes of the stays of serial numbers in the register's places."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Row, Text, and_, any_, bindparam, func, or_, select, update
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncConnection

from services.intake.db.tables import serial_stays
from services.intake.domain.register import OUT_OF_SERVICE, Device, DeviceStatus
from services.intake.domain.serials import Arrival, Departure, Stay

SHOWN = (
    serial_stays.c.site_code,
    serial_stays.c.asset_tag,
    serial_stays.c.manufacturer,
    serial_stays.c.model,
    serial_stays.c.serial_number,
    serial_stays.c.install_date,
    serial_stays.c.warranty_until,
    serial_stays.c.arrival,
    serial_stays.c.arrived_at,
    serial_stays.c.arrival_details,
    serial_stays.c.departure,
    serial_stays.c.departed_at,
    serial_stays.c.departure_details,
)


def _moved(device: Device, changes: dict[str, list[Any]]) -> bool:
    """Whether a register change moves serials: another serial in the place, or the place taken out of
    (or back into) service."""
    if "serial_number" in changes:
        return True
    if "status" not in changes:
        return False
    old, new = (DeviceStatus(value) if value else None for value in changes["status"])
    return (old in OUT_OF_SERVICE) != (new in OUT_OF_SERVICE)


async def follow(
    connection: AsyncConnection,
    site_code: str,
    changed: Sequence[tuple[Device, dict[str, list[Any]]]],
    *,
    actor: str,
    at: datetime,
) -> None:
    """Keep the stays in step with changes made in the register itself (an edit, an import, a
    retirement): the serial that left departs, the one now there arrives as registered."""
    moved = [device for device, changes in changed if _moved(device, changes)]
    if not moved:
        return
    retired = [device.asset_tag for device in moved if device.status in OUT_OF_SERVICE]
    others = [device.asset_tag for device in moved if device.status not in OUT_OF_SERVICE]
    for tags, departure in ((retired, Departure.RETIRED), (others, Departure.CHANGED_IN_REGISTER)):
        if tags:
            await _depart(connection, site_code, tags, departure, at=at, details={"actor": actor})
    arriving = [device for device in moved if device.serial_number and device.status not in OUT_OF_SERVICE]
    if arriving:
        await connection.execute(
            serial_stays.insert(),
            [_arrival_row(site_code, d, Arrival.REGISTERED, at=at, details={"actor": actor}) for d in arriving],
        )


async def swap(
    connection: AsyncConnection,
    site_code: str,
    device: Device,
    *,
    arrival: Arrival,
    departure: Departure,
    details: dict[str, Any],
    at: datetime,
) -> None:
    """The serial in the place departs, and `device`'s serial arrives."""
    await _depart(connection, site_code, [device.asset_tag], departure, at=at, details=details)
    await connection.execute(serial_stays.insert().values(_arrival_row(site_code, device, arrival, at, details)))


async def current_stay(connection: AsyncConnection, site_code: str, asset_tag: str) -> Stay | None:
    return await _stay(
        connection,
        serial_stays.c.site_code == site_code,
        serial_stays.c.asset_tag == asset_tag,
        serial_stays.c.departed_at.is_(None),
    )


async def last_stay(connection: AsyncConnection, site_code: str, asset_tag: str, serial_number: str) -> Stay | None:
    """The serial's last stay in this place, if it ever stood there."""
    return await _stay(
        connection,
        serial_stays.c.site_code == site_code,
        serial_stays.c.asset_tag == asset_tag,
        func.lower(serial_stays.c.serial_number) == serial_number.casefold(),
    )


async def of_serial(connection: AsyncConnection, serial_number: str) -> list[dict[str, Any]]:
    """Every stay of a serial number, wherever it stood, oldest first."""
    query = select(*SHOWN).where(func.lower(serial_stays.c.serial_number) == serial_number.casefold())
    return _shown(await connection.execute(query.order_by(serial_stays.c.id)))


async def of_place(connection: AsyncConnection, site_code: str, asset_tag: str) -> list[dict[str, Any]]:
    query = select(*SHOWN).where(serial_stays.c.site_code == site_code, serial_stays.c.asset_tag == asset_tag)
    return _shown(await connection.execute(query.order_by(serial_stays.c.id)))


async def at_site(connection: AsyncConnection, site_code: str, at: datetime) -> list[dict[str, Any]]:
    """What stood in each place of the site at that moment."""
    query = select(*SHOWN).where(
        serial_stays.c.site_code == site_code,
        serial_stays.c.arrived_at <= at,
        or_(serial_stays.c.departed_at.is_(None), serial_stays.c.departed_at > at),
    )
    return _shown(await connection.execute(query.order_by(serial_stays.c.asset_tag)))


async def _depart(
    connection: AsyncConnection,
    site_code: str,
    asset_tags: list[str],
    departure: Departure,
    *,
    at: datetime,
    details: dict[str, Any],
) -> None:
    await connection.execute(
        update(serial_stays)
        .where(
            and_(
                serial_stays.c.site_code == site_code,
                # One array parameter, not a placeholder per tag: an import moves thousands at once.
                serial_stays.c.asset_tag == any_(bindparam("asset_tags", asset_tags, type_=ARRAY(Text))),
                serial_stays.c.departed_at.is_(None),
            )
        )
        .values(departure=departure, departed_at=at, departure_details=details)
    )


def _arrival_row(
    site_code: str, device: Device, arrival: Arrival, at: datetime, details: dict[str, Any]
) -> dict[str, Any]:
    return {
        "site_code": site_code,
        "asset_tag": device.asset_tag,
        "manufacturer": device.manufacturer,
        "model": device.model,
        "serial_number": device.serial_number,
        "install_date": device.install_date,
        "warranty_until": device.warranty_until,
        "arrival": arrival,
        "arrived_at": at,
        "arrival_details": details,
    }


async def _stay(connection: AsyncConnection, *conditions: Any) -> Stay | None:
    row = (
        await connection.execute(select(serial_stays).where(*conditions).order_by(serial_stays.c.id.desc()).limit(1))
    ).first()
    return _as_stay(row) if row else None


def _as_stay(row: Row[Any]) -> Stay:
    return Stay(
        serial_number=row.serial_number,
        arrival=Arrival(row.arrival),
        departure=Departure(row.departure) if row.departure else None,
        install_date=row.install_date,
        warranty_until=row.warranty_until,
    )


def _shown(rows: Any) -> list[dict[str, Any]]:
    return [dict(row._mapping) for row in rows]
