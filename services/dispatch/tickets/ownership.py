"""An engineer moves only the tickets assigned to them (common/ownership.py): a route dependency."""

from __future__ import annotations

from services.dispatch.common.ownership import only_an_engineer, refuse_unless_theirs
from services.dispatch.tickets import repository
from shared.http import Caller, Database


async def engineer_owns_ticket(ticket_id: str, caller: Caller, database: Database) -> None:
    if only_an_engineer(caller):
        async with database.connect() as connection:
            found = await repository.ticket_with_assignment(connection, ticket_id)
        if found is not None:  # else the route answers 404
            refuse_unless_theirs(caller, ticket_id, found["engineer_id"], "not_your_ticket")
