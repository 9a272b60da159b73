"""Dispatch's HTTP API for what comes after the work: the follow-up calls and the periodic reviews of
each site (the quality desk's cases: quality/handlers.py)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated, Any, cast

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from services.dispatch.common import customer_view, sites
from services.dispatch.followups import calls as followups
from services.dispatch.followups import repository as followup_rows
from services.dispatch.followups.domain.followup import Call, FollowUpStatus
from services.dispatch.followups.domain.review import Channel, Review, period_end, periods_of_year
from services.dispatch.settings import DispatchSettings
from shared.calendar_queries import Year
from shared.contracts.bounds import Code
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


class Answer(BaseModel):
    """The customer's own answer to the follow-up."""

    model_config = ConfigDict(extra="forbid")

    satisfaction: int = Field(ge=1, le=5, description="1 (very dissatisfied) to 5 (very satisfied).")
    comments: Text | None = Field(default=None, description="Their opinions, suggestions, complaints.")


CUSTOMER = "customer"


@router.post("/tickets/{ticket_id}/follow-up/answer")
async def answer_follow_up(
    ticket_id: str, answer: Answer, database: Database, actor: Actor, settings: Settings
) -> dict[str, Any]:
    """The customer's representative answers the follow-up themselves (from the console, or its link in
    an e-mail): it counts as the follow-up call, and decides as one does (satisfied closes the ticket,
    dissatisfied reopens it and opens a quality case)."""
    try:
        async with database.unit_of_work() as uow:
            outcome = await followups.record_call(
                uow,
                ticket_id,
                Call(True, answer.satisfaction, answer.comments),
                attempts_allowed=settings.follow_up_attempts,
                caller=actor,
                now=datetime.now(UTC),
                answered_by=CUSTOMER,
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
            timezone = await sites.timezone_of(uow.connection, site_code)
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
