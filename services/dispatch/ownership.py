"""An engineer acts only on the tickets and inspection visits assigned to them; managers, operators and
the quality desk act on any. Route dependencies, beside the access table, since they need dispatch's
own assignments."""

from __future__ import annotations

from services.dispatch.db import inspections, repository
from shared.http import Caller, Database, Problem
from shared.identity import Identity, Role


async def engineer_owns_ticket(ticket_id: str, caller: Caller, database: Database) -> None:
    if _only_an_engineer(caller):
        async with database.connect() as connection:
            found = await repository.ticket_with_assignment(connection, ticket_id)
        if found is not None:  # else the route answers 404
            _refuse_unless_theirs(caller, ticket_id, found["engineer_id"], "not_your_ticket")


async def engineer_owns_visit(visit_id: str, caller: Caller, database: Database) -> None:
    if _only_an_engineer(caller):
        async with database.connect() as connection:
            found = await inspections.visit(connection, visit_id)
        if found is not None:
            _refuse_unless_theirs(caller, visit_id, found.engineer_id, "not_your_visit")


def _only_an_engineer(caller: Identity) -> bool:
    return Role.ENGINEER in caller.roles and not caller.roles - {Role.ENGINEER}


def _refuse_unless_theirs(caller: Identity, what: str, holder: str | None, reason: str) -> None:
    if holder is None or holder != caller.engineer_id:
        whom = f"engineer {holder}" if holder else "nobody"
        raise Problem(403, reason, f"{what} is assigned to {whom}; you are engineer {caller.engineer_id}")
