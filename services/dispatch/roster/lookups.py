"""What the roster's tables offer the other areas' queries, so that no other area reads them: each
engineer's name, and whether engineers are on duty at a moment."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Subquery, select
from sqlalchemy.ext.asyncio import AsyncConnection

from services.dispatch.roster.domain import Duty, duty_at
from services.dispatch.roster.repository import periods_of
from services.dispatch.roster.tables import engineers


def engineer_names() -> Subquery:
    """Each engineer's `engineer_id` and `engineer_name`."""
    return select(engineers.c.engineer_id, engineers.c.name.label("engineer_name")).subquery()


async def on_duty(connection: AsyncConnection, engineer_ids: list[str], at: datetime) -> dict[str, bool]:
    """Whether each engineer is on shift or on call at `at` (on leave or off: not)."""
    periods = await periods_of(connection, engineer_ids)
    return {
        engineer_id: duty_at((p for _, p in periods.get(engineer_id, [])), at) in (Duty.ON_SHIFT, Duty.ON_CALL)
        for engineer_id in engineer_ids
    }
