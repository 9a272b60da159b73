"""Keeping each ticket's clocks in line with what is known about the ticket: the use case behind
every ticket event the SLA service consumes.

Every ticket event is kept as a fact; then the ticket's clocks are planned afresh from all its facts
(`domain.clocks.plan_clocks`) and the stored clocks and timers are brought in line with the plan.
What changed is announced: a clock started (`sla.clock_started`), a clock stopped in time
(`sla.met`), or stopped after its deadline before the scheduler saw it (`sla.breached`). Warnings and
breaches of running clocks are the scheduler's (`scheduler.py`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection

from services.sla import vendor_tracking
from services.sla.db import repository
from services.sla.db.repository import ClockKey
from services.sla.domain.clocks import ClockPlan, plan_clocks
from services.sla.domain.facts import TicketFacts, ticket_facts
from services.sla.domain.outcome import Outcome, Settlement, settle
from services.sla.domain.policy import Policy
from services.sla.domain.vendor_clocks import VendorClockPlan, is_vendor_kind, plan_vendor_clocks
from shared.contracts import Envelope, SlaBreached, SlaClockStarted, SlaMet
from shared.logs import get_logger
from shared.messaging.unit_of_work import UnitOfWork

log = get_logger(__name__)


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
    ticket = await load_ticket(connection, ticket_id)
    if ticket is not None:
        await _reconcile(uow, ticket)


@dataclass(frozen=True)
class TrackedTicket:
    """A ticket as the SLA service holds it: its facts, its stored clocks, the policy they count by."""

    facts: TicketFacts
    stored: dict[ClockKey, Any]
    policy_code: str
    policy_version: int
    policy: Policy

    def plans(self) -> list[ClockPlan]:
        return plan_clocks(self.facts, self.policy)

    def key(self, plan: ClockPlan) -> ClockKey:
        return ClockKey(self.facts.ticket_id, plan.clock.value, plan.cycle)

    def vendor_key(self, plan: VendorClockPlan) -> ClockKey:
        return ClockKey(self.facts.ticket_id, plan.kind, plan.cycle)


async def load_ticket(connection: AsyncConnection, ticket_id: str) -> TrackedTicket | None:
    """The ticket's facts, clocks and policy; None while its opening is not known (its facts wait)."""
    facts = ticket_facts(ticket_id, await repository.facts_of(connection, ticket_id))
    if facts is None:
        return None
    rows = await repository.clocks_of(connection, ticket_id)
    stored = {ClockKey(row.ticket_id, row.kind, row.cycle): row for row in rows}
    own = [row for row in rows if not is_vendor_kind(row.kind)]
    if own:  # a ticket keeps the policy version its first clock started under
        code, version = own[0].policy_code, own[0].policy_version
        policy = await repository.policy_version(connection, code, version)
    else:
        code = await repository.policy_code_for_site(connection, facts.site_code)
        latest = await repository.latest_policy(connection, code)
        if latest is None:
            raise LookupError(f"SLA policy {code!r} of site {facts.site_code} does not exist")
        version, policy = latest
    return TrackedTicket(facts, stored, code, version, policy)


async def _reconcile(uow: UnitOfWork, ticket: TrackedTicket) -> None:
    connection = uow.connection
    plans = ticket.plans()
    vendor_plans = plan_vendor_clocks(ticket.facts.vendor_cases)
    planned = {ticket.key(plan) for plan in plans} | {ticket.vendor_key(plan) for plan in vendor_plans}
    for key, row in ticket.stored.items():
        if key not in planned and row.stopped_at is None and row.outcome != Outcome.CANCELLED:
            await _cancel(uow, key)
    for plan in plans:
        key = ticket.key(plan)
        row = ticket.stored.get(key)
        recorded = repository.recorded_outcome(row)
        changed = True
        if row is None:
            await _start(uow, key, plan, ticket)
        else:
            kept = recorded
            if recorded is Outcome.CANCELLED:  # reclassified back: the clock applies again
                recorded = None
            # Most events move no clock (an assignment, a document filed): nothing to write or re-arm.
            changed = recorded is not kept or not _as_stored(row, plan)
            if changed:
                await repository.update_clock(
                    connection,
                    key,
                    due_at=plan.due_at,
                    stopped_at=plan.stopped_at,
                    target_minutes=plan.target_minutes,
                    counting=plan.counting.value,
                    outcome=recorded,
                )
        if plan.stopped_at is None:
            if changed:  # unchanged, its timers were armed when it was last written
                await repository.arm_timers(connection, key, plan.timer_moments(ticket.policy.warn_at))
            continue
        await repository.disarm_timers(connection, key)
        settlement = settle(recorded, stopped_in_time=bool(plan.met))
        if settlement is not None:
            await _announce(uow, key, plan, settlement)
    for vendor_plan in vendor_plans:
        await vendor_tracking.reconcile_vendor_clock(uow, ticket, vendor_plan)


async def _cancel(uow: UnitOfWork, key: ClockKey) -> None:
    """A clock the ticket's new kind or priority does not have: it stops counting and warns no more."""
    await repository.disarm_timers(uow.connection, key)
    await repository.update_clock(uow.connection, key, outcome=Outcome.CANCELLED)
    log.info("clock cancelled by a reclassification", clock=key.kind, cycle=key.cycle)


async def _start(uow: UnitOfWork, key: ClockKey, plan: ClockPlan, ticket: TrackedTicket) -> None:
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
        due_at=plan.due_at,
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
            due_at=plan.due_at or plan.started_at + plan.target,
            target_minutes=plan.target_minutes,
            day_type=plan.day_type.value,
            calendar=ticket.policy.calendar,
            counting=plan.counting.value,
            policy=ticket.policy_code,
        ),
        correlation_id=key.ticket_id,
    )


async def _announce(uow: UnitOfWork, key: ClockKey, plan: ClockPlan, settlement: Settlement) -> None:
    """Record how a stopped clock ended and say so."""
    assert plan.stopped_at is not None
    due_at = plan.due_at or plan.stopped_at
    if settlement.outcome is Outcome.MET:
        used = plan.used(plan.stopped_at)
        await repository.update_clock(uow.connection, key, outcome=Outcome.MET)
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
                corrects_breach=settlement.corrects_breach,
            ),
            correlation_id=key.ticket_id,
        )
        if settlement.corrects_breach:
            log.warning("breach corrected by a late report", clock=key.kind, cycle=key.cycle)
        return
    await repository.update_clock(uow.connection, key, outcome=Outcome.BREACHED, breached_at=due_at)
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


def _as_stored(row: Any, plan: ClockPlan) -> bool:
    """Whether the stored clock already says what the plan says."""
    return (row.due_at, row.stopped_at, row.target_minutes, row.counting) == (
        plan.due_at,
        plan.stopped_at,
        plan.target_minutes,
        plan.counting.value,
    )
