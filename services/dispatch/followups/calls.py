"""The follow-up call after every job, and the periodic review of each site: the use cases behind
`POST /tickets/{id}/follow-up` and `POST /sites/{site}/reviews`, and the expiry of follow-ups not
made in time."""

from __future__ import annotations

from datetime import datetime

from services.dispatch.followups import repository as followups
from services.dispatch.followups.domain.followup import (
    Call,
    CallRefused,
    FollowUpStatus,
    Outcome,
    outcome_of,
    reopening_reason,
)
from services.dispatch.followups.domain.review import Review, check_review, period_of
from services.dispatch.quality.desk import open_case
from services.dispatch.quality.domain import Origin, Severity
from services.dispatch.tickets import repository
from services.dispatch.tickets.domain.lifecycle import Action, Status
from services.dispatch.tickets.moves import move_ticket
from shared.contracts import FollowUpMissed, FollowUpRecorded, SiteReviewed
from shared.contracts.followups import LOWEST_SATISFIED
from shared.messaging.unit_of_work import UnitOfWork
from shared.refusals import Refused

SYSTEM = "dispatch"


async def record_call(
    uow: UnitOfWork,
    ticket_id: str,
    call: Call,
    *,
    attempts_allowed: int,
    caller: str,
    now: datetime,
    answered_by: str | None = None,
) -> Outcome:
    """Record one follow-up call, or the customer's own answer (`answered_by` customer), and do what the
    customer's answer decides."""
    ticket = await repository.ticket_for_update(uow.connection, ticket_id)
    if ticket is None:
        raise Refused("unknown_ticket", f"dispatch has no ticket {ticket_id!r}")
    follow_up = await followups.latest(uow.connection, ticket_id, lock=True)
    pending = (FollowUpStatus.DUE, FollowUpStatus.MISSED)
    if ticket.status is not Status.RESOLVED or follow_up is None or follow_up.status not in pending:
        raise Refused("no_follow_up_due", f"ticket {ticket_id} is {ticket.status.value}: no follow-up call is due")
    attempt = follow_up.attempts + 1
    try:
        outcome = outcome_of(call, attempt, attempts_allowed)
    except CallRefused as refused:
        raise Refused("invalid_call", str(refused)) from refused
    await followups.record_call(
        uow.connection, follow_up, call, caller=caller, at=now, outcome=outcome, answered_by=answered_by
    )
    uow.publish(
        FollowUpRecorded(
            ticket_id=ticket_id,
            site_code=ticket.site_code,
            cycle=follow_up.cycle,
            attempt=attempt,
            reached=call.reached,
            satisfaction=call.satisfaction,
            comments=call.comments,
            caller=caller,
            called_at=now,
            outcome=outcome.value,
            late=now > follow_up.due_at,
            answered_by=answered_by,
        ),
        correlation_id=ticket_id,
    )
    match outcome:
        case Outcome.SATISFIED:
            await move_ticket(uow, ticket_id, Action.CLOSE, at=now, now=now, actor=caller)
        case Outcome.UNREACHED:
            note = f"customer not reached after {attempt} follow-up calls"
            facts = {"unreached_after": attempt}
            await move_ticket(uow, ticket_id, Action.CLOSE, at=now, now=now, actor=caller, reason=note, facts=facts)
        case Outcome.DISSATISFIED:
            reason = reopening_reason(call)
            facts = {"satisfaction": call.satisfaction, "comments": (call.comments or "").strip() or None}
            await move_ticket(uow, ticket_id, Action.REOPEN, at=now, now=now, actor=caller, reason=reason, facts=facts)
            await open_case(
                uow,
                site_code=ticket.site_code,
                ticket_id=ticket_id,
                origin=Origin.LOW_FOLLOW_UP_SCORE,
                severity=Severity.MEDIUM,
                summary=reason,
                at=now,
                actor=SYSTEM,
            )
    return outcome


async def expire_overdue(uow: UnitOfWork, *, now: datetime, limit: int) -> int:
    """Mark follow-ups not made by their time as missed (they can still be made); returns how many."""
    overdue = await followups.claim_overdue(uow.connection, now, limit)
    await followups.mark_missed(uow.connection, overdue)
    for row in overdue:
        uow.publish(
            FollowUpMissed(ticket_id=row.ticket_id, site_code=row.site_code, cycle=row.cycle, due_at=row.due_at),
            correlation_id=row.ticket_id,
        )
    return len(overdue)


async def record_review(
    uow: UnitOfWork, site_code: str, review: Review, *, months: int, reviewer: str, now: datetime, timezone: str
) -> str:
    """Record a periodic satisfaction review of a site; returns its period. A low score goes to the
    quality desk as a case."""
    try:
        check_review(review)
    except CallRefused as refused:
        raise Refused("invalid_review", str(refused)) from refused
    period = review.period or period_of(now, timezone, months)
    await followups.add_review(
        uow.connection,
        site_code=site_code,
        period=period,
        channel=review.channel,
        reached=review.reached,
        satisfaction=review.satisfaction,
        comments=review.comments,
        reviewer=reviewer,
        reviewed_at=now,
    )
    uow.publish(
        SiteReviewed(
            site_code=site_code,
            period=period,
            channel=review.channel,
            reached=review.reached,
            satisfaction=review.satisfaction,
            comments=review.comments,
            reviewer=reviewer,
            reviewed_at=now,
        ),
        correlation_id=f"{site_code}-review-{period}",
    )
    if review.satisfaction is not None and review.satisfaction < LOWEST_SATISFIED:
        await open_case(
            uow,
            site_code=site_code,
            ticket_id=None,
            origin=Origin.LOW_REVIEW_SCORE,
            severity=Severity.HIGH,
            summary=f"{period} review, satisfaction {review.satisfaction}/5: {review.comments or ''}".rstrip(": "),
            at=now,
            actor=SYSTEM,
        )
    return period
