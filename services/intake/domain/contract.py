"""A site's maintenance contract, and what covers a ticket.

Coverage is decided when the ticket opens, from the day it was reported (in the site's time zone):
- the device is under its manufacturer's warranty: the manufacturer pays, and the vendor path is
  suggested to the service manager;
- otherwise the maintenance contract in force covers the subsystem: the contract pays;
- otherwise it is chargeable (no contract, the contract not in force that day, the subsystem or the
  device not covered): the ticket still opens, marked so, and the service manager quotes.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from services.intake.domain.register import OUT_OF_SERVICE, Device
from shared.contracts import SERVICE_AS_A_WHOLE, Contact, Coverage, CoverageBasis

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]


class MaintenanceContract(BaseModel):
    """The contract as the service manager keeps it: its period, what it covers, its service levels, and
    who speaks for each party."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    code: Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,39}$")]
    starts_on: date
    ends_on: date
    covered_subsystems: frozenset[str] = Field(min_length=1, description="Subsystem codes the contract covers.")
    sla_policy: str | None = Field(default=None, description="The SLA policy of the contract; default: standard.")
    customer_representative: Contact = Field(description="Signs the registers; takes the follow-up calls.")
    quality_desk: Contact = Field(description="Our side's quality department, who handles complaints.")
    contacts: tuple[Contact, ...] = Field(default=(), description="Anyone else either party names.")

    @model_validator(mode="after")
    def _period(self) -> MaintenanceContract:
        if self.ends_on < self.starts_on:
            raise ValueError("ends_on is before starts_on")
        return self

    def in_force(self, on: date) -> bool:
        return self.starts_on <= on <= self.ends_on

    def overlaps(self, other: MaintenanceContract) -> bool:
        return self.starts_on <= other.ends_on and other.starts_on <= self.ends_on


def contract_on(contracts: Sequence[MaintenanceContract], on: date) -> MaintenanceContract | None:
    """The contract in force on a day; else the last one that ended before it; else the next to start."""
    in_force = [c for c in contracts if c.in_force(on)]
    if in_force:
        return in_force[0]
    ended = [c for c in contracts if c.ends_on < on]
    if ended:
        return max(ended, key=lambda c: c.ends_on)
    return min(contracts, key=lambda c: c.starts_on, default=None)


def decide_coverage(
    site_code: str, contract: MaintenanceContract | None, subsystem: str, device: Device | None, on: date
) -> Coverage:
    in_force = contract if contract is not None and contract.in_force(on) else None
    common = {
        "contract_code": in_force.code if in_force else None,
        "sla_policy": in_force.sla_policy if in_force else None,
    }
    if device is not None and device.under_warranty(on):
        return Coverage(
            basis=CoverageBasis.MANUFACTURER_WARRANTY,
            reason=f"device {device.asset_tag} is under {device.manufacturer}'s warranty until {device.warranty_until}",
            vendor_code=device.vendor_code,
            warranty_until=device.warranty_until,
            **common,
        )

    def chargeable(why: str) -> Coverage:
        return Coverage(basis=CoverageBasis.CHARGEABLE, reason=why, **common)

    if contract is None:
        return chargeable(f"site {site_code} has no maintenance contract")
    if in_force is None:
        if on < contract.starts_on:
            return chargeable(f"contract {contract.code} starts on {contract.starts_on}")
        return chargeable(f"contract {contract.code} ended on {contract.ends_on}")
    # A complaint or a question about the service itself is what the contract buys, whatever it covers.
    if subsystem not in in_force.covered_subsystems and subsystem != SERVICE_AS_A_WHOLE:
        return chargeable(f"contract {in_force.code} does not cover subsystem {subsystem}")
    if device is not None and device.status in OUT_OF_SERVICE:
        return chargeable(f"device {device.asset_tag} is {device.status.value}: no contract covers it")
    return Coverage(
        basis=CoverageBasis.MAINTENANCE_CONTRACT,
        reason=f"contract {in_force.code} covers {subsystem} until {in_force.ends_on}",
        **common,
    )
