"""The SLA service's read models: a ticket's clocks as people read them."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncConnection

from services.sla.db import repository
from services.sla.domain.outcome import standing
from services.sla.tracking import load_ticket


async def clock_views(connection: AsyncConnection, ticket_id: str, now: datetime) -> list[dict[str, Any]]:
    """The ticket's clocks: target, deadline, used and left now, and how each ended or stands; a clock
    planned no more (the ticket was reclassified, or merged into another) as it stood when it stopped."""
    ticket = await load_ticket(connection, ticket_id)
    if ticket is None:
        return []
    zone = ZoneInfo(ticket.facts.timezone)
    views = []
    planned = {ticket.key(plan) for plan in ticket.plans()} | {ticket.key(plan) for plan in ticket.vendor_plans()}
    for plan in ticket.plans():
        row = ticket.stored.get(ticket.key(plan))
        if row is None:
            continue
        used = plan.used(plan.stopped_at or now)
        paused = plan.stopped_at is None and plan.due_at is None
        outcome = standing(repository.recorded_outcome(row), plan.due_at, plan.stopped_at, now)
        views.append(
            {
                "clock": plan.clock.value,
                "cycle": plan.cycle,
                "policy": f"{row.policy_code} v{row.policy_version}",
                "counting": plan.counting.value,
                "day_type": plan.day_type.value,
                "target_minutes": plan.target_minutes,
                "started_at": plan.started_at,
                "due_at": plan.due_at,
                "due_at_local": plan.due_at.astimezone(zone) if plan.due_at else None,
                "status": "stopped" if plan.stopped_at else ("paused" if paused else "running"),
                "stopped_at": plan.stopped_at,
                "outcome": outcome,
                "used_minutes": round(used.total_seconds() / 60, 1),
                "left_minutes": round((plan.target - used).total_seconds() / 60, 1),
            }
        )
    for vendor in ticket.vendor_plans():
        row = ticket.stored.get(ticket.key(vendor))
        if row is None:
            continue
        outcome = standing(repository.recorded_outcome(row), vendor.due_at, vendor.stopped_at, now)
        views.append(
            {
                "clock": vendor.kind,
                "cycle": vendor.cycle,
                "partner": vendor.partner,
                "case_number": vendor.case_number,
                "policy": f"{vendor.partner} agreement v{vendor.agreement_version}",
                "target": vendor.target,
                "started_at": vendor.started_at,
                "due_at": vendor.due_at,
                "due_at_local": vendor.due_at.astimezone(zone),
                "status": "stopped" if vendor.stopped_at else "running",
                "stopped_at": vendor.stopped_at,
                "outcome": outcome,
            }
        )
    for key, row in ticket.stored.items():
        if key not in planned and row.partner is None:
            views.append(
                {
                    "clock": row.kind,
                    "cycle": row.cycle,
                    "policy": f"{row.policy_code} v{row.policy_version}",
                    "counting": row.counting,
                    "day_type": row.day_type,
                    "target_minutes": row.target_minutes,
                    "started_at": row.started_at,
                    "due_at": row.due_at,
                    "due_at_local": row.due_at.astimezone(zone) if row.due_at else None,
                    "status": "stopped",
                    "stopped_at": row.stopped_at,
                    "outcome": repository.recorded_outcome(row),
                }
            )
    return views
