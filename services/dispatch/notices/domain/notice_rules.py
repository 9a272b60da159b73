"""Which events tell whom: each function takes an event (and what dispatch knows of its ticket) and
returns the notices it gives rise to, each naming its recipients; `decided` makes one the event
`notice.decided`, with whether each engineer named is on duty (the roster's answer).

- the engineer, on assignment; on reassignment the new engineer, and the one taken off it;
- the engineer who holds the ticket and the site's managers, on an SLA warning;
- the managers and the quality desk, on a breach; the managers, on a vendor's breach;
- the managers, when nobody can take a ticket, and when a follow-up call is due or was missed;
- the site's customer representatives, when a follow-up is due: they may answer it themselves;
- the engineer who holds the ticket (the managers when nobody does), when the customer comments on it;
- the engineer who held a repeat report, when it joins the open ticket of its problem;
- whom a step of the site's paging chain wakes (the backup on call, a named engineer, the managers),
  when nobody has accepted a ticket since its response clock warned;
- the quality desk, on a low satisfaction score.

A webhook subscription's owner is told by the notify service itself, from `webhook.paused`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from shared.contracts import (
    FollowUpDue,
    FollowUpMissed,
    FollowUpRecorded,
    SlaBreached,
    SlaVendorBreached,
    SlaWarning,
    TicketAssigned,
    TicketAwaitingAssignment,
    TicketLinked,
    TicketNoted,
    TicketPaged,
)
from shared.contracts.followups import LOWEST_SATISFIED
from shared.contracts.notices import Audience, FactValue, NoticeDecided, NoticeKind, Recipient
from shared.contracts.tickets import LinkRelation
from shared.contracts.vocabulary import Priority

NEVER_WAITS = frozenset({NoticeKind.SLA_BREACHED, NoticeKind.VENDOR_BREACHED, NoticeKind.PAGED})


@dataclass(frozen=True)
class TicketFacts:
    """What dispatch knows of the ticket a notice is about."""

    ticket_id: str
    site_code: str
    subsystem: str
    priority: str
    engineer_id: str | None  # who holds it now


Facts = dict[str, FactValue]


@dataclass(frozen=True)
class Notice:
    """Something to tell its recipients. `key` names what it is about, so that the same thing told twice
    (an event delivered again, or published twice) reaches each person once."""

    kind: NoticeKind
    key: str
    recipients: tuple[Recipient, ...]
    facts: Mapping[str, FactValue]
    ticket_id: str
    site_code: str
    urgent: bool


def urgent(kind: NoticeKind, priority: str | None) -> bool:
    """Breaches and pages never wait; nor does anything about a critical ticket."""
    return kind in NEVER_WAITS or priority == Priority.CRITICAL


def engineer(engineer_id: str) -> Recipient:
    return Recipient(audience=Audience.ENGINEER, who=engineer_id)


MANAGERS = Recipient(audience=Audience.MANAGERS)
QUALITY = Recipient(audience=Audience.QUALITY)
CUSTOMERS = Recipient(audience=Audience.CUSTOMERS)


def _notice(kind: NoticeKind, key: str, ticket: TicketFacts, facts: Facts, *recipients: Recipient) -> Notice:
    return Notice(
        kind=kind, key=key, recipients=recipients, ticket_id=ticket.ticket_id, site_code=ticket.site_code,
        urgent=urgent(kind, ticket.priority),
        facts={
            "ticket": ticket.ticket_id, "site": ticket.site_code, "subsystem": ticket.subsystem,
            "priority": ticket.priority, **facts,
        },
    )  # fmt: skip


def engineers_named(notices: list[Notice]) -> set[str]:
    """The engineers whose duty the notices need to know."""
    return {r.who for n in notices for r in n.recipients if r.audience is Audience.ENGINEER and r.who}


def decided(notice: Notice, on_duty: Mapping[str, bool], now: datetime) -> NoticeDecided:
    """The notice as the event `notice.decided`: each engineer with whether they are on shift or on call
    now (`on_duty`; one it does not name, no longer on the roster, as not on duty); an office role unsaid."""
    recipients = [
        r.model_copy(update={"on_duty": on_duty.get(r.who, False)}) if r.audience is Audience.ENGINEER and r.who else r
        for r in notice.recipients
    ]
    return NoticeDecided(
        notice_key=notice.key, kind=notice.kind, urgent=notice.urgent, ticket_id=notice.ticket_id,
        site_code=notice.site_code, facts=dict(notice.facts), recipients=recipients, decided_at=now,
    )  # fmt: skip


def on_assigned(event: TicketAssigned, ticket: TicketFacts) -> list[Notice]:
    key = f"assigned:{event.ticket_id}:{event.engineer_id}:{event.assigned_at.isoformat()}"
    facts: Facts = {"engineer": event.engineer_name, "rule": event.rule, "reason": event.reason}
    notices = [_notice(NoticeKind.ASSIGNED, key, ticket, facts, engineer(event.engineer_id))]
    if event.previous_engineer_id and event.previous_engineer_id != event.engineer_id:
        notices.append(_notice(NoticeKind.TAKEN_OFF, key, ticket, facts, engineer(event.previous_engineer_id)))
    return notices


def on_sla_warning(event: SlaWarning, ticket: TicketFacts) -> list[Notice]:
    key = f"sla_warning:{event.ticket_id}:{event.clock}:{event.cycle}:{event.fraction}"  # a policy may warn twice
    facts: Facts = {
        "clock": event.clock.value,
        "due": event.due_at.isoformat(),
        "minutes": round(event.remaining_minutes),
    }
    holder = (engineer(ticket.engineer_id),) if ticket.engineer_id is not None else ()
    return [_notice(NoticeKind.SLA_WARNING, key, ticket, facts, MANAGERS, *holder)]


def on_sla_breached(event: SlaBreached, ticket: TicketFacts) -> list[Notice]:
    key = f"sla_breached:{event.ticket_id}:{event.clock}:{event.cycle}"
    facts: Facts = {"clock": event.clock.value, "due": event.due_at.isoformat(), "minutes": event.target_minutes}
    return [_notice(NoticeKind.SLA_BREACHED, key, ticket, facts, MANAGERS, QUALITY)]


def on_vendor_breached(event: SlaVendorBreached, ticket: TicketFacts) -> list[Notice]:
    key = f"vendor_breached:{event.ticket_id}:{event.partner}:{event.case_number}:{event.clock}"
    facts: Facts = {
        "clock": event.clock.value, "due": event.due_at.isoformat(), "partner": event.partner, "case": event.case_number
    }  # fmt: skip
    return [_notice(NoticeKind.VENDOR_BREACHED, key, ticket, facts, MANAGERS)]


def on_awaiting_assignment(event: TicketAwaitingAssignment, ticket: TicketFacts) -> list[Notice]:
    key = f"awaiting_assignment:{event.ticket_id}:{event.since.isoformat()}"
    facts: Facts = {"why": event.why, "cause": event.cause}
    return [_notice(NoticeKind.AWAITING_ASSIGNMENT, key, ticket, facts, MANAGERS)]


def on_follow_up_due(event: FollowUpDue, ticket: TicketFacts) -> list[Notice]:
    """The desk is to call the customer back; the customer may answer first, from the console."""
    desk = QUALITY if event.desk == "quality" else MANAGERS
    due: Facts = {"due": event.due_at.isoformat()}
    return [
        _notice(NoticeKind.FOLLOW_UP_DUE, f"follow_up_due:{event.ticket_id}:{event.cycle}", ticket, due, desk),
        _notice(NoticeKind.FOLLOW_UP_ASKED, f"follow_up_asked:{event.ticket_id}:{event.cycle}", ticket, {}, CUSTOMERS),
    ]


def on_ticket_noted(event: TicketNoted, ticket: TicketFacts) -> list[Notice]:
    """The customer wrote on their ticket: whoever holds it reads it (the managers when nobody does)."""
    if not event.by_customer:
        return []
    key = f"customer_commented:{event.ticket_id}:{event.written_at.isoformat()}"
    reader = engineer(ticket.engineer_id) if ticket.engineer_id else MANAGERS
    return [
        _notice(NoticeKind.CUSTOMER_COMMENTED, key, ticket, {"comments": event.text, "caller": event.author}, reader)
    ]


def on_follow_up_missed(event: FollowUpMissed, ticket: TicketFacts) -> list[Notice]:
    key = f"follow_up_missed:{event.ticket_id}:{event.cycle}"
    return [_notice(NoticeKind.FOLLOW_UP_MISSED, key, ticket, {"due": event.due_at.isoformat()}, MANAGERS)]


def on_follow_up_recorded(event: FollowUpRecorded, ticket: TicketFacts) -> list[Notice]:
    """The quality desk hears of a dissatisfied customer's score (below LOWEST_SATISFIED)."""
    if event.satisfaction is None or event.satisfaction >= LOWEST_SATISFIED:
        return []
    key = f"low_satisfaction:{event.ticket_id}:{event.cycle}:{event.attempt}"
    facts: Facts = {"score": event.satisfaction, "comments": event.comments or "", "caller": event.caller}
    return [_notice(NoticeKind.LOW_SATISFACTION, key, ticket, facts, QUALITY)]


def on_ticket_linked(event: TicketLinked, ticket: TicketFacts) -> list[Notice]:
    """A report its engineer held joined another ticket: they need not act on it any more."""
    if event.relation is not LinkRelation.MERGED_INTO or event.released_engineer_id is None:
        return []
    key = f"merged:{event.ticket_id}"
    facts: Facts = {"linked": event.linked_ticket_id}
    return [_notice(NoticeKind.MERGED, key, ticket, facts, engineer(event.released_engineer_id))]


def on_paged(event: TicketPaged, ticket: TicketFacts) -> list[Notice]:
    """A step of the paging chain: whom it wakes sees that the ticket is taken up."""
    key = f"paged:{event.ticket_id}:{event.step}:{event.paged_at.isoformat()}"  # a chain may begin again
    facts: Facts = {
        "holder": event.holder_engineer_name or event.holder_engineer_id, "due": event.due_at.isoformat(),
        "to": event.to.value,
    }  # fmt: skip
    woken = engineer(event.engineer_id) if event.engineer_id is not None else MANAGERS
    return [_notice(NoticeKind.PAGED, key, ticket, facts, woken)]
