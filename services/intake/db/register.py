"""Intake's reads and writes of the equipment register and the maintenance contracts."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import Row, Text, cast, func, select
from sqlalchemy.dialects.postgresql import ARRAY, insert
from sqlalchemy.ext.asyncio import AsyncConnection

from services.intake.db.tables import contracts, equipment, equipment_history
from services.intake.domain.contract import MaintenanceContract
from services.intake.domain.register import COLUMNS, Device, DeviceStatus, RegisterAction
from shared.persistence import like

SerialKey = tuple[str, str]


def _device(row: Row[Any]) -> Device:
    return Device.model_validate({name: getattr(row, name) for name in COLUMNS})


async def device(connection: AsyncConnection, site_code: str, asset_tag: str) -> Device | None:
    row = (
        await connection.execute(
            select(equipment).where(equipment.c.site_code == site_code, equipment.c.asset_tag == asset_tag)
        )
    ).first()
    return _device(row) if row else None


async def devices(
    connection: AsyncConnection,
    site_code: str,
    *,
    subsystem: str | None = None,
    status: DeviceStatus | None = None,
    vendor_code: str | None = None,
    search: str | None = None,
) -> list[Device]:
    """The site's register, filtered; `search` looks in tag, model, serial and location."""
    query = select(equipment).where(equipment.c.site_code == site_code).order_by(equipment.c.asset_tag)
    if subsystem is not None:
        query = query.where(equipment.c.subsystem == subsystem)
    if status is not None:
        query = query.where(equipment.c.status == status)
    if vendor_code is not None:
        query = query.where(equipment.c.vendor_code == vendor_code)
    if search:
        pattern = like.containing(search)
        query = query.where(
            equipment.c.asset_tag.ilike(pattern, escape=like.ESCAPE)
            | equipment.c.model.ilike(pattern, escape=like.ESCAPE)
            | equipment.c.serial_number.ilike(pattern, escape=like.ESCAPE)
            | equipment.c.location.ilike(pattern, escape=like.ESCAPE)
        )
    return [_device(row) for row in await connection.execute(query)]


async def serial_holders(
    connection: AsyncConnection, site_code: str, keys: Iterable[SerialKey]
) -> dict[SerialKey, str]:
    """Which registered device holds each serial key: its asset tag at this site, SITE/TAG elsewhere."""
    wanted = sorted(set(keys))
    if not wanted:
        return {}
    # A join on the arrays of keys, not `(a, b) IN (...)`: PostgreSQL tests each row against every tuple
    # of an IN list, which for a whole register file is millions of comparisons.
    named = (
        func.unnest(cast([m for m, _ in wanted], ARRAY(Text)), cast([s for _, s in wanted], ARRAY(Text)))
        .table_valued("manufacturer", "serial_number")
        .render_derived(name="named")
    )
    rows = await connection.execute(
        select(equipment.c.site_code, equipment.c.asset_tag, equipment.c.manufacturer, equipment.c.serial_number).join(
            named,
            (func.lower(equipment.c.manufacturer) == named.c.manufacturer)
            & (func.lower(equipment.c.serial_number) == named.c.serial_number),
        )
    )
    return {
        (row.manufacturer.casefold(), row.serial_number.casefold()): (
            row.asset_tag if row.site_code == site_code else f"{row.site_code}/{row.asset_tag}"
        )
        for row in rows
    }


async def save(
    connection: AsyncConnection,
    site_code: str,
    changed: Sequence[tuple[Device, dict[str, list[Any]]]],
    *,
    action: RegisterAction,
    actor: str,
    reason: str | None,
) -> None:
    """Write devices (insert or overwrite by asset tag) and one history row for each."""
    if not changed:
        return
    rows = [{"site_code": site_code, **device.model_dump()} for device, _ in changed]
    statement = insert(equipment)
    overwritten = {name: statement.excluded[name] for name in COLUMNS if name != "asset_tag"}
    await connection.execute(
        statement.on_conflict_do_update(
            index_elements=[equipment.c.site_code, equipment.c.asset_tag],
            set_={**overwritten, "updated_at": func.now()},
        ),
        rows,
    )
    await connection.execute(
        equipment_history.insert(),
        [
            {
                "site_code": site_code,
                "asset_tag": device.asset_tag,
                "action": action,
                "actor": actor,
                "reason": reason,
                "changes": changes,
            }
            for device, changes in changed
        ],
    )


async def history(connection: AsyncConnection, site_code: str, asset_tag: str) -> list[dict[str, Any]]:
    rows = await connection.execute(
        select(
            equipment_history.c.at,
            equipment_history.c.action,
            equipment_history.c.actor,
            equipment_history.c.reason,
            equipment_history.c.changes,
        )
        .where(equipment_history.c.site_code == site_code, equipment_history.c.asset_tag == asset_tag)
        .order_by(equipment_history.c.id)
    )
    return [dict(row._mapping) for row in rows]


# --- contracts ------------------------------------------------------------------------------------


def _contract(row: Row[Any]) -> MaintenanceContract:
    return MaintenanceContract.model_validate({name: getattr(row, name) for name in MaintenanceContract.model_fields})


async def contracts_of(connection: AsyncConnection, site_code: str) -> list[MaintenanceContract]:
    rows = await connection.execute(
        select(contracts).where(contracts.c.site_code == site_code).order_by(contracts.c.starts_on)
    )
    return [_contract(row) for row in rows]


async def save_contract(connection: AsyncConnection, site_code: str, contract: MaintenanceContract) -> None:
    row = {
        "site_code": site_code,
        **contract.model_dump(mode="json"),
        "starts_on": contract.starts_on,
        "ends_on": contract.ends_on,
        "covered_subsystems": sorted(contract.covered_subsystems),
        "updated_at": func.now(),
    }
    await connection.execute(
        insert(contracts).values(row).on_conflict_do_update(index_elements=[contracts.c.code], set_=row)
    )


async def contract_site(connection: AsyncConnection, code: str) -> str | None:
    site: str | None = await connection.scalar(select(contracts.c.site_code).where(contracts.c.code == code))
    return site
