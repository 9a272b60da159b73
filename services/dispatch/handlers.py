"""Dispatch's entry points: the events it consumes and its HTTP API."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter

from services.dispatch.assignment import dispatch_ticket
from services.dispatch.db import repository
from shared.contracts import Envelope, TicketOpened
from shared.http import Database, Problem
from shared.messaging.consumer import MessageHandlers
from shared.messaging.unit_of_work import UnitOfWork

events = MessageHandlers()
router = APIRouter(tags=["dispatch"])


@events.on(TicketOpened)
async def on_ticket_opened(message: Envelope[TicketOpened], uow: UnitOfWork) -> None:
    await dispatch_ticket(uow, message.payload, now=datetime.now(UTC))


@router.get("/tickets/{ticket_id}")
async def get_ticket(ticket_id: str, database: Database) -> dict[str, Any]:
    """Where the ticket is in its lifecycle and who holds it."""
    async with database.connect() as connection:
        found = await repository.ticket_with_assignment(connection, ticket_id)
    if found is None:
        raise Problem(404, "unknown_ticket", f"dispatch has no ticket {ticket_id!r} (yet)")
    return found


@router.get("/sites/{site_code}/roster")
async def site_roster(site_code: str, database: Database) -> list[dict[str, Any]]:
    """The engineers serving a site, with each one's open tickets."""
    async with database.connect() as connection:
        return [
            {
                "engineer_id": e.engineer_id,
                "name": e.name,
                "skills": sorted(e.skills),
                "on_duty": e.on_duty,
                "open_tickets": e.open_tickets,
                "max_open_tickets": e.max_open_tickets,
            }
            for e in await repository.roster(connection, site_code)
        ]
