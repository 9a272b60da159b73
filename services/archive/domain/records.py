"""The documents the archive draws up from events: which event makes which document, and what each
says. Every document is drawn from the event and the story the archive already holds (the ticket's
earlier events), so that a dispatch order names the fault and a service report the times of the work.

Each document's `source` says which fact it records; a fact is filed once however often its event
arrives (a ticket's `ticket.opened`, its n-th resolution, a follow-up call, a vendor case ...).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from services.archive.domain.case_records import complaint_record, inspection_report, rma_record, vendor_letter
from services.archive.domain.documents import Category, Draft
from services.archive.domain.drafting import draft, first_time, local, pauses, signature, ticket_facts, ticket_words
from services.archive.domain.photos import Photo
from services.archive.domain.story import Site, Story
from shared.contracts import (
    DeviceSwapped,
    Event,
    FollowUpRecorded,
    InspectionVisitCompleted,
    QualityCaseAnswered,
    TicketAccepted,
    TicketAssigned,
    TicketNoted,
    TicketOnSite,
    TicketOpened,
    TicketResolved,
    VendorEscalationSent,
)


def drafts_of(event: Event, story: Story, site: Site, photos: Sequence[Photo] = ()) -> list[Draft]:
    """The documents an event makes, given what the archive knows of its ticket (or site) and the
    photos taken on site."""
    match event:
        case TicketOpened():
            return [service_request_record(event, site)]
        case TicketAssigned():
            return [dispatch_order(event, story, site)]
        case TicketResolved():
            return [service_report(event, story, site, photos)]
        case FollowUpRecorded():
            return [follow_up_record(event, story, site)]
        case QualityCaseAnswered():
            return [complaint_record(event, story, site)]
        case VendorEscalationSent():
            return [vendor_letter(event, story, site)]
        case DeviceSwapped() if event.rma_number:
            return [rma_record(event, story, site)]
        case InspectionVisitCompleted():
            return [inspection_report(event, site)]
    return []


def makes_documents(event: Event) -> bool:
    """Whether `drafts_of` can file anything for this event: most events (clocks, moves, the archive's
    own announcements) make none, and need nothing read to find that out."""
    match event:
        case (
            TicketOpened()
            | TicketAssigned()
            | TicketResolved()
            | FollowUpRecorded()
            | QualityCaseAnswered()
            | VendorEscalationSent()
            | InspectionVisitCompleted()
        ):
            return True
        case DeviceSwapped():
            return event.rma_number is not None
    return False


def needs_the_opening(event: Event) -> bool:
    """Whether the documents of this event tell their ticket as reported, and so must wait until the
    archive has kept the ticket's opening (events of one ticket may overtake each other)."""
    match event:
        case TicketAssigned() | TicketResolved() | FollowUpRecorded() | VendorEscalationSent():
            return True
        case DeviceSwapped():
            return event.rma_number is not None
        case QualityCaseAnswered():
            return event.ticket_id is not None
    return False


def service_request_record(opened: TicketOpened, site: Site) -> Draft:
    """The record of a request as it was received: who reported what, when, by which channel."""
    return draft(
        Category.RECORD,
        "Service request record",
        site,
        opened.reported_at,
        ticket_id=opened.ticket_id,
        source=opened.message_type,
        form="service_request_record",
        content={
            **ticket_facts(opened, site),
            "channel": opened.channel.value,
            "reporter": opened.reporter.model_dump(mode="json"),
            "reported_at": opened.reported_at.isoformat(),
            "reported_at_local": local(opened.reported_at, site),
            "received_at": opened.received_at.isoformat(),
        },
        words={**ticket_words(opened), "channel": [opened.channel.value]},
    )


def dispatch_order(assigned: TicketAssigned, story: Story, site: Site) -> Draft:
    """The order that sends an engineer (派工单): the fault, the engineer, why them, and by when."""
    return draft(
        Category.DISPATCH_ORDER,
        "Dispatch order",
        site,
        assigned.assigned_at,
        ticket_id=assigned.ticket_id,
        source=f"{assigned.message_type}:{assigned.engineer_id}",
        form="dispatch_order",
        content={
            **ticket_facts(story.opened, site, assigned.ticket_id),
            "engineer": {"id": assigned.engineer_id, "name": assigned.engineer_name},
            "rule": assigned.rule,
            "reason": assigned.reason,
            "previous_engineer_id": assigned.previous_engineer_id,
            "assigned_by": assigned.actor or "dispatch",
            "assigned_at": local(assigned.assigned_at, site),
        },
        words={**ticket_words(story.opened), "rule": [assigned.rule], "actor": [assigned.actor or "dispatch"]},
    )


