"""Tickets that belong together, as staff link them: a complaint to the job it is about, and a repeat
report of a problem to the open ticket that already has it (the repeat ends there: the other ticket
carries the work and its clocks). Each link has two sides, one per ticket, each named from its ticket.

A link is refused, with what to change, when it makes no sense: a ticket with itself, tickets of two
sites, a complaint's link from a ticket that is no complaint (or to another complaint), a second job
for one complaint, a merge of a complaint (it is about a job, not the job itself), of a report an
engineer has worked on (accepted, arrived, resolved: its record is its own), of a report older than
the ticket it would join (the older one carries the problem: merge the other way), or into a ticket
that is done or merged.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from services.dispatch.tickets.domain.lifecycle import Status, TicketState
from shared.contracts import LinkRelation, ServiceKind
from shared.refusals import Refused

ASKED = (LinkRelation.ABOUT, LinkRelation.MERGED_INTO)
"""The relations staff ask for; dispatch writes the other side of each."""

OTHER_SIDE = {
    LinkRelation.ABOUT: LinkRelation.COMPLAINED_OF,
    LinkRelation.COMPLAINED_OF: LinkRelation.ABOUT,
    LinkRelation.MERGED_INTO: LinkRelation.JOINED_BY,
    LinkRelation.JOINED_BY: LinkRelation.MERGED_INTO,
}

# A report nobody has worked on yet may join another ticket (and `worked_on` says nobody ever did: a
# reopened or reassigned ticket is assigned again); once an engineer accepted or arrived, the work and
# its record are this ticket's own.
MERGEABLE = frozenset({Status.NEW, Status.AWAITING_ASSIGNMENT, Status.ASSIGNED})
DONE = frozenset({Status.RESOLVED, Status.CLOSED})


@dataclass(frozen=True)
class Link:
    """One side of a link, as its ticket holds it."""

    ticket_id: str
    linked_ticket_id: str
    relation: LinkRelation


def check_link(
    ticket: TicketState,
    other: TicketState,
    relation: LinkRelation,
    links_of_ticket: Iterable[Link],
    links_of_other: Iterable[Link],
    *,
    worked_on: bool = False,
) -> bool:
    """Whether the link is new (False: it is there already, nothing to do); Refused when it makes no sense."""
    if relation not in ASKED:
        raise Refused("unknown_relation", f"link as one of {', '.join(ASKED)}; dispatch writes the other side itself")
    if ticket.ticket_id == other.ticket_id:
        raise Refused("same_ticket", f"{ticket.ticket_id} cannot be linked with itself")
    if ticket.site_code != other.site_code:
        raise Refused(
            "sites_differ",
            f"{ticket.ticket_id} is at site {ticket.site_code} and {other.ticket_id} at {other.site_code}: "
            "only tickets of one site belong together",
        )
    mine = list(links_of_ticket)
    if Link(ticket.ticket_id, other.ticket_id, relation) in mine:
        return False
    theirs = list(links_of_other)
    if relation is LinkRelation.ABOUT:
        _check_complaint(ticket, other, mine)
    else:
        _check_merge(ticket, other, mine, theirs, worked_on=worked_on)
    return True


def _check_complaint(complaint: TicketState, job: TicketState, links: list[Link]) -> None:
    if complaint.kind is not ServiceKind.COMPLAINT:
        raise Refused(
            "not_a_complaint",
            f"{complaint.ticket_id} is a {complaint.kind}: only a complaint is about another job "
            "(reclassify it as a complaint first, or link the other way round)",
        )
    if job.kind is ServiceKind.COMPLAINT:
        raise Refused("about_a_complaint", f"{job.ticket_id} is a complaint itself: link the job it is about")
    earlier = next((link for link in links if link.relation is LinkRelation.ABOUT), None)
    if earlier is not None:
        raise Refused(
            "already_about", f"{complaint.ticket_id} is about {earlier.linked_ticket_id} already: one job per complaint"
        )


def _check_merge(
    report: TicketState, into: TicketState, links: list[Link], links_of_into: list[Link], *, worked_on: bool
) -> None:
    earlier = next((link for link in links if link.relation is LinkRelation.MERGED_INTO), None)
    if earlier is not None:
        raise Refused("already_merged", f"{report.ticket_id} joined {earlier.linked_ticket_id} already")
    complaint = next((t for t in (report, into) if t.kind is ServiceKind.COMPLAINT), None)
    if complaint is not None:
        raise Refused(
            "complaint_not_merged",
            f"{complaint.ticket_id} is a complaint: link it to the job it is about instead of merging",
        )
    if report.status not in MERGEABLE or worked_on:
        raise Refused(
            "report_worked_on",
            f"{report.ticket_id} is {report.status}{' and was worked on' if worked_on else ''}: only a report "
            "nobody has accepted yet joins another ticket",
        )
    if into.status in DONE or any(link.relation is LinkRelation.MERGED_INTO for link in links_of_into):
        raise Refused(
            "target_done",
            f"{into.ticket_id} is {into.status if into.status in DONE else 'merged into another'}: "
            "merge into the ticket that still carries the problem",
        )
    if report.reported_at < into.reported_at:
        raise Refused(
            "report_older",
            f"{report.ticket_id} was reported before {into.ticket_id}: merge {into.ticket_id} into it instead",
        )
    if any(link.relation is LinkRelation.JOINED_BY for link in links):
        raise Refused(
            "has_joined_reports",
            f"other reports joined {report.ticket_id}: merge {into.ticket_id} into {report.ticket_id} instead",
        )
