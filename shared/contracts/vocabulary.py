"""Words the services share: service types, channels, priorities, subsystems' parties."""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from shared.contracts.bounds import Code, Identifier, Name, Text

SERVICE_AS_A_WHOLE = "service"
"""The subsystem of a complaint or a question about the service itself (an engineer's conduct, the contract,
a bill), not about one of the site's systems: every site has it, and no device belongs to it."""


class ServiceKind(StrEnum):
    """The seed's three service types plus the two request types routed elsewhere."""

    FAULT = "fault"
    WARRANTY_REPAIR = "warranty_repair"
    TECHNICAL_SUPPORT = "technical_support"
    COMPLAINT = "complaint"
    CONSULTATION = "consultation"


ABOUT_THE_SERVICE = frozenset({ServiceKind.COMPLAINT, ServiceKind.CONSULTATION})
"""The kinds of request that may be about the service as a whole (SERVICE_AS_A_WHOLE)."""


class RequestChannel(StrEnum):
    HOTLINE = "hotline"
    EMAIL = "email"
    ON_SITE = "on_site"
    INSPECTION = "inspection"
    PORTAL = "portal"  # the customer's own request, from the console or their systems (ticket.opened v2)


class Priority(StrEnum):
    LOW = "low"
    NORMAL = "normal"
    HIGH = "high"
    CRITICAL = "critical"


class Reporter(BaseModel):
    """Who reported the problem and how to reach them."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    name: str = Field(min_length=1, max_length=100)
    phone: str | None = Field(default=None, max_length=40)
    email: str | None = Field(default=None, max_length=254)
    organisation: str | None = Field(default=None, max_length=200)


class Contact(BaseModel):
    """Someone either party names: the mall's representative, the quality desk, an on-site contact."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = Field(min_length=1, max_length=200)
    role: str | None = Field(default=None, max_length=200)
    phone: str | None = Field(default=None, max_length=40)
    email: str | None = Field(default=None, max_length=254)


class DeviceRef(BaseModel):
    """A device from the site's equipment register."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    asset_tag: Identifier
    model: Name | None = None
    manufacturer: Name | None = None
    serial_number: Identifier | None = Field(default=None, description="The manufacturer's serial number.")
    vendor_code: Code | None = Field(
        default=None,
        description="The maker's code in the site's register (its partner code when the maker repairs it "
        "itself); a request's partner is the queue it came on.",
    )
    warranty_until: date | None = Field(default=None, description="Last day of the manufacturer's warranty.")
    subsystem: Code | None = None
    install_date: date | None = None
    location: Name | None = None
    status: Code | None = Field(default=None, description="in_service, under_repair, replaced or retired.")
    quantity: int | None = Field(default=None, ge=1, description="Identical units the entry stands for (24 speakers).")


class CoverageBasis(StrEnum):
    """Who pays for the work on a ticket."""

    MANUFACTURER_WARRANTY = "manufacturer_warranty"
    MAINTENANCE_CONTRACT = "maintenance_contract"
    CHARGEABLE = "chargeable"


class Coverage(BaseModel):
    """What covers a ticket, decided by intake when it opens: the device's manufacturer warranty (the
    vendor path is suggested), the site's maintenance contract, or nothing (the customer pays; the
    service manager quotes)."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    basis: CoverageBasis
    reason: Text = Field(description="Why, for people: which contract or warranty, or why none applies.")
    contract_code: Code | None = Field(default=None, description="The maintenance contract in force, if any.")
    vendor_code: Code | None = Field(default=None, description="Under warranty: the vendor partner to involve.")
    warranty_until: date | None = None
    sla_policy: Code | None = Field(default=None, description="The SLA policy the contract names, if any.")
