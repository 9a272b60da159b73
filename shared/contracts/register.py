"""Events of the equipment register and the sites, published by intake: what other services need to
know about a site or a device (the vendor service's escalations, the archive's registers) travels in
them, never through intake's tables."""

from __future__ import annotations

from datetime import date
from typing import Annotated, ClassVar

from pydantic import AwareDatetime, Field

from shared.contracts.bounds import MAX_ENTRIES, Code, Name, Text
from shared.contracts.envelope import Event
from shared.contracts.vocabulary import Contact, DeviceRef


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
