"""Keeping the equipment register: the use cases behind `/sites/{site}/equipment`.

Every change is written with its history row (who, when, why, each field's old and new value) in the
same transaction. An import is all or nothing: the whole file is checked first, and one problem keeps
every row out.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection

from services.intake.db import register, serials
from services.intake.db.tables import subsystems as subsystems_table
from services.intake.domain.register import (
    COLUMNS,
    OUT_OF_SERVICE,
    Device,
    DeviceStatus,
    RegisterAction,
    changed_devices,
    changes,
    serial_problem,
    subsystem_problem,
)
from services.intake.domain.register_import import plan_import, settle_import
from shared.contracts import SERVICE_AS_A_WHOLE, EquipmentChanged
from shared.messaging.unit_of_work import UnitOfWork
from shared.persistence.locks import lock_for_transaction
from shared.refusals import Refused


class RegisterRefused(Refused):
    """The register or a contract cannot be changed as asked."""


async def _subsystems(connection: AsyncConnection, site_code: str) -> frozenset[str]:
    codes = frozenset(
        await connection.scalars(select(subsystems_table.c.code).where(subsystems_table.c.site_code == site_code))
    )
    if not codes:
        raise RegisterRefused("unknown_site", f"no site {site_code!r} in the register")
    return codes - {SERVICE_AS_A_WHOLE}  # no device belongs to the service as a whole


async def known_site(connection: AsyncConnection, site_code: str) -> None:
    """Refuses a site the register does not know."""
    await _subsystems(connection, site_code)


async def refuse_conflicts(connection: AsyncConnection, site_code: str, device: Device) -> None:
    why = subsystem_problem(device, await _subsystems(connection, site_code))
    if why is not None:
        raise RegisterRefused("unknown_subsystem", why)
    if device.serial_key is not None:
        holders = await register.serial_holders(connection, site_code, [device.serial_key])
        why = serial_problem(device, holders.get(device.serial_key))
        if why is not None:
            raise RegisterRefused("serial_taken", f"serial number {device.serial_number}: {why}")


async def locked(connection: AsyncConnection, site_code: str) -> None:
    """One change of a site's register at a time: imports and edits never interleave."""
    await lock_for_transaction(connection, f"register:{site_code}")


async def list_devices(
    connection: AsyncConnection,
    site_code: str,
    *,
    subsystem: str | None,
    status: DeviceStatus | None,
    vendor_code: str | None,
    search: str | None,
) -> list[Device]:
    await _subsystems(connection, site_code)
    return await register.devices(
        connection, site_code, subsystem=subsystem, status=status, vendor_code=vendor_code, search=search
    )


async def record(
    uow: UnitOfWork,
    site_code: str,
    changed: Sequence[tuple[Device, dict[str, list[Any]]]],
    *,
    action: RegisterAction,
    actor: str,
    reason: str | None,
) -> None:
    """Write the changed devices with their history and the serials' stays, and announce each device
    as it now is."""
    now = datetime.now(UTC)
    await announce(uow, site_code, changed, action=action, actor=actor, reason=reason, at=now)
    await serials.follow(uow.connection, site_code, changed, actor=actor, at=now)


async def announce(
    uow: UnitOfWork,
    site_code: str,
    changed: Sequence[tuple[Device, dict[str, list[Any]]]],
    *,
    action: RegisterAction,
    actor: str,
    reason: str | None,
    at: datetime,
) -> None:
    """Write the changed devices with their history, and announce each as it now is."""
    await register.save(uow.connection, site_code, changed, action=action, actor=actor, reason=reason)
    for device, device_changes in changed:
        uow.publish(
            EquipmentChanged(
                site_code=site_code,
                device=device.reference(),
                action=action.value,
                changes=device_changes,
                actor=actor,
                reason=reason,
                changed_at=at,
            ),
            correlation_id=f"{site_code}/{device.asset_tag}",
        )


async def add_device(uow: UnitOfWork, site_code: str, device: Device, *, actor: str) -> Device:
    connection = uow.connection
    await locked(connection, site_code)
    if await register.device(connection, site_code, device.asset_tag) is not None:
        raise RegisterRefused(
            "duplicate_asset_tag", f"{device.asset_tag} is already in the register; change it with PATCH"
        )
    await refuse_conflicts(connection, site_code, device)
    await record(
        uow, site_code, [(device, changes(None, device))], action=RegisterAction.CREATED, actor=actor, reason=None
    )
    return device


