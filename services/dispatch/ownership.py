"""An engineer acts only on the tickets assigned to them; managers, operators and the quality desk act
on any. A route dependency, beside the access table, since it needs dispatch's own assignments."""

from __future__ import annotations

from services.dispatch.db import repository
from shared.http import Caller, Database, Problem
from shared.identity import Role


async def engineer_owns_ticket(ticket_id: str, caller: Caller, database: Database) -> None:
    if Role.ENGINEER not in caller.roles or caller.roles - {Role.ENGINEER}:
        return
    async with database.connect() as connection:
        found = await repository.ticket_with_assignment(connection, ticket_id)
    if found is None:
        return  # the route answers 404
    if found["engineer_id"] is None or found["engineer_id"] != caller.engineer_id:
        holder = f"engineer {found['engineer_id']}" if found["engineer_id"] else "nobody"
        raise Problem(
            403, "not_your_ticket", f"{ticket_id} is assigned to {holder}; you are engineer {caller.engineer_id}"
        )
