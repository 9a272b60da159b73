"""Dispatch's HTTP API for what comes after the work: the follow-up calls, the periodic reviews of each
site, and the quality desk's cases."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated, Any, cast

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from services.dispatch import followups, quality_desk
from services.dispatch.db import followups as followup_rows
from services.dispatch.db import quality, roster
from services.dispatch.domain import customer_view
from services.dispatch.domain.followup import Call, FollowUpStatus
from services.dispatch.domain.quality import CaseStatus, EscalatedTo
from services.dispatch.domain.review import Channel, Review, period_end, periods_of_year
from services.dispatch.settings import DispatchSettings
from shared.calendar_queries import Year
from shared.contracts.bounds import Code, Identifier, Name
from shared.http import Actor, Caller, Database, Problem
from shared.refusals import Refused

router = APIRouter(tags=["dispatch: after the work"])

STATUSES = {"unknown_ticket": 404, "unknown_case": 404, "unknown_site": 404, "no_follow_up_due": 409}
STATUSES |= {"case_refused": 409, "follow_up_pending": 409, "move_refused": 409}

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]


async def _settings(request: Request) -> DispatchSettings:
    return cast(DispatchSettings, request.app.state.runtime.settings)


Settings = Annotated[DispatchSettings, Depends(_settings)]


class CallRecord(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reached: bool
    satisfaction: int | None = Field(default=None, description="1 (very dissatisfied) to 5 (very satisfied).")
    comments: Text | None = Field(default=None, description="The customer's opinions, suggestions, complaints.")


@router.get("/follow-ups")
async def list_follow_ups(
    database: Database, status: FollowUpStatus | None = None, site_code: str | None = None
) -> list[dict[str, Any]]:
    """Follow-up calls, earliest due first: `status=due` is today's list, `missed` those not made in time."""
    async with database.connect() as connection:
        return await followup_rows.listing(connection, status=status, site_code=site_code)


@router.post("/tickets/{ticket_id}/follow-up")
async def record_follow_up(
    ticket_id: str, call: CallRecord, database: Database, actor: Actor, settings: Settings
) -> dict[str, Any]:
    """Record a follow-up call. Satisfied (3-5) closes the ticket; dissatisfied (1-2) reopens it with the
    customer's words and opens a case at the quality desk; unreached after the last attempt closes it."""
    try:
        async with database.unit_of_work() as uow:
            outcome = await followups.record_call(
                uow,
                ticket_id,
                Call(call.reached, call.satisfaction, call.comments),
                attempts_allowed=settings.follow_up_attempts,
                caller=actor,
                now=datetime.now(UTC),
            )
    except Refused as refused:
        raise Problem.of(refused, STATUSES) from refused
    return {"ticket_id": ticket_id, "outcome": outcome.value}


@router.get("/tickets/{ticket_id}/follow-up")
async def follow_up_calls(ticket_id: str, database: Database, caller: Caller) -> list[dict[str, Any]]:
    """Every follow-up call of the ticket, in order (a customer sees when it was called, not the scores)."""
    async with database.connect() as connection:
        found = await followup_rows.calls_of(connection, ticket_id)
    return customer_view.follow_up_calls(found) if caller.customer_only else found


class ReviewRecord(BaseModel):
    model_config = ConfigDict(extra="forbid")

    channel: Channel
    reached: bool
    satisfaction: int | None = None
    comments: Text | None = None
    period: Code | None = Field(default=None, description="e.g. 2026-Q4; default: the current period.")


@router.post("/sites/{site_code}/reviews", status_code=201)
async def record_review(
    site_code: str, review: ReviewRecord, database: Database, actor: Actor, settings: Settings
) -> dict[str, Any]:
    """Record the periodic satisfaction review of a site (a visit, a call, an e-mail)."""
    try:
        async with database.unit_of_work() as uow:
            timezone = await roster.timezone_of(uow.connection, site_code)
            if timezone is None:
                raise Refused("unknown_site", f"dispatch knows no site {site_code!r}")
            period = await followups.record_review(
                uow,
                site_code,
                Review(review.channel, review.reached, review.satisfaction, review.comments, review.period),
                months=settings.review_months,
                reviewer=actor,
                now=datetime.now(UTC),
                timezone=timezone,
            )
    except Refused as refused:
        raise Problem.of(refused, STATUSES) from refused
    return {"site_code": site_code, "period": period}


