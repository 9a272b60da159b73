"""The ticket list kept as events are heard (domain/ticket_list.py), in the transaction that keeps each
event in the timeline: the list never shows a fact the timeline lacks."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncConnection

from services.archive.db import ticket_list as rows
from services.archive.domain.ticket_list import SHOWN, advance
from shared.contracts import Envelope, Event


async def take(connection: AsyncConnection, message: Envelope[Event]) -> bool:
    """Fold the event into its ticket's line; True if it changes lines, and so holds its ticket's line
    until the transaction ends (the events of one ticket that the list shows are taken one after the
    other, each seeing what the one before it kept)."""
    event = message.payload
    ticket_id = getattr(event, "ticket_id", None)
    if not isinstance(event, SHOWN) or not isinstance(ticket_id, str):
        return False
    line = await rows.line_to_change(connection, ticket_id)
    changed = advance(line, event, message.occurred_at)
    if changed != line:
        await rows.keep(connection, changed)
    return True
