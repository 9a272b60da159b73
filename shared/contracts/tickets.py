"""Events of a ticket's life: opened or rejected by intake, assigned, noted, linked and escalated by dispatch."""

from __future__ import annotations

from enum import StrEnum
from typing import ClassVar

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from shared.contracts.bounds import Code, Identifier, Name, Text
from shared.contracts.envelope import Event
from shared.contracts.vocabulary import (
    Contact,
    Coverage,
    DeviceRef,
    Priority,
    Reporter,
    RequestChannel,
    ServiceKind,
)


class InspectionFinding(BaseModel):
    """The checklist item of an inspection visit that failed and opened the ticket."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    visit_id: Identifier
    item_code: Code
    item_text: Name = Field(description="The item as the checklist words it.")


class TicketOpened(Event):
    """A service request was accepted, classified and given a ticket id. Version 2 added the channel
    `portal` (the customer's own request); its consumers read version 1 as it is."""

    message_type: ClassVar[str] = "ticket.opened"
    schema_version: ClassVar[int] = 2
    reads_versions: ClassVar[tuple[int, ...]] = (1,)

    ticket_id: Identifier = Field(description="Readable ticket id, e.g. HH138-20261125-0001.")
    site_code: Code
    site_name: Name
    site_timezone: Code = Field(description="IANA time zone of the site, e.g. Asia/Shanghai.")
    subsystem: Code = Field(description="Subsystem code at the site, e.g. bgm.")
    device: DeviceRef | None = None
    kind: ServiceKind
    priority: Priority
    channel: RequestChannel
    description: Text
    reporter: Reporter
    reported_at: AwareDatetime = Field(description="When the customer notified us; SLA clocks start here.")
    received_at: AwareDatetime = Field(description="When intake recorded it.")
    coverage: Coverage | None = Field(default=None, description="Warranty, contract or chargeable, decided at intake.")
    found_at: InspectionFinding | None = Field(
        default=None, description="The inspection's failed item that opened it (channel inspection)."
    )

    def version_needed(self) -> int:
        return self.schema_version if self.channel is RequestChannel.PORTAL else 1


class TicketReclassified(Event):
    """The operator or the service manager changed a ticket's kind or priority. The SLA service replans
    its clocks from the original report; dispatch moves a ticket that became (or stopped being) a
    complaint between the engineer and the quality desk."""

    message_type: ClassVar[str] = "ticket.reclassified"

    ticket_id: Identifier
    kind: ServiceKind
    priority: Priority
    previous_kind: ServiceKind
    previous_priority: Priority
    reason: Text
    actor: Name = Field(description="Who changed it.")
    reclassified_at: AwareDatetime


class TicketRejected(Event):
    """A submitted request could not become a ticket; the reason says what to fix."""

    message_type: ClassVar[str] = "ticket.rejected"

    request_id: Identifier | None = Field(description="The submitter's own reference, if it gave one.")
    reason: Text = Field(description="Machine-readable cause, e.g. unknown_site.")
    detail: Text = Field(description="What a person should change before submitting again.")


class TicketAssigned(Event):
    """An engineer now owns the ticket."""

    message_type: ClassVar[str] = "ticket.assigned"

    ticket_id: Identifier
    site_code: Code
    subsystem: Code
    engineer_id: Identifier
    engineer_name: Name
    rule: Code = Field(description="Why this engineer: subsystem_owner, least_loaded, manual.")
    assigned_at: AwareDatetime
    previous_engineer_id: Identifier | None = Field(default=None, description="On a reassignment: who had it.")
    reason: Text | None = Field(default=None, description="Why the service manager chose or changed the engineer.")
    actor: Name | None = Field(default=None, description="Who assigned it; dispatch itself when routed by rule.")
    status: Code | None = Field(
        default=None,
        description="The ticket's state once assigned: assigned, or paused for a paused ticket given to another "
        "engineer (absent from events published before it was added).",
    )


class TicketAwaitingAssignment(Event):
    """Nobody can take the ticket now: it waits in the service manager's queue, and dispatch assigns it
    as soon as the roster or an engineer's load allows."""

    message_type: ClassVar[str] = "ticket.awaiting_assignment"

    ticket_id: Identifier
    site_code: Code
    subsystem: Code
    why: Text = Field(description="Why nobody could take it, engineer by engineer.")
    since: AwareDatetime
    cause: Code | None = Field(
        default=None,
        description="Why, as a code to word in any language: no_skill (no engineer of the site has the "
        "subsystem's skill) or nobody_free (those who have it are off duty or carry their most open tickets); "
        "absent from events published before it was added.",
    )


class TicketAtRisk(Event):
    """The response clock warned and nobody has accepted the ticket yet."""

    message_type: ClassVar[str] = "ticket.at_risk"

    ticket_id: Identifier
    site_code: Code
    engineer_id: Identifier | None = Field(description="Who holds it, if anyone.")
    due_at: AwareDatetime = Field(description="When the response clock runs out.")
    flagged_at: AwareDatetime


class PageTo(StrEnum):
    """Whom a step of a site's paging chain wakes."""

    BACKUP_ON_CALL = "backup_on_call"  # another engineer of the site on call or on shift at that moment
    SERVICE_MANAGERS = "service_managers"  # the site's service managers
    ENGINEER = "engineer"  # one engineer the chain names


class TicketPaged(Event):
    """Nobody has accepted the ticket since its response clock warned: the next step of the site's paging
    chain woke someone (the backup on call, the service managers, a named engineer) to see it taken up."""

    message_type: ClassVar[str] = "ticket.paged"

    ticket_id: Identifier
    site_code: Code
    step: int = Field(ge=1, le=20, description="The step of the site's chain, from 1.")
    to: PageTo
    engineer_id: Identifier | None = Field(None, description="The engineer paged; none for the service managers.")
    engineer_name: Name | None = None
    holder_engineer_id: Identifier | None = Field(description="Who holds the ticket and has not accepted it.")
    holder_engineer_name: Name | None = None
    due_at: AwareDatetime = Field(description="When the response clock runs out.")
    paged_at: AwareDatetime


class ComplaintRouted(Event):
    """A complaint went to the quality desk, never to the engineer it may be about."""

    message_type: ClassVar[str] = "complaint.routed"

    ticket_id: Identifier
    site_code: Code
    desk: Code = Field(description="Who handles it: quality.")
    routed_at: AwareDatetime


class TicketEscalationNeeded(Event):
    """Engineers cannot fix it, or a device is broken: the manufacturer must act."""

    message_type: ClassVar[str] = "ticket.escalation_needed"

    ticket_id: Identifier
    site_code: Code
    subsystem: Code
    device: DeviceRef | None = None
    vendor_code: Code = Field(description="The vendor partner to escalate to.")
    reason: Text = Field(description="repair, replacement, vendor_visit or technical_question.")
    requested_at: AwareDatetime
    escalation_id: Identifier | None = Field(
        default=None, description="Unique per escalation of the ticket, e.g. T-V1."
    )
    findings: Text | None = Field(default=None, description="What the engineer found, in their words.")
    engineer: Contact | None = Field(default=None, description="The engineer on site, for the partner.")


class TicketNoted(Event):
    """A note the integrator's staff wrote on a ticket: for each other (internal), or for the customer,
    who then reads it in the ticket's history, on their own systems and in the service report; or a
    comment the customer wrote on their own ticket, which both read."""

    message_type: ClassVar[str] = "ticket.noted"

    ticket_id: Identifier
    site_code: Code
    text: Text = Field(min_length=1)
    for_customer: bool = Field(description="True: the customer reads it; false: the staff's alone.")
    author: Name = Field(description="Who wrote it.")
    written_at: AwareDatetime
    by_customer: bool = Field(
        default=False, description="True: the customer's representative wrote it on their own ticket (a comment)."
    )


class TicketCustomerWrote(Event):
    """The customer wrote about their ticket from outside the console (a reply by e-mail to a mail the suite
    sent about it, or naming its number): their words join the ticket as their comment."""

    message_type: ClassVar[str] = "ticket.customer_wrote"

    ticket_id: Identifier
    site_code: Code
    text: Text = Field(min_length=1, description="Their new words (quoted history and signature trimmed).")
    author: Name = Field(description="Who wrote, as their mail names them.")
    address: Text | None = Field(None, description="Where they wrote from (their e-mail address).")
    channel: RequestChannel = Field(description="How it came: email.")
    verified: bool = Field(
        description="False: the mail's envelope sender is not of the From address's domain (it may be forged)."
    )
    mail_id: Identifier = Field(description="The mail as intake keeps it.")
    written_at: AwareDatetime


class MailFloodHeld(Event):
    """One sender's mails to the service mailbox are held back: more than the hotline takes from one
    address within the hour (a mail bomb, a loop). The first held back announces it, once an hour."""

    message_type: ClassVar[str] = "mail.flood_held"

    sender: Text = Field(description="The address the mails come from.")
    site_code: Code | None = Field(None, description="The site its earlier mails were about, if any.")
    count: int = Field(ge=1, description="How many mails from it within the hour, this one included.")
    held_at: AwareDatetime


class LinkRelation(StrEnum):
    """How one ticket belongs with another, seen from the ticket the event is about. Staff make the first
    and third; dispatch tells the other side of each."""

    ABOUT = "about"  # this complaint is about the linked job
    COMPLAINED_OF = "complained_of"  # the linked complaint is about this job
    MERGED_INTO = "merged_into"  # this repeat report joined the linked open ticket and ends here
    JOINED_BY = "joined_by"  # the linked repeat report joined this ticket


class TicketLinked(Event):
    """Two tickets belong together; published once for each of them, each from its own side. A ticket
    `merged_into` another ends there: its clocks no longer count (the problem is the other ticket's)."""

    message_type: ClassVar[str] = "ticket.linked"

    ticket_id: Identifier
    site_code: Code
    linked_ticket_id: Identifier
    relation: LinkRelation
    reason: Text | None = Field(default=None, description="Why, in the words of who linked them.")
    actor: Name = Field(description="Who linked them.")
    linked_at: AwareDatetime
    released_engineer_id: Identifier | None = Field(
        default=None, description="On a merge: the engineer who held the report, now free of it."
    )
