"""Which events tell whom: each function takes an event (and what dispatch knows of its ticket) and
returns the notices it gives rise to.

- the engineer, on assignment; on reassignment the new engineer, and the one taken off it;
- the engineer who holds the ticket and the site's managers, on an SLA warning;
- the managers and the quality desk, on a breach; the managers, on a vendor's breach;
- the managers, when nobody can take a ticket, and when a follow-up call is due or was missed;
- the quality desk, on a low satisfaction score;
- a webhook subscription's owner, when their receiver was given up on.
"""

from __future__ import annotations

from dataclasses import dataclass

from services.dispatch.notifications.domain.notices import Audience, Notice, NoticeKind, urgent
from shared.contracts import (
    FollowUpDue,
    FollowUpMissed,
    FollowUpRecorded,
    SlaBreached,
    SlaVendorBreached,
    SlaWarning,
    TicketAssigned,
    TicketAwaitingAssignment,
)
from shared.contracts.followups import LOWEST_SATISFIED
from shared.contracts.webhooks import WebhookPaused


@dataclass(frozen=True)
class TicketFacts:
    """What dispatch knows of the ticket a notice is about."""

    ticket_id: str
    site_code: str
    subsystem: str
    priority: str
    engineer_id: str | None  # who holds it now


Facts = dict[str, str | int | float | None]


def _notice(
    kind: NoticeKind, audience: Audience, key: str, ticket: TicketFacts, facts: Facts, whom: str | None = None
) -> Notice:
    return Notice(
        kind=kind, audience=audience, key=key, ticket_id=ticket.ticket_id, site_code=ticket.site_code, whom=whom,
        urgent=urgent(kind, ticket.priority),
        facts={"ticket": ticket.ticket_id, "site": ticket.site_code, "subsystem": ticket.subsystem, **facts},
    )  # fmt: skip


def on_assigned(event: TicketAssigned, ticket: TicketFacts) -> list[Notice]:
    key = f"assigned:{event.ticket_id}:{event.engineer_id}:{event.assigned_at.isoformat()}"
    facts: Facts = {"engineer": event.engineer_name, "reason": event.reason}
    notices = [_notice(NoticeKind.ASSIGNED, Audience.ENGINEER, key, ticket, facts, event.engineer_id)]
    if event.previous_engineer_id and event.previous_engineer_id != event.engineer_id:
        notices.append(_notice(NoticeKind.TAKEN_OFF, Audience.ENGINEER, key, ticket, facts, event.previous_engineer_id))
    return notices


def on_sla_warning(event: SlaWarning, ticket: TicketFacts) -> list[Notice]:
    key = f"sla_warning:{event.ticket_id}:{event.clock}:{event.cycle}:{event.fraction}"  # a policy may warn twice
    facts: Facts = {
        "clock": event.clock.value,
        "due": event.due_at.isoformat(),
        "minutes": round(event.remaining_minutes),
    }
    notices = [_notice(NoticeKind.SLA_WARNING, Audience.MANAGERS, key, ticket, facts)]
    if ticket.engineer_id is not None:
        notices.append(_notice(NoticeKind.SLA_WARNING, Audience.ENGINEER, key, ticket, facts, ticket.engineer_id))
    return notices


def on_sla_breached(event: SlaBreached, ticket: TicketFacts) -> list[Notice]:
    key = f"sla_breached:{event.ticket_id}:{event.clock}:{event.cycle}"
    facts: Facts = {"clock": event.clock.value, "due": event.due_at.isoformat(), "minutes": event.target_minutes}
    return [
        _notice(NoticeKind.SLA_BREACHED, audience, key, ticket, facts)
        for audience in (Audience.MANAGERS, Audience.QUALITY)
    ]


def on_vendor_breached(event: SlaVendorBreached, ticket: TicketFacts) -> list[Notice]:
    key = f"vendor_breached:{event.ticket_id}:{event.partner}:{event.case_number}:{event.clock}"
    facts: Facts = {
        "clock": event.clock.value, "due": event.due_at.isoformat(), "partner": event.partner, "case": event.case_number
    }  # fmt: skip
    return [_notice(NoticeKind.VENDOR_BREACHED, Audience.MANAGERS, key, ticket, facts)]


def on_awaiting_assignment(event: TicketAwaitingAssignment, ticket: TicketFacts) -> list[Notice]:
    key = f"awaiting_assignment:{event.ticket_id}:{event.since.isoformat()}"
    return [_notice(NoticeKind.AWAITING_ASSIGNMENT, Audience.MANAGERS, key, ticket, {"why": event.why})]


def on_follow_up_due(event: FollowUpDue, ticket: TicketFacts) -> list[Notice]:
    key = f"follow_up_due:{event.ticket_id}:{event.cycle}"
    audience = Audience.QUALITY if event.desk == "quality" else Audience.MANAGERS
    return [_notice(NoticeKind.FOLLOW_UP_DUE, audience, key, ticket, {"due": event.due_at.isoformat()})]


def on_follow_up_missed(event: FollowUpMissed, ticket: TicketFacts) -> list[Notice]:
    key = f"follow_up_missed:{event.ticket_id}:{event.cycle}"
    return [_notice(NoticeKind.FOLLOW_UP_MISSED, Audience.MANAGERS, key, ticket, {"due": event.due_at.isoformat()})]


def on_follow_up_recorded(event: FollowUpRecorded, ticket: TicketFacts) -> list[Notice]:
    """The quality desk hears of a dissatisfied customer's score (below LOWEST_SATISFIED)."""
    if event.satisfaction is None or event.satisfaction >= LOWEST_SATISFIED:
        return []
    key = f"low_satisfaction:{event.ticket_id}:{event.cycle}:{event.attempt}"
    facts: Facts = {"score": event.satisfaction, "comments": event.comments or "", "caller": event.caller}
    return [_notice(NoticeKind.LOW_SATISFACTION, Audience.QUALITY, key, ticket, facts)]


def on_webhook_paused(event: WebhookPaused) -> list[Notice]:
    return [
        Notice(
            kind=NoticeKind.WEBHOOK_PAUSED, audience=Audience.PERSON, key=f"webhook_paused:{event.subscription_id}:"
            f"{event.paused_at.isoformat()}", site_code=event.site_code, whom=event.owner,
            facts={"site": event.site_code, "url": event.url, "why": event.why},
        )
    ]  # fmt: skip
