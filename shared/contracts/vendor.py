"""Events of the vendor cases, published by the vendor service for the other services: the SLA
service runs the partner's clocks from them, dispatch resumes the ticket when a case ends, and intake
puts a replacement device in the register."""

from __future__ import annotations

from datetime import date
from typing import ClassVar

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from shared.contracts.envelope import Event


class Agreement(BaseModel):
    """A partner's service levels, one version of them."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    acknowledge_hours: float = Field(gt=0, description="Acknowledge a request within this many hours.")
    on_site_hours: float = Field(gt=0, description="Their engineer on site within this many hours.")
    repair_working_days: int = Field(gt=0, description="Repair turnaround, in working days.")
    replacement_days: int = Field(gt=0, description="A replacement shipped within this many days.")


class VendorEscalationSent(Event):
    message_type: ClassVar[str] = "vendor.escalation.sent"

    case_number: str
    escalation_id: str = Field(description="The escalation of the ticket the case answers, e.g. T-V1.")
    ticket_id: str
    partner: str
    reason: str
    site_code: str
    timezone: str
    asset_tag: str | None
    agreement: Agreement
    agreement_version: int
    sent_at: AwareDatetime


class VendorEscalationProgressed(Event):
    """A step of the partner's work: acknowledged, visit_scheduled, visited, diagnosis, rma_issued,
    replacement_shipped, repaired."""

    message_type: ClassVar[str] = "vendor.escalation.progressed"

    case_number: str
    ticket_id: str
    partner: str
    step: str
    at: AwareDatetime
    detail: dict[str, str] = Field(default_factory=dict)


class VendorEscalationClosed(Event):
    """The case ended: fixed, declined by the partner, or cancelled by us."""

    message_type: ClassVar[str] = "vendor.escalation.closed"

    case_number: str
    escalation_id: str
    ticket_id: str
    partner: str
    outcome: str = Field(description="fixed, declined or cancelled.")
    reason: str | None = None
    closed_at: AwareDatetime


class DeviceSwapped(Event):
    """The engineer swapped a device on site: the serial leaving and the one coming in (a replacement,
    or a loaner standing in while the faulty one is away, or the repaired one coming back)."""

    message_type: ClassVar[str] = "device.swapped"

    ticket_id: str
    site_code: str
    asset_tag: str
    old_serial_number: str | None
    new_serial_number: str
    new_warranty_until: date | None = None
    new_model: str | None = Field(default=None, description="When the new device is another model.")
    loaner: bool = Field(default=False, description="The new device is a loaner, to be swapped back.")
    rma_number: str | None = None
    case_number: str | None = None
    engineer_id: str | None = None
    swapped_at: AwareDatetime
