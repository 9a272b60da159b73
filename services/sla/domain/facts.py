"""What the SLA service has heard about a ticket, as facts its clocks are planned from.

Every ticket event is kept as it came, in whatever order; `ticket_facts` reads them back into one
value. Until the ticket's opening is known there is nothing to count from, and no facts. A
reclassification changes what the clocks are for (the ticket's kind and priority), never when they
started: they are planned again from the original report, and time already paused stays paused. A
ticket merged into another (a repeat report of its problem) has no clocks of its own any more.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from services.sla.domain.vendor_clocks import VendorCase, vendor_cases
from shared.contracts import (
    Event,
    LinkRelation,
    Priority,
    ServiceKind,
    TicketAccepted,
    TicketClosed,
    TicketLinked,
    TicketOnSite,
    TicketOpened,
    TicketPaused,
    TicketReclassified,
    TicketReopened,
    TicketResolved,
    TicketResumed,
    VendorEscalationClosed,
    VendorEscalationProgressed,
    VendorEscalationSent,
)

TICKET_EVENTS: tuple[type[Event], ...] = (
    TicketOpened,
    TicketAccepted,
    TicketOnSite,
    TicketPaused,
    TicketResumed,
    TicketResolved,
    TicketReopened,
    TicketClosed,
    TicketReclassified,
    TicketLinked,
    VendorEscalationSent,
    VendorEscalationProgressed,
    VendorEscalationClosed,
)
"""The events the service keeps as facts (the vendor cases' too: their clocks are nested in the ticket)."""


@dataclass(frozen=True)
class PauseFact:
    reason: str
    since: datetime


@dataclass(frozen=True)
class TicketFacts:
    """What the SLA service has heard about one ticket."""

    ticket_id: str
    site_code: str
    timezone: str
    kind: ServiceKind
    priority: Priority
    reported_at: datetime
    accepted_at: list[datetime] = field(default_factory=list)
    on_site_at: list[datetime] = field(default_factory=list)
    paused: list[PauseFact] = field(default_factory=list)
    resumed_at: list[datetime] = field(default_factory=list)
    resolved_at: list[datetime] = field(default_factory=list)
    reopened_at: list[datetime] = field(default_factory=list)
    closed_at: list[datetime] = field(default_factory=list)
    merged_at: datetime | None = None
    vendor_cases: list[VendorCase] = field(default_factory=list)


def ticket_facts(ticket_id: str, recorded: Iterable[tuple[str, dict[str, Any]]]) -> TicketFacts | None:
    """The facts of a ticket from its recorded events (type, payload); None before its opening is known."""
    by_type: dict[str, list[dict[str, Any]]] = {}
    for type_, payload in recorded:
        by_type.setdefault(type_, []).append(payload)
    if not by_type.get(TicketOpened.message_type):
        return None
    opened = TicketOpened.model_validate(by_type[TicketOpened.message_type][0])
    # The latest reclassification decides the kind and priority; the clocks still count from the report.
    changes = sorted(
        (TicketReclassified.model_validate(raw) for raw in by_type.get(TicketReclassified.message_type, [])),
        key=lambda change: change.reclassified_at,
    )
    kind, priority = (changes[-1].kind, changes[-1].priority) if changes else (opened.kind, opened.priority)

    def moments(contract: type[Event], field: str) -> list[Any]:
        return [getattr(contract.model_validate(p), field) for p in by_type.get(contract.message_type, [])]

    return TicketFacts(
        ticket_id=ticket_id,
        site_code=opened.site_code,
        timezone=opened.site_timezone,
        kind=kind,
        priority=priority,
        reported_at=opened.reported_at,
        accepted_at=moments(TicketAccepted, "accepted_at"),
        on_site_at=moments(TicketOnSite, "arrived_at"),
        paused=[
            PauseFact(p.reason, p.paused_at)
            for p in (TicketPaused.model_validate(raw) for raw in by_type.get(TicketPaused.message_type, []))
        ],
        resumed_at=moments(TicketResumed, "resumed_at"),
        resolved_at=moments(TicketResolved, "resolved_at"),
        reopened_at=moments(TicketReopened, "reopened_at"),
        closed_at=moments(TicketClosed, "closed_at"),
        merged_at=min(
            (
                link.linked_at
                for link in (TicketLinked.model_validate(raw) for raw in by_type.get(TicketLinked.message_type, []))
                if link.relation is LinkRelation.MERGED_INTO
            ),
            default=None,
        ),
        vendor_cases=vendor_cases(
            (VendorEscalationSent.model_validate(raw) for raw in by_type.get(VendorEscalationSent.message_type, [])),
            (
                VendorEscalationProgressed.model_validate(raw)
                for raw in by_type.get(VendorEscalationProgressed.message_type, [])
            ),
            (
                VendorEscalationClosed.model_validate(raw)
                for raw in by_type.get(VendorEscalationClosed.message_type, [])
            ),
        ),
    )
