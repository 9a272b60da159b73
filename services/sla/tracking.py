"""Keeping each ticket's clocks in line with what is known about the ticket.

Every ticket event is kept as a fact; then the ticket's clocks are planned afresh from all its facts
(`domain.clocks.plan_clocks`) and the stored clocks and timers are brought in line with the plan.
What changed is announced: a clock started (`sla.clock_started`), a clock stopped in time
(`sla.met`), or stopped after its deadline before the scheduler saw it (`sla.breached`). Warnings and
breaches of running clocks are the scheduler's (`scheduler.py`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncConnection

from services.sla.db import repository
from services.sla.db.repository import ClockKey
from services.sla.domain.clocks import ClockPlan, PauseFact, TicketFacts, plan_clocks
from services.sla.domain.policy import Policy
from shared.contracts import (
    Envelope,
    Event,
    SlaBreached,
    SlaClockStarted,
    SlaMet,
    TicketAccepted,
    TicketClosed,
    TicketOnSite,
    TicketOpened,
    TicketPaused,
    TicketReopened,
    TicketResolved,
    TicketResumed,
)
from shared.logs import get_logger
from shared.messaging.unit_of_work import UnitOfWork

log = get_logger(__name__)

BREACH = 1.0

TICKET_EVENTS: tuple[type[Event], ...] = (
    TicketOpened,
    TicketAccepted,
    TicketOnSite,
    TicketPaused,
    TicketResumed,
    TicketResolved,
    TicketReopened,
    TicketClosed,
)


async def take_in(uow: UnitOfWork, message: Envelope[Any]) -> None:
    """Keep a ticket event as a fact and bring the ticket's clocks in line."""
    ticket_id: str = message.payload.ticket_id
    connection = uow.connection
    await repository.serialise_ticket(connection, ticket_id)
    await repository.record_fact(
        connection,
        message_id=message.message_id,
        ticket_id=ticket_id,
        type_=message.type,
        payload=message.payload.model_dump(mode="json"),
    )
    await reconcile(uow, ticket_id)


@dataclass(frozen=True)
class _Ticket:
    facts: TicketFacts
    stored: dict[ClockKey, Any]
    policy_code: str
    policy_version: int
    policy: Policy

    def plans(self) -> list[ClockPlan]:
        return plan_clocks(self.facts, self.policy)


async def _load(connection: AsyncConnection, ticket_id: str) -> _Ticket | None:
    facts = _facts(ticket_id, await repository.facts_of(connection, ticket_id))
    if facts is None:
        return None  # nothing counts before the ticket's opening is known; its facts wait for it
    rows = await repository.clocks_of(connection, ticket_id)
    stored = {ClockKey(row.ticket_id, row.kind, row.cycle): row for row in rows}
    if rows:  # a ticket keeps the policy version its first clock started under
        code, version = rows[0].policy_code, rows[0].policy_version
        policy = await repository.policy_version(connection, code, version)
    else:
        code = await repository.policy_code_for_site(connection, facts.site_code)
        latest = await repository.latest_policy(connection, code)
        if latest is None:
            raise LookupError(f"SLA policy {code!r} of site {facts.site_code} does not exist")
        version, policy = latest
    return _Ticket(facts, stored, code, version, policy)


async def reconcile(uow: UnitOfWork, ticket_id: str) -> None:
    connection = uow.connection
    ticket = await _load(connection, ticket_id)
    if ticket is None:
        return
    for plan in ticket.plans():
        key = ClockKey(ticket_id, plan.clock.value, plan.cycle)
        row = ticket.stored.get(key)
        if row is None:
            await _start(uow, key, plan, ticket)
        else:
            await repository.update_clock(connection, key, due_at=plan.due_at, stopped_at=plan.stopped_at)
        if plan.stopped_at is None:
            await repository.arm_timers(connection, key, _moments(plan, ticket.policy))
        else:
            await repository.disarm_timers(connection, key)
            await _settle(uow, key, plan, outcome=row.outcome if row is not None else None)


async def _start(uow: UnitOfWork, key: ClockKey, plan: ClockPlan, ticket: _Ticket) -> None:
    due_at = plan.due_at
    await repository.insert_clock(
        uow.connection,
        ticket_id=key.ticket_id,
        kind=key.kind,
        cycle=key.cycle,
        site_code=ticket.facts.site_code,
        timezone=ticket.facts.timezone,
        policy_code=ticket.policy_code,
        policy_version=ticket.policy_version,
        counting=plan.counting.value,
        started_at=plan.started_at,
        due_at=due_at,
        stopped_at=plan.stopped_at,
        target_minutes=plan.target_minutes,
        day_type=plan.day_type.value,
        calendar=ticket.policy.calendar,
    )
    uow.publish(
        SlaClockStarted(
            ticket_id=key.ticket_id,
            clock=plan.clock,
            cycle=plan.cycle,
            started_at=plan.started_at,
            # A clock paused before anyone knew it started has no deadline yet; show the unpaused one.
            due_at=due_at or plan.started_at + plan.target,
            target_minutes=plan.target_minutes,
            day_type=plan.day_type.value,
            calendar=ticket.policy.calendar,
            counting=plan.counting.value,
            policy=ticket.policy_code,
        ),
        correlation_id=key.ticket_id,
    )


