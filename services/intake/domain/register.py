"""The equipment register of a site: what each device is, where it stands, and what changed.

An integrator's register lives in a spreadsheet today, so a device is exactly a row of one: the columns
are `COLUMNS`, in that order, in files going out and coming in. Serial numbers identify a device for its
manufacturer: two devices of one manufacturer never share one.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from enum import StrEnum
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from shared.contracts import DeviceRef
from shared.days import Day

Code = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=60)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]


class DeviceStatus(StrEnum):
    IN_SERVICE = "in_service"
    UNDER_REPAIR = "under_repair"
    REPLACED = "replaced"
    RETIRED = "retired"


# A replaced or retired device is history: no contract covers it and no ticket names it any more.
OUT_OF_SERVICE = frozenset({DeviceStatus.REPLACED, DeviceStatus.RETIRED})


class Device(BaseModel):
    """One line of the register."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    asset_tag: Code
    subsystem: Code
    model: Text
    manufacturer: Text
    serial_number: Code | None = None
    vendor_code: Code | None = Field(default=None, description="The vendor partner who repairs it.")
    install_date: Day | None = None
    warranty_until: Day | None = Field(default=None, description="Last day of the manufacturer's warranty.")
    location: Text | None = None
    quantity: int = Field(default=1, ge=1)
    status: DeviceStatus = DeviceStatus.IN_SERVICE

    @model_validator(mode="after")
    def _warranty_after_installation(self) -> Device:
        if self.install_date and self.warranty_until and self.warranty_until < self.install_date:
            raise ValueError("warranty_until is before install_date")
        return self

    @property
    def serial_key(self) -> tuple[str, str] | None:
        """What must be unique: the serial number within its manufacturer."""
        return (self.manufacturer.casefold(), self.serial_number.casefold()) if self.serial_number else None

    def under_warranty(self, on: date) -> bool:
        return self.warranty_until is not None and on <= self.warranty_until and self.status not in OUT_OF_SERVICE

    def reference(self) -> DeviceRef:
        """The device as events name it."""
        return DeviceRef(
            asset_tag=self.asset_tag,
            model=self.model,
            manufacturer=self.manufacturer,
            serial_number=self.serial_number,
            vendor_code=self.vendor_code,
            warranty_until=self.warranty_until,
            subsystem=self.subsystem,
            install_date=self.install_date,
            location=self.location,
            status=self.status.value,
            quantity=self.quantity,
        )


COLUMNS: tuple[str, ...] = tuple(Device.model_fields)
REQUIRED_COLUMNS = frozenset(name for name, field in Device.model_fields.items() if field.is_required())


def changes(before: Device | None, after: Device) -> dict[str, list[Any]]:
    """Field -> [old, new] for every field that differs, as the history keeps it; for a new device,
    every field it has."""
    old = before.model_dump(mode="json") if before is not None else dict.fromkeys(COLUMNS)
    new = after.model_dump(mode="json")
    return {name: [old[name], new[name]] for name in COLUMNS if old[name] != new[name]}


def changed_devices(
    register: Mapping[str, Device], devices: Iterable[Device]
) -> list[tuple[Device, dict[str, list[Any]]]]:
    """The devices that are new to the register (by asset tag) or differ from it, with their changes."""
    return [
        (device, changes(register.get(device.asset_tag), device))
        for device in devices
        if register.get(device.asset_tag) != device
    ]


def subsystem_problem(device: Device, subsystems: frozenset[str]) -> str | None:
    """Why the device cannot be in a site with these subsystems, if it cannot."""
    if device.subsystem in subsystems:
        return None
    return f"unknown subsystem {device.subsystem!r}; the site has {', '.join(sorted(subsystems))}"


def serial_problem(device: Device, holder: str | None) -> str | None:
    """Why the device cannot have its serial number, when another device (`holder`) has it."""
    if holder is None or holder == device.asset_tag:
        return None
    return f"already registered to {holder}"


class RegisterAction(StrEnum):
    CREATED = "created"
    UPDATED = "updated"
    RETIRED = "retired"
    IMPORTED = "imported"
    SWAPPED = "swapped"
