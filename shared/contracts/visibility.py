"""What a site's customer may see of the suite's events and documents: one rule, used wherever an event
reaches a customer (the archive's ticket timeline, the webhooks to the customer's own systems).

An allowlist, field by field: a field added to an event later is the staff's until somebody decides it
is the customer's too. Staff-only are the reasons and notes people write for each other (why a ticket
was reassigned or reopened, the complaint's internal handling), how dispatch decided (rules, queues, who
was on leave), where the engineer's phone said they were (the arrival check), the engineer's phone
number, the vendor partners' cases, agreements and clocks, the quality desk's follow-up scores, and
accounts. The README's Security section has the same table in words."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from shared.contracts.catalogue import EVENTS


def _every_field(message_type: str) -> frozenset[str]:
    contract = next(event for event in EVENTS if event.message_type == message_type)
    return frozenset(contract.model_fields)


def _all_but(message_type: str, *hidden: str) -> frozenset[str]:
    return _every_field(message_type) - set(hidden)


CUSTOMER_SEES: dict[str, frozenset[str]] = {
    "site.described": _every_field("site.described"),
    "equipment.changed": _all_but("equipment.changed", "actor", "reason"),
    "ticket.opened": _every_field("ticket.opened"),
    "ticket.reclassified": _all_but("ticket.reclassified", "actor", "reason"),
    "ticket.assigned": _all_but("ticket.assigned", "actor", "reason", "rule", "previous_engineer_id"),
    "complaint.routed": _all_but("complaint.routed", "desk"),
    "ticket.accepted": _every_field("ticket.accepted"),
    "ticket.on_site": _all_but("ticket.on_site", "arrival"),
    "ticket.paused": _every_field("ticket.paused"),  # its reason is a code of the contract's (PauseReason)
    "ticket.resumed": _every_field("ticket.resumed"),
    "ticket.resolved": _every_field("ticket.resolved"),  # the work done, as the customer signed for it
    "ticket.reopened": _all_but("ticket.reopened", "reason"),
    "ticket.closed": _every_field("ticket.closed"),
    "ticket.noted": _every_field("ticket.noted"),  # a note for the customer only (customer_view)
    # That their report joined the open ticket of the same problem, or which job their complaint is about.
    "ticket.linked": _all_but("ticket.linked", "actor", "reason", "released_engineer_id"),
    "sla.clock_started": _every_field("sla.clock_started"),
    "sla.clocks_started": _every_field("sla.clocks_started"),  # the same of each clock as sla.clock_started
    "sla.clock_changed": _every_field("sla.clock_changed"),
    "sla.breached": _every_field("sla.breached"),
    "sla.met": _every_field("sla.met"),
    "device.swapped": _all_but("device.swapped", "rma_number", "case_number"),
    "quality.case_opened": _all_but("quality.case_opened", "origin", "severity"),
    "quality.case_answered": frozenset({"case_id", "ticket_id", "site_code", "answer", "answered_at"}),
    "inspection.visit_opened": _every_field("inspection.visit_opened"),
    "inspection.visit_completed": _every_field("inspection.visit_completed"),
    "document.archived": _every_field("document.archived"),
    "webhook.paused": _every_field("webhook.paused"),  # the customer's own subscription
}
"""Event type -> the payload fields a customer sees; a type not named here is the staff's alone."""

CUSTOMER_DOCUMENTS = frozenset({"REC", "RPT", "CMP", "INS", "REG"})
"""The archive's document kinds a customer sees (by the code in their numbers): the request as received,
the service report they signed, the complaint handling record (the customer's copy, without its internal
handling), inspection reports and registers. Dispatch orders (DSP), follow-up records (FUP) and vendor
letters and RMA records (VND) are the staff's."""

COMPLAINT_RECORD_STAFF_FIELDS = frozenset({"handling", "owner", "escalated_to", "origin", "severity"})
"""What the complaint handling record's customer copy leaves out: how the complaint was handled inside,
and how the quality desk rated it (as on `quality.case_opened` and `quality.case_answered`)."""


def customer_view(message_type: str, payload: Mapping[str, Any]) -> dict[str, Any] | None:
    """The event as its site's customer may see it, or None if it is the staff's alone."""
    seen = CUSTOMER_SEES.get(message_type)
    if seen is None:
        return None
    if message_type == "document.archived" and payload.get("category") not in CUSTOMER_DOCUMENTS:
        return None
    if message_type == "ticket.noted" and payload.get("for_customer") is not True:
        return None  # the staff wrote it for each other
    return {name: value for name, value in payload.items() if name in seen}
