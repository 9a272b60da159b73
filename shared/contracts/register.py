"""Events of the equipment register and the sites, published by intake: what other services need to
know about a site or a device (the vendor service's escalations, the archive's registers) travels in
them, never through intake's tables."""

from __future__ import annotations

from datetime import date
from typing import Annotated, ClassVar

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from shared.contracts.bounds import MAX_ENTRIES, MAX_ITEMS, Code, Name, Text
from shared.contracts.envelope import Event
from shared.contracts.vocabulary import Contact, DeviceRef


class SubsystemNamed(BaseModel):
    """A subsystem of a site as people call it: in English, and in Chinese where the site file says."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    code: Code = Field(description="Its code at the site, e.g. bgm.")
    name: Name = Field(description="Its name in English, e.g. Background music.")
    local_name: Name | None = Field(default=None, description="Its name in Chinese, e.g. 背景音乐系统.")


class SiteDescribed(Event):
    """A site as it stands now: published when it is loaded and whenever its contract changes."""

    message_type: ClassVar[str] = "site.described"

    site_code: Code
    name: Name
    local_name: Name | None = None
    address: Name
    timezone: Code
    customer: Name
    representative: Contact | None = Field(description="The customer's representative of the contract in force.")
    contract_code: Code | None = Field(description="The maintenance contract in force, if any.")
    contract_starts_on: date | None = Field(default=None, description="First day of the contract in force.")
    contract_ends_on: date | None = Field(default=None, description="Last day of the contract in force.")
    subsystems: list[SubsystemNamed] | None = Field(
        default=None,
        max_length=MAX_ITEMS,
        description="The site's subsystems with their names, for what people read (absent from descriptions "
        "published before it was added).",
    )


class EquipmentChanged(Event):
    """A device of a site's register was added, changed, retired or replaced: the whole device as it now is."""

    message_type: ClassVar[str] = "equipment.changed"

    site_code: Code
    device: DeviceRef
    action: Code = Field(description="created, updated, retired, imported or swapped.")
    changes: dict[Code, Annotated[list[object], Field(max_length=2)]] = Field(
        max_length=MAX_ENTRIES, description="Field -> [old, new]."
    )
    actor: Name
    reason: Text | None = None
    changed_at: AwareDatetime
