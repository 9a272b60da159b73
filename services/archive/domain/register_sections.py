"""The operation sections of a register, each counted from the period's events: tickets, SLA results,
inspections, vendor cases and follow-up calls."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any

from services.archive.domain.drafting import local
from services.archive.domain.story import Site, Story
from shared.contracts import (
    ClockKind,
    FollowUpRecorded,
    InspectionVisitCompleted,
    InspectionVisitMissed,
    LinkRelation,
    SlaBreached,
    SlaMet,
    TicketClosed,
    TicketLinked,
    TicketOpened,
    TicketReclassified,
    TicketResolved,
    VendorEscalationClosed,
    VendorEscalationSent,
)
from shared.contracts.followups import LOWEST_SATISFIED

TICKET_COUNTS = ("opened", "resolved", "closed")


def tickets(
    events: Story, openings: Mapping[str, TicketOpened], reclassified: Sequence[TicketReclassified] = ()
) -> dict[str, Any]:
    """Tickets opened, resolved and closed in the period, by subsystem and kind as it stood at the end (a
    repeat report merged into the open ticket of its problem closed when it joined it)."""
    kinds = {ticket: opened.kind.value for ticket, opened in openings.items()}
    for change in [*reclassified, *events.all(TicketReclassified)]:
        kinds[change.ticket_id] = change.kind.value
    done = {
        "opened": {opened.ticket_id for opened in events.all(TicketOpened)},
        "resolved": {resolved.ticket_id for resolved in events.all(TicketResolved)},
        "closed": {closed.ticket_id for closed in events.all(TicketClosed)}
        | {link.ticket_id for link in events.all(TicketLinked) if link.relation is LinkRelation.MERGED_INTO},
    }
    rows: dict[tuple[str, str], Counter[str]] = {}
    for what, ticket_ids in done.items():
        for ticket_id in ticket_ids:
            opened = openings.get(ticket_id)
            if opened is not None:
                rows.setdefault((opened.subsystem, kinds[ticket_id]), Counter())[what] += 1
    table = [
        {"subsystem": subsystem, "kind": kind, **{what: counted[what] for what in TICKET_COUNTS}}
        for (subsystem, kind), counted in sorted(rows.items())
    ]
    return {**{what: sum(row[what] for row in table) for what in TICKET_COUNTS}, "by_subsystem_and_kind": table}


def sla_results(events: Story) -> list[dict[str, Any]]:
    """Each clock's promises kept and broken in the period. A clock announced as breached that a late
    report shows was met counts as met."""
    outcome: dict[tuple[str, str, int], bool] = {}
    for event in events.events:
        if isinstance(event, SlaBreached):
            outcome.setdefault((event.ticket_id, event.clock.value, event.cycle), False)
        elif isinstance(event, SlaMet):
            key = (event.ticket_id, event.clock.value, event.cycle)
            if event.corrects_breach or key not in outcome:
                outcome[key] = True
    rows = []
    for clock in ClockKind:
        results = [met for (_, kind, _), met in outcome.items() if kind == clock.value]
        met = sum(results)
        rows.append(
            {
                "clock": clock.value,
                "met": met,
                "breached": len(results) - met,
                "met_percent": round(100 * met / len(results), 1) if results else None,
            }
        )
    return rows


def inspections(events: Story) -> dict[str, Any]:
    # One fact re-sent under a new message id is kept twice in the timeline: counted once.
    completed = list({visit.visit_id: visit for visit in events.all(InspectionVisitCompleted)}.values())
    return {
        "completed": len(completed),
        "late": sum(visit.late for visit in completed),
        "missed": len({visit.visit_id for visit in events.all(InspectionVisitMissed)}),
        "items_checked": sum(len(visit.results) for visit in completed),
        "failed_items": [
            {
                "visit_id": visit.visit_id,
                "subsystem": visit.subsystem,
                "title": visit.title,
                "item": item.text,
                "expected": item.expected,
                "found": f"{item.value:g} {item.unit or ''}".strip() if item.value is not None else None,
            }
            for visit in completed
            for item in visit.results
            if item.failed
        ],
    }


def vendor_cases(events: Story, site: Site) -> dict[str, Any]:
    """Cases sent to vendors in the period, and how the cases closed in it ended."""
    closed = {case.case_number: case for case in events.all(VendorEscalationClosed)}
    sent = list({case.case_number: case for case in events.all(VendorEscalationSent)}.values())
    return {
        "sent": len(sent),
        "closed": dict(sorted(Counter(case.outcome for case in closed.values()).items())),
        "cases": [
            {
                "case_number": case.case_number,
                "ticket_id": case.ticket_id,
                "partner": case.partner,
                "reason": case.reason,
                "asset_tag": case.asset_tag,
                "sent_at": local(case.sent_at, site),
                "outcome": closed[case.case_number].outcome if case.case_number in closed else None,
            }
            for case in sent
        ],
    }


def follow_ups(events: Story) -> dict[str, Any]:
    calls = list({(c.ticket_id, c.cycle, c.attempt): c for c in events.all(FollowUpRecorded)}.values())
    scores = [call.satisfaction for call in calls if call.reached and call.satisfaction is not None]
    return {
        "calls": len(calls),
        "reached": sum(call.reached for call in calls),
        "average_satisfaction": round(sum(scores) / len(scores), 2) if scores else None,
        "scores": {str(score): scores.count(score) for score in range(1, 6)},
        "low": [
            {"ticket_id": call.ticket_id, "satisfaction": call.satisfaction, "comments": call.comments}
            for call in calls
            if call.satisfaction is not None
            and call.satisfaction < LOWEST_SATISFIED  # listed with the customer's words
        ],
    }