async def _settle(uow: UnitOfWork, key: ClockKey, plan: ClockPlan, *, outcome: str | None) -> None:
    """Record how a stopped clock ended, once; correct a breach that a late report shows was met."""
    assert plan.stopped_at is not None
    met = bool(plan.met)
    if outcome == "met" or (outcome == "breached" and not met):
        return
    due_at = plan.due_at or plan.stopped_at
    if met:
        used = plan.used(plan.stopped_at)
        await repository.update_clock(uow.connection, key, outcome="met")
        uow.publish(
            SlaMet(
                ticket_id=key.ticket_id,
                clock=plan.clock,
                cycle=plan.cycle,
                started_at=plan.started_at,
                stopped_at=plan.stopped_at,
                due_at=due_at,
                target_minutes=plan.target_minutes,
                elapsed_minutes=round(used.total_seconds() / 60, 2),
                remaining_minutes=round((plan.target - used).total_seconds() / 60, 2),
                corrects_breach=outcome == "breached",
            ),
            correlation_id=key.ticket_id,
        )
        if outcome == "breached":
            log.warning("breach corrected by a late report", clock=key.kind, cycle=key.cycle)
        return
    await repository.update_clock(uow.connection, key, outcome="breached", breached_at=due_at)
    uow.publish(
        SlaBreached(
            ticket_id=key.ticket_id,
            clock=plan.clock,
            cycle=plan.cycle,
            due_at=due_at,
            target_minutes=plan.target_minutes,
            breached_at=due_at,
        ),
        correlation_id=key.ticket_id,
    )


async def clock_views(connection: AsyncConnection, ticket_id: str, now: datetime) -> list[dict[str, Any]]:
    """The ticket's clocks as people read them: target, deadline, used and left now, how they ended."""
    ticket = await _load(connection, ticket_id)
    if ticket is None:
        return []
    zone = ZoneInfo(ticket.facts.timezone)
    views = []
    for plan in ticket.plans():
        row = ticket.stored.get(ClockKey(ticket_id, plan.clock.value, plan.cycle))
        if row is None:
            continue
        at = plan.stopped_at or now
        used = plan.used(at)
        paused = plan.stopped_at is None and plan.due_at is None
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
                "outcome": row.outcome or ("breached" if plan.due_at and plan.due_at < at else None),
                "used_minutes": round(used.total_seconds() / 60, 1),
                "left_minutes": round((plan.target - used).total_seconds() / 60, 1),
            }
        )
    return views


def _moments(plan: ClockPlan, policy: Policy) -> dict[float, Any]:
    """When each warning share and the breach fall due; None while the clock is paused."""
    return {**{share: plan.moment_of(share) for share in policy.warn_at}, BREACH: plan.due_at}


def _facts(ticket_id: str, recorded: list[tuple[str, dict[str, Any]]]) -> TicketFacts | None:
    by_type: dict[str, list[dict[str, Any]]] = {}
    for type_, payload in recorded:
        by_type.setdefault(type_, []).append(payload)
    if not by_type.get(TicketOpened.message_type):
        return None
    opened = TicketOpened.model_validate(by_type[TicketOpened.message_type][0])

    def moments(contract: type[Event], field: str) -> list[Any]:
        return [getattr(contract.model_validate(p), field) for p in by_type.get(contract.message_type, [])]

    return TicketFacts(
        ticket_id=ticket_id,
        site_code=opened.site_code,
        timezone=opened.site_timezone,
        kind=opened.kind,
        priority=opened.priority,
        reported_at=opened.reported_at,
        accepted_at=moments(TicketAccepted, "accepted_at"),
        on_site_at=moments(TicketOnSite, "arrived_at"),
        paused=[
            PauseFact(p.reason, p.paused_at)
            for p in (TicketPaused.model_validate(raw) for raw in by_type.get(TicketPaused.message_type, []))
        ],
        resumed_at=moments(TicketResumed, "resumed_at"),
        resolved_at=moments(TicketResolved, "resolved_at"),
        reopened_at=moments(TicketReopened, "reopened_at"),
        closed_at=moments(TicketClosed, "closed_at"),
    )
