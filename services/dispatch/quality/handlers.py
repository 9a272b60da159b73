"""Dispatch's HTTP API of the quality desk: its cases, taking one, reporting it on, and answering it."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter
from pydantic import BaseModel, Field, StringConstraints

from services.dispatch.quality import desk as quality_desk
from services.dispatch.quality import repository as quality
from services.dispatch.quality.domain import CaseStatus, EscalatedTo
from shared.contracts.bounds import Identifier, Name
from shared.http import Actor, Database, Problem
from shared.refusals import Refused

router = APIRouter(tags=["dispatch: after the work"])

STATUSES = {"unknown_ticket": 404, "unknown_case": 404, "unknown_site": 404, "no_follow_up_due": 409}
STATUSES |= {"case_refused": 409, "follow_up_pending": 409, "move_refused": 409}

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]


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