@router.get("/sites/{site_code}/reviews")
async def site_reviews(
    site_code: str, year: Year, database: Database, settings: Settings, caller: Caller
) -> list[dict[str, Any]]:
    """Each review period of the year: due by when, the reviews recorded, and whether one was made (a
    customer sees whether, not the reviews: they are the quality desk's)."""
    periods = periods_of_year(year, settings.review_months)
    async with database.connect() as connection:
        recorded = await followup_rows.reviews_of(connection, site_code, periods)
    today = date.today()
    answer = []
    for period in periods:
        reviews = [r for r in recorded if r["period"] == period]
        due_by = period_end(period)
        state = "done" if any(r["reached"] for r in reviews) else ("missed" if due_by < today else "due")
        shown = [] if caller.customer_only else reviews
        answer.append({"period": period, "due_by": due_by, "status": state, "reviews": shown})
    return answer


@router.get("/quality/cases")
async def list_cases(
    database: Database, status: CaseStatus | None = None, site_code: str | None = None
) -> list[dict[str, Any]]:
    """The quality desk's cases: complaints and low satisfaction scores, oldest first."""
    async with database.connect() as connection:
        return await quality.cases(connection, status=status, site_code=site_code)


@router.get("/quality/cases/{case_id}")
async def get_case(case_id: int, database: Database) -> dict[str, Any]:
    """A case and everything done about it: who took it, whom it was reported to, the answer."""
    async with database.connect() as connection:
        found = await quality.case_with_history(connection, case_id)
    if found is None:
        raise Problem(404, "unknown_case", f"the quality desk has no case {case_id}")
    return found


class Taking(BaseModel):
    owner: Name = Field(min_length=1, description="Who at the quality desk handles it.")
    subject_engineer_id: Identifier | None = Field(
        default=None, description="The engineer a complaint is about, if any."
    )


@router.post("/quality/cases/{case_id}/take")
async def take_case(case_id: int, taking: Taking, database: Database, actor: Actor) -> dict[str, Any]:
    """Give the case an owner at the desk: never the engineer it is about."""
    try:
        async with database.unit_of_work() as uow:
            await quality_desk.take(
                uow,
                case_id,
                owner=taking.owner,
                subject_engineer_id=taking.subject_engineer_id,
                actor=actor,
                now=datetime.now(UTC),
            )
    except Refused as refused:
        raise Problem.of(refused, STATUSES) from refused
    return {"case_id": case_id, "owner": taking.owner}


class Escalation(BaseModel):
    to: EscalatedTo | None = Field(default=None, description="Default: the general manager for high severity.")
    reason: Text


@router.post("/quality/cases/{case_id}/escalate")
async def escalate_case(case_id: int, escalation: Escalation, database: Database, actor: Actor) -> dict[str, Any]:
    """Report the case to the general manager or the service manager."""
    try:
        async with database.unit_of_work() as uow:
            to = await quality_desk.escalate(
                uow, case_id, to=escalation.to, reason=escalation.reason, actor=actor, now=datetime.now(UTC)
            )
    except Refused as refused:
        raise Problem.of(refused, STATUSES) from refused
    return {"case_id": case_id, "escalated_to": to.value}


class Answer(BaseModel):
    handling: Text = Field(description="What was done about it.")
    answer: Text = Field(description="The answer given to the customer.")


@router.post("/quality/cases/{case_id}/answer")
async def answer_case(case_id: int, answer: Answer, database: Database, actor: Actor) -> dict[str, Any]:
    """Record the handling and the answer; a complaint's ticket is resolved, and followed up by the desk."""
    try:
        async with database.unit_of_work() as uow:
            await quality_desk.answer(
                uow, case_id, handling=answer.handling, answer_given=answer.answer, actor=actor, now=datetime.now(UTC)
            )
    except Refused as refused:
        raise Problem.of(refused, STATUSES) from refused
    return {"case_id": case_id, "status": "answered"}
