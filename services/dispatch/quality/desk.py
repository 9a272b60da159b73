"""The quality desk's work: the use cases behind its cases.

A complaint opens a case when it reaches the desk; a low follow-up or review score opens one too. The
desk takes a case (never the engineer it is about), reports it to the general manager or the service
manager as the case needs, records what was done, and answers the customer. Answering a complaint
resolves its ticket with the answer as the summary; the desk's own follow-up call then closes it.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Any

from sqlalchemy import Row

from services.dispatch.quality import repository as quality
from services.dispatch.quality.domain import (
    SEVERITY_OF_PRIORITY,
    CaseRefused,
    CaseStatus,
    EscalatedTo,
    Origin,
    Severity,
    check_open,
    check_owner,
    default_escalation,
)
from services.dispatch.tickets.domain.lifecycle import Action, MoveRefused, Refusal
from services.dispatch.tickets.moves import move_ticket
from shared.contracts import Priority, QualityCaseAnswered, QualityCaseEscalated, QualityCaseOpened
from shared.messaging.unit_of_work import UnitOfWork
from shared.refusals import Refused


async def open_case(
    uow: UnitOfWork,
    *,
    site_code: str,
    ticket_id: str | None,
    origin: Origin,
    severity: Severity,
    summary: str,
    at: datetime,
    actor: str,
) -> int:
    case_id = await quality.open_case(
        uow.connection,
        site_code=site_code,
        ticket_id=ticket_id,
        origin=origin,
        severity=severity,
        summary=summary,
        at=at,
        actor=actor,
    )
    uow.publish(
        QualityCaseOpened(
            case_id=case_id,
            site_code=site_code,
            ticket_id=ticket_id,
            origin=origin.value,
            severity=severity.value,
            summary=summary,
            opened_at=at,
        ),
        correlation_id=ticket_id or f"{site_code}-quality-{case_id}",
    )
    return case_id


async def open_complaint_case(
    uow: UnitOfWork, *, site_code: str, ticket_id: str, priority: Priority, summary: str, at: datetime, actor: str
) -> int:
    """A complaint reached the quality desk: its case, once."""
    existing = await quality.open_case_of_ticket(uow.connection, ticket_id, Origin.COMPLAINT)
    if existing is not None:
        return int(existing.case_id)
    return await open_case(
        uow,
        site_code=site_code,
        ticket_id=ticket_id,
        origin=Origin.COMPLAINT,
        severity=SEVERITY_OF_PRIORITY[priority],
        summary=summary,
        at=at,
        actor=actor,
    )


async def take(
    uow: UnitOfWork, case_id: int, *, owner: str, subject_engineer_id: str | None, actor: str, now: datetime
) -> None:
    """Give the case an owner at the desk (and say whom a complaint is about, if anyone)."""
    row = await _case(uow, case_id)
    subject = subject_engineer_id or row.subject_engineer_id
    case = quality.as_case(row)
    try:
        check_open(case)
        check_owner(replace(case, subject_engineer_id=subject), owner)
    except CaseRefused as refused:
        raise Refused("case_refused", str(refused)) from refused
    await quality.change(uow.connection, case_id, owner=owner, subject_engineer_id=subject)
    about = f"; about {subject}" if subject else ""
    await quality.note(uow.connection, case_id, action="taken", actor=actor, text=f"owner {owner}{about}", at=now)


async def escalate(
    uow: UnitOfWork, case_id: int, *, to: EscalatedTo | None, reason: str, actor: str, now: datetime
) -> EscalatedTo:
    row = await _case(uow, case_id)
    try:
        check_open(quality.as_case(row))
    except CaseRefused as refused:
        raise Refused("case_refused", str(refused)) from refused
    reported_to = to or default_escalation(Severity(row.severity))
    await quality.change(
        uow.connection, case_id, status=CaseStatus.ESCALATED, escalated_to=reported_to, escalated_at=now
    )
    await quality.note(
        uow.connection, case_id, action="escalated", actor=actor, text=f"to the {reported_to.value}: {reason}", at=now
    )
    uow.publish(
        QualityCaseEscalated(
            case_id=case_id,
            site_code=row.site_code,
            ticket_id=row.ticket_id,
            escalated_to=reported_to.value,
            reason=reason,
            actor=actor,
            escalated_at=now,
        ),
        correlation_id=row.ticket_id or f"{row.site_code}-quality-{case_id}",
    )
    return reported_to


async def answer(uow: UnitOfWork, case_id: int, *, handling: str, answer_given: str, actor: str, now: datetime) -> None:
    """Record what was done and the answer given to the customer; a complaint's ticket is resolved."""
    row = await _case(uow, case_id)
    case = quality.as_case(row)
    try:
        check_open(case)
        if case.owner is None:
            raise CaseRefused(f"case {case_id} has no owner yet: someone at the quality desk takes it first")
    except CaseRefused as refused:
        raise Refused("case_refused", str(refused)) from refused
    await quality.change(
        uow.connection, case_id, status=CaseStatus.ANSWERED, handling=handling, answer=answer_given, answered_at=now
    )
    await quality.note(uow.connection, case_id, action="answered", actor=actor, text=answer_given, at=now)
    uow.publish(
        QualityCaseAnswered(
            case_id=case_id,
            site_code=row.site_code,
            ticket_id=row.ticket_id,
            origin=row.origin,
            severity=row.severity,
            owner=str(case.owner),
            handling=handling,
            answer=answer_given,
            escalated_to=row.escalated_to,
            answered_at=now,
        ),
        correlation_id=row.ticket_id or f"{row.site_code}-quality-{case_id}",
    )
    if row.origin == Origin.COMPLAINT and row.ticket_id is not None:
        try:
            await move_ticket(uow, row.ticket_id, Action.RESOLVE, at=now, now=now, actor=actor, summary=answer_given)
        except MoveRefused as refused:
            if refused.refusal is not Refusal.NOT_IN_THIS_STATE:
                raise
            # the complaint's ticket was resolved another way already; the case stands answered


async def _case(uow: UnitOfWork, case_id: int) -> Row[Any]:
    row = await quality.case_for_update(uow.connection, case_id)
    if row is None:
        raise Refused("unknown_case", f"the quality desk has no case {case_id}")
    return row
