"""What vendor partners see: the escalation requests on their own queue, the replies they publish,
and the notices on their error queue when a reply is refused. This module is the partner interface;
docs/partners/asyncapi.yaml is generated from it.

Every message travels in the envelope (`shared/contracts/envelope.py`): message_id, type,
schema_version, occurred_at, producer, correlation_id (the case number) and the payload below.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import ClassVar

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from shared.contracts.bounds import MAX_ITEMS, Code, Identifier, Name, Text
from shared.contracts.envelope import Contract
from shared.contracts.vocabulary import Contact, DeviceRef


class EscalationReason(StrEnum):
    REPAIR = "repair"
    REPLACEMENT = "replacement"
    VENDOR_VISIT = "vendor_visit"
    TECHNICAL_QUESTION = "technical_question"


class PartnerMessage(Contract):
    """A message between Aftercare and a vendor partner, about one case."""

    case_number: Identifier = Field(description="Aftercare's case number, e.g. VC-000123; every reply names it.")


class PartnerSite(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")

    code: Code
    name: Name
    address: Name
    timezone: Code


class Deadlines(BaseModel):
    """When the partner's agreement says each step is due, for this case."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    acknowledge_by: AwareDatetime
    on_site_by: AwareDatetime | None = Field(default=None, description="For a vendor engineer's visit.")
    repaired_by: AwareDatetime | None = Field(default=None, description="For a repair.")
    replaced_by: AwareDatetime | None = Field(default=None, description="For a replacement.")


class EscalationRequest(PartnerMessage):
    """Aftercare asks the partner to act. Self-contained: nothing else needs to be looked up."""

    message_type: ClassVar[str] = "vendor.escalation_request"

    ticket_id: Identifier
    reason: EscalationReason
    site: PartnerSite
    device: DeviceRef | None
    fault: Text = Field(description="What was found, in the engineer's words.")
    contact_on_site: Contact
    deadlines: Deadlines
    agreement_version: int
    sent_at: AwareDatetime


class EscalationCancelled(PartnerMessage):
    """Aftercare no longer needs the partner on this case."""

    message_type: ClassVar[str] = "vendor.escalation_cancelled"

    reason: Text
    cancelled_at: AwareDatetime


class ReplyRefused(Contract):
    """On the partner's error queue: a reply Aftercare could not take, and why. Fix it and send again
    (a new message id)."""

    message_type: ClassVar[str] = "vendor.reply_refused"

    refused_message_id: Identifier | None = Field(
        description="The AMQP message_id property of the refused reply (its envelope's message_id, when set as the "
        "document says), if it had one."
    )
    reason: Text = Field(
        description="e.g. invalid_payload, unknown_case, not_your_case, impossible_step, type_and_key_differ, "
        "occurred_in_the_future."
    )
    detail: Text
    refused_at: AwareDatetime


class Acknowledged(PartnerMessage):
    """The partner has the case."""

    message_type: ClassVar[str] = "vendor.reply.acknowledged"

    estimate: Name | None = Field(default=None, description="When the partner expects to act, in words or a date.")
    acknowledged_at: AwareDatetime


class VisitScheduled(PartnerMessage):
    """The partner's engineer will come to the site then."""

    message_type: ClassVar[str] = "vendor.reply.visit_scheduled"

    visit_at: AwareDatetime
    engineer_name: Name | None = None


class Visited(PartnerMessage):
    """The partner's engineer came to the site."""

    message_type: ClassVar[str] = "vendor.reply.visited"

    visited_at: AwareDatetime
    findings: Text | None = None


class Diagnosis(PartnerMessage):
    """What the partner found wrong. A note: the case stays where it is."""

    message_type: ClassVar[str] = "vendor.reply.diagnosis"

    diagnosis: Text


class RmaIssued(PartnerMessage):
    """The device is to be returned under this return authorisation."""

    message_type: ClassVar[str] = "vendor.reply.rma_issued"

    rma_number: Identifier


class ReplacementShipped(PartnerMessage):
    """A replacement device is on its way. The case waits for the engineer to install it, which ends it."""

    message_type: ClassVar[str] = "vendor.reply.replacement_shipped"

    new_serial_number: Identifier
    warranty_until: date | None = None
    carrier: Name
    tracking_number: Identifier
    rma_number: Identifier | None = None


class Repaired(PartnerMessage):
    """The partner repaired the device. The case ends, fixed."""

    message_type: ClassVar[str] = "vendor.reply.repaired"

    summary: Text
    parts: list[Name] = Field(default_factory=list, max_length=MAX_ITEMS)


class Declined(PartnerMessage):
    """The partner will not act on the case. The case ends, declined, with the reason."""

    message_type: ClassVar[str] = "vendor.reply.declined"

    reason: Text


REPLIES: tuple[type[PartnerMessage], ...] = (
    Acknowledged,
    VisitScheduled,
    Visited,
    Diagnosis,
    RmaIssued,
    ReplacementShipped,
    Repaired,
    Declined,
)
TO_PARTNERS: tuple[type[Contract], ...] = (EscalationRequest, EscalationCancelled, ReplyRefused)
