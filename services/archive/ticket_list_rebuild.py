"""The ticket list rebuilt from the timeline: each ticket's events folded again by the list's rule
(domain/ticket_list.py) under its line's lock, so that an event heard meanwhile is folded onto the
rebuilt line, never lost. At start the archive lists the tickets it heard before the list existed (an
upgraded deployment's); `aftercare archive rebuild-ticket-list --all` folds every line again (after the
list's rule changed)."""

from __future__ import annotations

from collections.abc import Callable

from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncConnection

from services.archive.db import ticket_list as rows
from services.archive.db import timeline
from services.archive.domain.story import as_event
from services.archive.domain.ticket_list import SHOWN, TicketLine, advance
from shared.background import OnceAtStart
from shared.logs import get_logger
from shared.persistence.service_database import ServiceDatabase
from shared.settings import ServiceSettings

log = get_logger(__name__)
TICKETS_AT_ONCE = 200
_SHOWN_TYPES = [event.message_type for event in SHOWN]


async def rebuild(database: ServiceDatabase, *, every: bool, on_batch: Callable[[int], object] | None = None) -> int:
    """Fold the lines of the tickets without one (`every`: of every ticket) again; how many were folded."""
    after, folded = "", 0
    while True:
        async with database.unit_of_work() as uow:
            tickets = await rows.tickets_heard(uow.connection, after=after, limit=TICKETS_AT_ONCE, unlisted=not every)
            for ticket_id in tickets:
                await _fold_again(uow.connection, ticket_id)
        if not tickets:
            return folded
        folded += len(tickets)
        after = tickets[-1]
        if on_batch is not None:
            on_batch(len(tickets))


async def _fold_again(connection: AsyncConnection, ticket_id: str) -> None:
    await rows.line_to_change(connection, ticket_id)  # locked: an event heard now waits, then folds onto it
    line, changed_at = TicketLine(ticket_id), None
    for message_type, version, payload, occurred_at, recorded_at in await timeline.moments_of_ticket(
        connection, ticket_id, _SHOWN_TYPES
    ):
        try:
            event = as_event(message_type, version, payload)
        except ValidationError as unreadable:  # kept by an older archive, unreadable now: not the list's to mend
            log.warning("an event of the timeline is left out of the list", ticket=ticket_id, error=str(unreadable))
            continue
        if event is not None:
            line = advance(line, event, occurred_at)
            changed_at = max(changed_at or recorded_at, recorded_at)
    await rows.keep(connection, line, changed_at=changed_at)


class UnlistedTickets(OnceAtStart):
    """At start, lists the tickets the timeline holds and the list does not (heard before it existed)."""

    task_name = "archive-unlisted-tickets"

    def __init__(self, database: ServiceDatabase) -> None:
        super().__init__()
        self._database = database

    async def _once(self) -> None:
        listed = await rebuild(self._database, every=False)
        if listed:
            log.info("listed the tickets heard before the list existed", tickets=listed)


def unlisted_tickets(database: ServiceDatabase, settings: ServiceSettings) -> UnlistedTickets:
    return UnlistedTickets(database)