def service_report(resolved: TicketResolved, story: Story, site: Site, photos: Sequence[Photo] = ()) -> Draft:
    """The on-site service report (现场服务报告): the work, its times, the parts, and the customer's sign-off."""
    cycle = sum(1 for r in story.all(TicketResolved) if r.resolved_at <= resolved.resolved_at) or 1
    assigned = story.last(TicketAssigned)
    confirmation = resolved.confirmation
    photos = of_this_visit(photos, story, resolved)
    paused = pauses(story, site)
    return draft(
        Category.REPORT,
        "On-site service report",
        site,
        resolved.resolved_at,
        ticket_id=resolved.ticket_id,
        source=f"{resolved.message_type}:{cycle}",
        form="service_report",
        content={
            **ticket_facts(story.opened, site, resolved.ticket_id),
            "cycle": cycle,
            "engineer": {"id": assigned.engineer_id, "name": assigned.engineer_name} if assigned else None,
            "times": {
                "reported": local(story.opened.reported_at, site) if story.opened else None,
                "accepted": first_time(story.all(TicketAccepted), "accepted_at", site),
                "arrived": first_time(story.all(TicketOnSite), "arrived_at", site),
                "resolved": local(resolved.resolved_at, site),
            },
            "pauses": paused,
            "work_done": resolved.summary,
            "parts": resolved.parts,
            "confirmation": None
            if confirmation is None
            else {
                "name": confirmation.name,
                "role": confirmation.role,
                "confirmed_at": local(confirmation.confirmed_at or resolved.resolved_at, site),
                "signature_png": confirmation.signature_png,
            },
            # Named by their hashes, so that the report's own hash covers the pictures it shows.
            "photos": [{"kind": p.kind.value, "taken_at": local(p.taken_at, site), "sha256": p.sha256} for p in photos],
            **customer_notes(story, resolved, site),
        },
        images={
            **signature(confirmation.signature_png if confirmation else None),
            **{f"photo_{number}": p.content for number, p in enumerate(photos, start=1)},
        },
        words={
            **ticket_words(story.opened),
            "pause": [p["reason"] for p in paused],
            "photo": [p.kind.value for p in photos],
        },
    )


def customer_notes(story: Story, resolved: TicketResolved, site: Site) -> dict[str, Any]:
    """The notes staff wrote for the customer during this visit (after the previous resolution, up to
    this one), as the report carries them: none, no `notes` at all (reports filed before notes existed
    read the same)."""
    earlier = [r.resolved_at for r in story.all(TicketResolved) if r.resolved_at < resolved.resolved_at]
    since = max(earlier, default=None)
    notes = [
        {"written_at": local(note.written_at, site), "author": note.author, "text": note.text}
        for note in story.all(TicketNoted)
        if note.for_customer and (since is None or note.written_at > since) and note.written_at <= resolved.resolved_at
    ]
    return {"notes": notes} if notes else {}


def of_this_visit(photos: Sequence[Photo], story: Story, resolved: TicketResolved) -> list[Photo]:
    """The photos a report shows: taken after the ticket's previous resolution (a reopened ticket's
    first visit has its own report) and by this one."""
    earlier = [r.resolved_at for r in story.all(TicketResolved) if r.resolved_at < resolved.resolved_at]
    since = max(earlier, default=None)
    return [p for p in photos if (since is None or p.taken_at > since) and p.taken_at <= resolved.resolved_at]


def follow_up_record(call: FollowUpRecorded, story: Story, site: Site) -> Draft:
    """The follow-up record (客户回访记录单): who was called, when, and what they said."""
    resolved = story.last(TicketResolved)
    return draft(
        Category.FOLLOW_UP,
        "Follow-up record",
        site,
        call.called_at,
        ticket_id=call.ticket_id,
        source=f"{call.message_type}:{call.cycle}:{call.attempt}",
        form="follow_up_record",
        content={
            **ticket_facts(story.opened, site, call.ticket_id),
            "work_done": resolved.summary if resolved else None,
            "called": story.opened.reporter.model_dump(mode="json") if story.opened else None,
            "caller": call.caller,
            "called_at": local(call.called_at, site),
            "cycle": call.cycle,
            "attempt": call.attempt,
            "reached": call.reached,
            "satisfaction": call.satisfaction,
            "comments": call.comments,
            "outcome": call.outcome,
            "late": call.late,
        },
        words={**ticket_words(story.opened), "outcome": [call.outcome]},
    )
