"""The vendor service's entry points: the events it consumes and its HTTP API."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from services.vendor.db import repository
from shared.contracts import Envelope, TicketEscalationNeeded
from shared.http import Database
from shared.logs import get_logger
from shared.messaging.consumer import MessageHandlers
from shared.messaging.unit_of_work import UnitOfWork

log = get_logger(__name__)
events = MessageHandlers()
router = APIRouter(tags=["vendor"])


@events.on(TicketEscalationNeeded)
async def on_escalation_needed(message: Envelope[TicketEscalationNeeded], uow: UnitOfWork) -> None:
    if await repository.record_request(uow.connection, message.payload):
        log.info("escalation requested", vendor=message.payload.vendor_code)


@router.get("/tickets/{ticket_id}/escalations")
async def get_escalations(ticket_id: str, database: Database) -> list[dict[str, Any]]:
    """The ticket's escalations to manufacturers (empty when there are none)."""
    async with database.connect() as connection:
        return await repository.escalations_of(connection, ticket_id)
