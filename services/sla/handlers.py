"""The SLA service's entry points: the events it consumes and its HTTP API."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from services.sla.clocks import start_on_site_clock
from services.sla.db import repository
from shared.contracts import Envelope, TicketOpened
from shared.http import Database, Problem
from shared.messaging.consumer import MessageHandlers
from shared.messaging.unit_of_work import UnitOfWork

events = MessageHandlers()
router = APIRouter(tags=["sla"])


@events.on(TicketOpened)
async def on_ticket_opened(message: Envelope[TicketOpened], uow: UnitOfWork) -> None:
    await start_on_site_clock(uow, message.payload)


@router.get("/tickets/{ticket_id}/clocks")
async def get_clocks(ticket_id: str, database: Database) -> list[dict[str, Any]]:
    """The ticket's service-level clocks and when each is due."""
    async with database.connect() as connection:
        found = await repository.clocks_of(connection, ticket_id)
    if not found:
        raise Problem(404, "unknown_ticket", f"sla has no clock for ticket {ticket_id!r} (yet)")
    return found
