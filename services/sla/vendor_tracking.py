"""Keeping a vendor partner's clocks in line with what is known about its case: the part of tracking
for the clocks nested in a ticket (`domain.vendor_clocks`). They are stored, timed and fired like the
ticket's own, and announced with their own events, per partner and case."""

from __future__ import annotations

from typing import TYPE_CHECKING

from services.sla.db import repository
from services.sla.db.repository import ClockKey
from services.sla.domain.outcome import Outcome, settle
from services.sla.domain.vendor_clocks import VendorClockPlan
from shared.contracts import SlaVendorBreached, SlaVendorClockStarted, SlaVendorMet
from shared.messaging.unit_of_work import UnitOfWork

if TYPE_CHECKING:
    from services.sla.tracking import TrackedTicket


async def reconcile_vendor_clock(uow: UnitOfWork, ticket: TrackedTicket, plan: VendorClockPlan) -> None:
    connection = uow.connection
    key = ticket.vendor_key(plan)
    row = ticket.stored.get(key)
    if row is None:
        await _start(uow, key, plan, ticket)
    else:
        await repository.update_clock(connection, key, stopped_at=plan.stopped_at)
    if plan.stopped_at is None:
        await repository.arm_timers(connection, key, plan.timer_moments(ticket.policy.warn_at))
        return
    await repository.disarm_timers(connection, key)
    recorded = repository.recorded_outcome(row)
    if plan.cancelled:
        if recorded is None:
            await repository.update_clock(connection, key, outcome=Outcome.CANCELLED)
        return
    settlement = settle(recorded, stopped_in_time=bool(plan.met))
    if settlement is None:
        return
    assert plan.stopped_at is not None
    if settlement.outcome is Outcome.MET:
        await repository.update_clock(connection, key, outcome=Outcome.MET)
        uow.publish(
            SlaVendorMet(
                ticket_id=key.ticket_id,
                case_number=plan.case_number,
                partner=plan.partner,
                clock=plan.clock,
                started_at=plan.started_at,
                stopped_at=plan.stopped_at,
                due_at=plan.due_at,
                corrects_breach=settlement.corrects_breach,
            ),
            correlation_id=key.ticket_id,
        )
        return
    await repository.update_clock(connection, key, outcome=Outcome.BREACHED, breached_at=plan.due_at)
    uow.publish(
        SlaVendorBreached(
            ticket_id=key.ticket_id,
            case_number=plan.case_number,
            partner=plan.partner,
            clock=plan.clock,
            due_at=plan.due_at,
            breached_at=plan.due_at,
        ),
        correlation_id=key.ticket_id,
    )


async def _start(uow: UnitOfWork, key: ClockKey, plan: VendorClockPlan, ticket: TrackedTicket) -> None:
    await repository.insert_clock(
        uow.connection,
        ticket_id=key.ticket_id,
        kind=key.kind,
        cycle=key.cycle,
        site_code=ticket.facts.site_code,
        timezone=ticket.facts.timezone,
        policy_code=f"agreement:{plan.partner}",
        policy_version=plan.agreement_version,
        counting="deadline",
        started_at=plan.started_at,
        due_at=plan.due_at,
        stopped_at=plan.stopped_at,
        target_minutes=plan.target_minutes,
        day_type="n/a",
        calendar=ticket.policy.calendar,
        partner=plan.partner,
        case_number=plan.case_number,
    )
    uow.publish(
        SlaVendorClockStarted(
            ticket_id=key.ticket_id,
            case_number=plan.case_number,
            partner=plan.partner,
            clock=plan.clock,
            started_at=plan.started_at,
            due_at=plan.due_at,
            target=plan.target,
        ),
        correlation_id=key.ticket_id,
    )
