"""An engineer acts only on the tickets and inspection visits assigned to them; managers, operators and
the quality desk act on any. The areas' route dependencies (tickets/ownership.py,
inspections/ownership.py) check it beside the access table, since they need dispatch's own
assignments."""

from __future__ import annotations

from shared.http import Problem
from shared.identity import Identity, Role


def only_an_engineer(caller: Identity) -> bool:
    return Role.ENGINEER in caller.roles and not caller.roles - {Role.ENGINEER}


def refuse_unless_theirs(caller: Identity, what: str, holder: str | None, reason: str) -> None:
    if holder is None or holder != caller.engineer_id:
        whom = f"engineer {holder}" if holder else "nobody"
        raise Problem(403, reason, f"{what} is assigned to {whom}; you are engineer {caller.engineer_id}")
