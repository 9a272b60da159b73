"""Loads a site description into intake: the site, its contracts, its subsystems and its equipment
register (each device change recorded in the register's history and announced, as an import does;
the site announced as it stands)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from services.intake.db import register
from services.intake.db.tables import sites, subsystems
from services.intake.domain.contract import MaintenanceContract
from services.intake.domain.register import Device, RegisterAction, changed_devices
from services.intake.domain.requests import service_as_a_whole
from services.intake.equipment import record
from services.intake.site_contracts import describe_site
from shared.persistence.service_database import ServiceDatabase
from shared.persistence.upsert import upsert
from shared.site_file import load_site_file


async def load_site(database: ServiceDatabase, path: Path) -> str:
    described = load_site_file(path)
    site = described.site
    contracts = [MaintenanceContract.model_validate(c.model_dump()) for c in described.contracts]
    devices = [Device.model_validate(item.model_dump()) for item in described.equipment]
    async with database.unit_of_work() as uow:
        connection = uow.connection
        await upsert(connection, sites, site.model_dump(exclude={"location"}), key=["code"])  # dispatch keeps it
        for subsystem in described.subsystems:
            row = {"site_code": site.code, **subsystem.model_dump(exclude={"owner"})}
            await upsert(connection, subsystems, row, key=["site_code", "code"])
        # Every site has the service as a whole, for a complaint or a question about the service itself.
        await upsert(
            connection, subsystems, {"site_code": site.code, **service_as_a_whole()}, key=["site_code", "code"]
        )
        for contract in contracts:
            await register.save_contract(connection, site.code, contract)
        existing = {device.asset_tag: device for device in await register.devices(connection, site.code)}
        changed = changed_devices(existing, devices)
        reason = f"site file {path.name}"
        await record(uow, site.code, changed, action=RegisterAction.IMPORTED, actor="seed", reason=reason)
        await describe_site(uow, site.code, now=datetime.now(UTC))
    return (
        f"site {site.code}: {len(contracts)} contracts, {len(described.subsystems)} subsystems, "
        f"{len(devices)} devices ({len(changed)} new or changed)"
    )