async def change_device(
    uow: UnitOfWork, site_code: str, asset_tag: str, fields: dict[str, Any], *, reason: str, actor: str
) -> Device:
    connection = uow.connection
    await locked(connection, site_code)
    before = await existing(connection, site_code, asset_tag)
    if "asset_tag" in fields and fields["asset_tag"] != asset_tag:
        raise RegisterRefused("asset_tag_fixed", "an asset tag does not change; retire the device and add a new one")
    after = Device.model_validate({**before.model_dump(), **fields})
    changed = changes(before, after)
    if changed:
        await refuse_conflicts(connection, site_code, after)
        action = RegisterAction.RETIRED if after.status in OUT_OF_SERVICE else RegisterAction.UPDATED
        await record(uow, site_code, [(after, changed)], action=action, actor=actor, reason=reason)
    return after


async def retire_device(
    uow: UnitOfWork, site_code: str, asset_tag: str, status: DeviceStatus, *, reason: str, actor: str
) -> Device:
    if status not in OUT_OF_SERVICE:
        raise RegisterRefused("not_a_retirement", f"retire sets the status to {' or '.join(sorted(OUT_OF_SERVICE))}")
    return await change_device(uow, site_code, asset_tag, {"status": status}, reason=reason, actor=actor)


async def device_with_history(connection: AsyncConnection, site_code: str, asset_tag: str) -> dict[str, Any]:
    device = await existing(connection, site_code, asset_tag)
    return {
        **device.model_dump(mode="json"),
        "history": await register.history(connection, site_code, asset_tag),
        "serials": await serials.of_place(connection, site_code, asset_tag),
    }


@dataclass(frozen=True)
class ImportReport:
    dry_run: bool
    created: list[str]
    updated: list[str]
    unchanged: list[str]

    def summary(self) -> dict[str, Any]:
        return {
            "dry_run": self.dry_run,
            "rows": len(self.created) + len(self.updated) + len(self.unchanged),
            "created": self.created,
            "updated": self.updated,
            "unchanged": len(self.unchanged),
        }


async def import_devices(
    uow: UnitOfWork,
    site_code: str,
    header: Sequence[str],
    rows: Sequence[Sequence[str]],
    *,
    dry_run: bool,
    actor: str,
    reason: str,
) -> ImportReport:
    """Check the whole file, then (unless a dry run) write every new or changed device; raises
    RegisterRefused listing every problem by row and column, having written nothing."""
    connection = uow.connection
    await locked(connection, site_code)
    plan = plan_import(header, rows, subsystems=await _subsystems(connection, site_code))
    existing = {device.asset_tag: device for device in await register.devices(connection, site_code)}
    if not plan.problems:
        holders = await register.serial_holders(connection, site_code, plan.serial_keys)
        settle_import(plan, register=existing, serials=holders)
    if plan.problems:
        raise RegisterRefused(
            "invalid_register_file",
            f"nothing imported: {len(plan.problems)} problem(s); the first: {plan.problems[0]}",
            problems=[str(problem) for problem in plan.problems],
        )
    if not dry_run:
        changed = changed_devices(existing, plan.devices)
        await record(uow, site_code, changed, action=RegisterAction.IMPORTED, actor=actor, reason=reason)
    return ImportReport(dry_run, plan.created, plan.updated, plan.unchanged)


async def export_devices(connection: AsyncConnection, site_code: str) -> tuple[list[str], list[list[Any]]]:
    """The site's whole register as a sheet: the header, then a row per device."""
    await _subsystems(connection, site_code)
    devices = await register.devices(connection, site_code)
    return list(COLUMNS), [[getattr(device, name) for name in COLUMNS] for device in devices]


async def existing(connection: AsyncConnection, site_code: str, asset_tag: str) -> Device:
    device = await register.device(connection, site_code, asset_tag)
    if device is None:
        await _subsystems(connection, site_code)
        raise RegisterRefused("unknown_device", f"no device {asset_tag!r} in the register of {site_code}")
    return device
