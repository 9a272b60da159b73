"""Events of a ticket's life after assignment, published by dispatch as the engineer works it.

Each carries the moment it happened in the field (`*_at`), which may be earlier than when it was
recorded: the SLA service counts with these moments, not with arrival order.
"""

from __future__ import annotations

from enum import StrEnum
from typing import ClassVar

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from shared.contracts.bounds import MAX_ITEMS, Code, Identifier, Name, SignatureImage, Text
from shared.contracts.envelope import Event


class TicketAccepted(Event):
    """The engineer acknowledged the ticket: the customer's call is answered."""

    message_type: ClassVar[str] = "ticket.accepted"

    ticket_id: Identifier
    engineer_id: Identifier
    accepted_at: AwareDatetime


class ArrivalProof(BaseModel):
    """Where the engineer's phone was at check-in, against the site's coordinates."""

    model_config = ConfigDict(frozen=True)

    latitude: float | None = Field(default=None, ge=-90, le=90)
    longitude: float | None = Field(default=None, ge=-180, le=180)
    accuracy_m: float | None = Field(default=None, ge=0)
    distance_m: float | None = Field(default=None, ge=0, description="From the site; None if not comparable.")
    flagged: bool = Field(description="Too far, too vague or no position: accepted, but for the manager to see.")
    doubt: Code | None = Field(default=None, description="no_position, position_too_vague or too_far.")


class TicketOnSite(Event):
    """The engineer arrived at the site."""

    message_type: ClassVar[str] = "ticket.on_site"

    ticket_id: Identifier
    engineer_id: Identifier
    arrived_at: AwareDatetime
    arrival: ArrivalProof | None = Field(default=None, description="The phone's position at check-in, checked.")


class PauseReason(StrEnum):
    """Why work waits: the reasons a contract's policy may pause clocks for."""

    WAITING_FOR_CUSTOMER = "waiting_for_customer"
    WAITING_FOR_PARTS = "waiting_for_parts"
    WAITING_FOR_VENDOR = "waiting_for_vendor"


class TicketPaused(Event):
    """Work waits on someone else; clocks the contract pauses for this reason stop counting."""

    message_type: ClassVar[str] = "ticket.paused"

    ticket_id: Identifier
    reason: Text = Field(description="Why: waiting_for_customer, waiting_for_parts, waiting_for_vendor.")
    paused_at: AwareDatetime


class TicketResumed(Event):
    """Work goes on after a pause."""

    message_type: ClassVar[str] = "ticket.resumed"

    ticket_id: Identifier
    resumed_at: AwareDatetime
    status: Code | None = Field(
        default=None,
        description="The state the ticket is back in (the one it was paused in: assigned, accepted or on_site); "
        "absent from events published before it was added.",
    )


class CustomerConfirmation(BaseModel):
    """The customer's confirmation that the work is done, taken on site."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    name: Name = Field(description="Who confirmed, as they wrote it.")
    role: Name | None = Field(default=None, description="e.g. duty manager.")
    signature_png: SignatureImage | None = Field(
        default=None, description="The handwritten signature drawn on the engineer's phone: a PNG image, base64."
    )
    confirmed_at: AwareDatetime | None = None


class TicketResolved(Event):
    """The problem is solved, as the engineer reports it."""

    message_type: ClassVar[str] = "ticket.resolved"

    ticket_id: Identifier
    engineer_id: Identifier | None = None
    summary: Text
    resolved_at: AwareDatetime
    parts: list[Name] = Field(
        default_factory=list, max_length=MAX_ITEMS, description="Parts used, as the engineer listed them."
    )
    confirmation: CustomerConfirmation | None = Field(default=None, description="The customer's sign-off on site.")


class TicketReopened(Event):
    """The customer says the problem is back: the resolution clock starts again."""

    message_type: ClassVar[str] = "ticket.reopened"

    ticket_id: Identifier
    reason: Text
    reopened_at: AwareDatetime


class TicketClosed(Event):
    """The ticket is done, the customer called back; nothing more is counted."""

    message_type: ClassVar[str] = "ticket.closed"

    ticket_id: Identifier
    closed_at: AwareDatetime
