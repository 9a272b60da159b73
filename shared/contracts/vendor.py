"""Events of the vendor cases, published by the vendor service for the other services: the SLA
service runs the partner's clocks from them, dispatch resumes the ticket when a case ends, and intake
puts a replacement device in the register."""

from __future__ import annotations

from datetime import date
from typing import ClassVar

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from shared.calendar import SiteCalendar
from shared.contracts.bounds import MAX_ENTRIES, MAX_ITEMS, Code, Identifier, Name, Text
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

    case_number: Identifier
    escalation_id: Identifier = Field(description="The escalation of the ticket the case answers, e.g. T-V1.")
    ticket_id: Identifier
    partner: Code
    reason: Text
    site_code: Code
    timezone: Code
    asset_tag: Identifier | None
    agreement: Agreement
    agreement_version: int
    sent_at: AwareDatetime
    calendar: SiteCalendar | None = Field(
        default=None,
        description="The site's calendar the partner's deadlines were counted on (its SLA policy's, as the vendor "
        "service last heard it), so that the partner's clocks keep what the partner was told; absent from cases "
        "sent before the vendor service kept calendars.",
    )


class VendorEscalationProgressed(Event):
    """A step of the partner's work: acknowledged, visit_scheduled, visited, diagnosis, rma_issued,
    replacement_shipped, repaired."""

    message_type: ClassVar[str] = "vendor.escalation.progressed"

    case_number: Identifier
    ticket_id: Identifier
    partner: Code
    step: Code
    at: AwareDatetime
    detail: dict[Code, Text] = Field(
        default_factory=dict,
        max_length=MAX_ENTRIES,
        description="The other fields of the partner's reply, as text (a repair's parts are in `parts`).",
    )
    # Added within version 1 (an optional field): an event published before it carries a repair's parts
    # in detail["parts"], joined with "; ", and none here.
    parts: list[Name] = Field(
        default_factory=list,
        max_length=MAX_ITEMS,
        description="The parts a repair used, one per item, as the partner listed them.",
    )


class VendorEscalationClosed(Event):
    """The case ended: fixed, declined by the partner, or cancelled by us."""

    message_type: ClassVar[str] = "vendor.escalation.closed"

    case_number: Identifier
    escalation_id: Identifier
    ticket_id: Identifier
    partner: Code
    outcome: Code = Field(description="fixed, declined or cancelled.")
    reason: Text | None = None
    closed_at: AwareDatetime


class DeviceSwapped(Event):
    """The engineer swapped a device on site: the serial leaving and the one coming in (a replacement,
    or a loaner standing in while the faulty one is away, or the repaired one coming back)."""

    message_type: ClassVar[str] = "device.swapped"

    ticket_id: Identifier
    site_code: Code
    asset_tag: Identifier
    old_serial_number: Identifier | None
    new_serial_number: Identifier
    new_warranty_until: date | None = None
    new_model: Name | None = Field(default=None, description="When the new device is another model.")
    loaner: bool = Field(default=False, description="The new device is a loaner, to be swapped back.")
    rma_number: Identifier | None = None
    case_number: Identifier | None = None
    engineer_id: Identifier | None = None
    swapped_at: AwareDatetime
