"""What the roster's tables offer the other areas' queries, so that no other area reads them."""

from __future__ import annotations

from sqlalchemy import Subquery, select

from services.dispatch.roster.tables import engineers


def engineer_names() -> Subquery:
    """Each engineer's `engineer_id` and `engineer_name`."""
    return select(engineers.c.engineer_id, engineers.c.name.label("engineer_name")).subquery()
