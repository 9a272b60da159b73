"""Events of a ticket's life after assignment, published by dispatch as the engineer works it.

Each carries the moment it happened in the field (`*_at`), which may be earlier than when it was
recorded: the SLA service counts with these moments, not with arrival order.
"""

from __future__ import annotations

from typing import ClassVar

from pydantic import AwareDatetime, Field

from shared.contracts.envelope import Event


class TicketAccepted(Event):
    """The engineer acknowledged the ticket: the customer's call is answered."""

    message_type: ClassVar[str] = "ticket.accepted"

    ticket_id: str
    engineer_id: str
    accepted_at: AwareDatetime


class TicketOnSite(Event):
    """The engineer arrived at the site."""

    message_type: ClassVar[str] = "ticket.on_site"

    ticket_id: str
    engineer_id: str
    arrived_at: AwareDatetime


class TicketPaused(Event):
    """Work waits on someone else; clocks the contract pauses for this reason stop counting."""

    message_type: ClassVar[str] = "ticket.paused"

    ticket_id: str
    reason: str = Field(description="Why: waiting_for_customer, waiting_for_parts, waiting_for_vendor.")
    paused_at: AwareDatetime


class TicketResumed(Event):
    """Work goes on after a pause."""

    message_type: ClassVar[str] = "ticket.resumed"

    ticket_id: str
    resumed_at: AwareDatetime


class TicketResolved(Event):
    """The problem is solved, as the engineer reports it."""

    message_type: ClassVar[str] = "ticket.resolved"

    ticket_id: str
    engineer_id: str | None = None
    summary: str
    resolved_at: AwareDatetime


class TicketReopened(Event):
    """The customer says the problem is back: the resolution clock starts again."""

    message_type: ClassVar[str] = "ticket.reopened"

    ticket_id: str
    reason: str
    reopened_at: AwareDatetime


class TicketClosed(Event):
    """The ticket is done, the customer called back; nothing more is counted."""

    message_type: ClassVar[str] = "ticket.closed"

    ticket_id: str
    closed_at: AwareDatetime
