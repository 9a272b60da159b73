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

from shared.contracts.envelope import Contract
from shared.contracts.vocabulary import Contact, DeviceRef


class EscalationReason(StrEnum):
    REPAIR = "repair"
    REPLACEMENT = "replacement"
    VENDOR_VISIT = "vendor_visit"
    TECHNICAL_QUESTION = "technical_question"


class PartnerMessage(Contract):
    """A message between Aftercare and a vendor partner, about one case."""

    case_number: str = Field(description="Aftercare's case number, e.g. VC-000123; every reply names it.")


class PartnerSite(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")

    code: str
    name: str
    address: str
    timezone: str


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

    ticket_id: str
    reason: EscalationReason
    site: PartnerSite
    device: DeviceRef | None
    fault: str = Field(description="What was found, in the engineer's words.")
    contact_on_site: Contact
    deadlines: Deadlines
    agreement_version: int
    sent_at: AwareDatetime


class EscalationCancelled(PartnerMessage):
    """Aftercare no longer needs the partner on this case."""

    message_type: ClassVar[str] = "vendor.escalation_cancelled"

    reason: str
    cancelled_at: AwareDatetime


class ReplyRefused(Contract):
    """On the partner's error queue: a reply Aftercare could not take, and why. Fix it and send again
    (a new message id)."""

    message_type: ClassVar[str] = "vendor.reply_refused"

    refused_message_id: str | None = Field(description="The message id of the refused reply, if it had one.")
    reason: str = Field(description="e.g. invalid_payload, unknown_case, not_your_case, impossible_step.")
    detail: str
    refused_at: AwareDatetime


class Acknowledged(PartnerMessage):
    """The partner has the case."""

    message_type: ClassVar[str] = "vendor.reply.acknowledged"

    estimate: str | None = Field(default=None, description="When the partner expects to act, in words or a date.")
    acknowledged_at: AwareDatetime


class VisitScheduled(PartnerMessage):
    message_type: ClassVar[str] = "vendor.reply.visit_scheduled"

    visit_at: AwareDatetime
    engineer_name: str | None = None


class Visited(PartnerMessage):
    """The partner's engineer came to the site."""

    message_type: ClassVar[str] = "vendor.reply.visited"

    visited_at: AwareDatetime
    findings: str | None = None


class Diagnosis(PartnerMessage):
    message_type: ClassVar[str] = "vendor.reply.diagnosis"

    diagnosis: str


class RmaIssued(PartnerMessage):
    """The device is to be returned under this return authorisation."""

    message_type: ClassVar[str] = "vendor.reply.rma_issued"

    rma_number: str


class ReplacementShipped(PartnerMessage):
    message_type: ClassVar[str] = "vendor.reply.replacement_shipped"

    new_serial_number: str
    warranty_until: date | None = None
    carrier: str
    tracking_number: str
    rma_number: str | None = None


class Repaired(PartnerMessage):
    message_type: ClassVar[str] = "vendor.reply.repaired"

    summary: str
    parts: list[str] = Field(default_factory=list)


class Declined(PartnerMessage):
    message_type: ClassVar[str] = "vendor.reply.declined"

    reason: str


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
