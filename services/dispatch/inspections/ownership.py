"""An engineer records results and agrees appointments only for the inspection visits assigned to them
(common/ownership.py): a route dependency."""

from __future__ import annotations

from services.dispatch.common.ownership import only_an_engineer, refuse_unless_theirs
from services.dispatch.inspections import repository
from shared.http import Caller, Database


async def engineer_owns_visit(visit_id: str, caller: Caller, database: Database) -> None:
    if only_an_engineer(caller):
        async with database.connect() as connection:
            found = await repository.visit(connection, visit_id)
        if found is not None:
            refuse_unless_theirs(caller, visit_id, found.engineer_id, "not_your_visit")
