"""The e-mail hotline's routes: the mails the service mailboxes received (the operator's list of those
waiting for them first), and the operator's triage of each (triage.py)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, cast
from uuid import UUID

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, Field, StringConstraints

from services.intake.mail import repository as rows
from services.intake.mail import triage
from services.intake.mail.taking import Outcome
from services.intake.settings import IntakeSettings
from shared.contracts import Priority, ServiceKind
from shared.http import Actor, Database, Problem
from shared.problems import documented

router = APIRouter(tags=["intake: e-mail hotline"])
STATUSES = {"unknown_mail": 404, "already_placed": 409, "unknown_ticket": 422}
Code = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=40)]


class MakeTicket(BaseModel):
    site_code: Code
    subsystem: Code | None = Field(None, description="The subsystem; none for a complaint or a question.")
    kind: ServiceKind | None = Field(None, description="The kind, if not the one the words suggest.")
    priority: Priority = Priority.NORMAL


class AddToTicket(BaseModel):
    ticket_id: Code


class Dismiss(BaseModel):
    reason: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]


@router.get("/mail")
async def list_mails(
    database: Database,
    status: Annotated[str | None, Query(max_length=20)] = None,
    site_code: Annotated[str | None, Query(max_length=40)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> list[dict[str, Any]]:
    """The mails received, newest first: `status=unmatched` for those waiting for the operator."""
    async with database.connect() as connection:
        return await rows.listed(connection, status=status, site_code=site_code, limit=limit)


@router.get("/mail/{mail_id}", responses={404: documented("No such mail.")})
async def get_mail(mail_id: UUID, database: Database) -> dict[str, Any]:
    async with database.connect() as connection:
        found = await rows.mail(connection, mail_id)
    if found is None:
        raise Problem(404, "unknown_mail", f"no mail {mail_id}")
    return found


@router.post("/mail/{mail_id}/ticket", responses={409: documented("The mail was placed already.")})
async def make_ticket(
    mail_id: UUID, body: MakeTicket, database: Database, actor: Actor, request: Request
) -> dict[str, Any]:
    """Open a ticket of a waiting mail at the site the operator chose."""
    settings = cast(IntakeSettings, request.app.state.runtime.settings)
    return await _triaged(
        database,
        lambda uow: triage.make_ticket(
            uow, mail_id, site_code=body.site_code, subsystem=body.subsystem, kind=body.kind,
            priority=body.priority, actor=actor, now=datetime.now(UTC), settings=settings,
        ),
    )  # fmt: skip


@router.post("/mail/{mail_id}/add-to-ticket", responses={409: documented("The mail was placed already.")})
async def add_to_ticket(mail_id: UUID, body: AddToTicket, database: Database, actor: Actor) -> dict[str, Any]:
    """Add a waiting mail to a ticket, as its customer's comment."""
    return await _triaged(
        database,
        lambda uow: triage.add_to_ticket(uow, mail_id, ticket_id=body.ticket_id, actor=actor, now=datetime.now(UTC)),
    )


@router.post("/mail/{mail_id}/dismiss", responses={409: documented("The mail was placed already.")})
async def dismiss(mail_id: UUID, body: Dismiss, database: Database, actor: Actor) -> dict[str, Any]:
    """Set a waiting mail aside (spam, nothing to do), with why; it stays in the list."""
    return await _triaged(
        database, lambda uow: triage.dismiss(uow, mail_id, reason=body.reason, actor=actor, now=datetime.now(UTC))
    )


async def _triaged(database: Any, act: Any) -> dict[str, Any]:
    try:
        async with database.unit_of_work() as uow:
            outcome: Outcome = await act(uow)
    except triage.TriageRefused as refused:
        raise Problem.of(refused, STATUSES) from refused
    return {
        "status": outcome.status,
        "why": outcome.why,
        "site_code": outcome.site_code,
        "ticket_id": outcome.ticket_id,
    }
