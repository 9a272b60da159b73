"""A site's maintenance contracts, as the service manager keeps them, and what covers a ticket."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy.ext.asyncio import AsyncConnection

from services.intake.db import register, repository
from services.intake.domain.contract import MaintenanceContract, contract_on
from services.intake.domain.requests import SiteScope, check_scope, local_day
from services.intake.equipment import RegisterRefused
from services.intake.submission import covering
from shared.contracts import Coverage, SiteDescribed, SubsystemNamed
from shared.messaging.unit_of_work import UnitOfWork
from shared.persistence.locks import lock_for_transaction


async def describe_site(uow: UnitOfWork, site_code: str, *, now: datetime) -> None:
    """Announce the site as it stands, with the representative of the contract in force today."""
    row = await repository.site(uow.connection, site_code)
    if row is None:
        raise RegisterRefused("unknown_site", f"no site {site_code!r} in the register")
    contract = contract_on(await register.contracts_of(uow.connection, site_code), local_day(now, row.timezone))
    in_force = contract if contract is not None and contract.in_force(local_day(now, row.timezone)) else None
    uow.publish(
        SiteDescribed(
            site_code=site_code,
            name=row.name,
            local_name=row.local_name,
            address=row.address,
            timezone=row.timezone,
            customer=row.customer,
            representative=in_force.customer_representative if in_force else None,
            contract_code=in_force.code if in_force else None,
            contract_starts_on=in_force.starts_on if in_force else None,
            contract_ends_on=in_force.ends_on if in_force else None,
            subsystems=[
                SubsystemNamed.model_validate(subsystem)
                for subsystem in await repository.subsystems_of(uow.connection, site_code)
            ],
        ),
        correlation_id=site_code,
    )


async def put_contract(uow: UnitOfWork, site_code: str, contract: MaintenanceContract, *, now: datetime) -> None:
    """Add a contract, or replace the one with its code; refused if it overlaps another of the site."""
    connection = uow.connection
    await lock_for_transaction(connection, f"contracts:{site_code}")
    scope = await _scope(connection, site_code)
    unknown = sorted(contract.covered_subsystems - scope.subsystems)
    if unknown:
        raise RegisterRefused(
            "unknown_subsystem",
            f"site {site_code} has no subsystem {', '.join(unknown)}; it has {', '.join(sorted(scope.subsystems))}",
        )
    owner = await register.contract_site(connection, contract.code)
    if owner is not None and owner != site_code:
        raise RegisterRefused("contract_of_another_site", f"contract {contract.code} belongs to site {owner}")
    clash = next((c for c in scope.contracts if c.code != contract.code and c.overlaps(contract)), None)
    if clash is not None:
        raise RegisterRefused(
            "contract_overlap",
            f"contract {clash.code} already runs from {clash.starts_on} to {clash.ends_on}; "
            "end it first or choose a period after it",
        )
    await register.save_contract(connection, site_code, contract)
    await describe_site(uow, site_code, now=now)


async def contracts(connection: AsyncConnection, site_code: str) -> list[MaintenanceContract]:
    await _scope(connection, site_code)
    return await register.contracts_of(connection, site_code)


async def coverage(
    connection: AsyncConnection, site_code: str, subsystem: str, asset_tag: str | None, on: date | None
) -> Coverage:
    """What would cover a ticket for this subsystem (and device) reported on `on` (default: today at
    the site)."""
    scope = await _scope(connection, site_code, asset_tag)
    day = on or local_day(datetime.now(UTC), scope.timezone)
    return covering(scope, subsystem, check_scope(scope, subsystem, asset_tag), day)


async def _scope(connection: AsyncConnection, site_code: str, asset_tag: str | None = None) -> SiteScope:
    scope = await repository.site_scope(connection, site_code, asset_tag)
    if scope is None:
        raise RegisterRefused("unknown_site", f"no site {site_code!r} in the register")
    return scope
