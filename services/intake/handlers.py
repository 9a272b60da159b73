"""Intake's entry points: the HTTP API for people and systems that submit requests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated, Any, cast

from fastapi import APIRouter, Depends, Request, Response
from pydantic import BaseModel

from services.intake.db import repository
from services.intake.settings import IntakeSettings
from services.intake.submission import RequestRefused, submit
from shared.contracts import Priority, ServiceKind, SubmitServiceRequest
from shared.http import Database, Problem

router = APIRouter(tags=["intake"])


def _settings(request: Request) -> IntakeSettings:
    return cast(IntakeSettings, request.app.state.runtime.settings)


Settings = Annotated[IntakeSettings, Depends(_settings)]


class TicketReceipt(BaseModel):
    ticket_id: str
    kind: ServiceKind
    priority: Priority
    status: str
    joined_because: str | None = None


@router.post(
    "/requests",
    status_code=201,
    response_model=TicketReceipt,
    responses={200: {"description": "Joined an open ticket for the same request or problem"}},
)
async def submit_request(
    body: SubmitServiceRequest, database: Database, settings: Settings, response: Response
) -> TicketReceipt:
    """Open a ticket for a service request; answers with its ticket id."""
    try:
        async with database.unit_of_work() as uow:
            result = await submit(
                uow,
                body,
                now=datetime.now(UTC),
                duplicate_window=timedelta(minutes=settings.duplicate_window_minutes),
            )
    except RequestRefused as refused:
        raise Problem(422, refused.reason, refused.message) from refused
    if not result.created:
        response.status_code = 200
    return TicketReceipt(
        ticket_id=result.ticket_id,
        kind=result.kind,
        priority=result.priority,
        status="opened" if result.created else "joined_existing",
        joined_because=result.joined_because,
    )


@router.get("/tickets/{ticket_id}")
async def get_ticket(ticket_id: str, database: Database) -> dict[str, Any]:
    """The request as intake recorded it."""
    async with database.sessions() as session:
        found = await repository.request(session, ticket_id)
    if found is None:
        raise Problem(404, "unknown_ticket", f"intake has no ticket {ticket_id!r}")
    found.pop("fingerprint", None)
    return found


@router.get("/sites")
async def list_sites(database: Database) -> list[dict[str, Any]]:
    """Sites under contract and their subsystems."""
    async with database.sessions() as session:
        return await repository.sites_with_subsystems(session)
