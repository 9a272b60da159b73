"""The events announcing a clock's life, each built here only: a clock started, moved (or no longer
counting), warned, breached or met. A ticket's own clock is announced with the `sla.*` events, a vendor
partner's with the `sla.vendor_*` ones, per partner and case. A ticket's own clocks that start together
are announced in one event, which each consumer handles once rather than once per clock."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from services.sla.domain.clock_state import ClockKey, PlannedClock, Terms
from services.sla.domain.clocks import ClockPlan
from services.sla.domain.vendor_clocks import VendorClockPlan, is_vendor_kind, vendor_clock_of
from shared.contracts import (
    ClockKind,
    Event,
    SlaBreached,
    SlaClockChanged,
    SlaClocksStarted,
    SlaMet,
    SlaVendorBreached,
    SlaVendorClockStarted,
    SlaVendorMet,
    SlaVendorWarning,
    SlaWarning,
    StartedClock,
)


def vendor_clock_started(key: ClockKey, plan: VendorClockPlan) -> Event:
    return SlaVendorClockStarted(
        ticket_id=key.ticket_id,
        case_number=plan.case_number,
        partner=plan.partner,
        clock=plan.clock,
        started_at=plan.started_at,
        due_at=plan.due_at,
        target=plan.target,
    )


def clocks_started(terms: Terms, ticket_id: str, plans: Sequence[ClockPlan]) -> Event:
    """A ticket's own clocks that start together (in one handling of its events), in one event."""
    return SlaClocksStarted(ticket_id=ticket_id, clocks=[_started_clock(terms, plan) for plan in plans])


def _started_clock(terms: Terms, plan: ClockPlan) -> StartedClock:
    return StartedClock(
        clock=plan.clock,
        cycle=plan.cycle,
        started_at=plan.started_at,
        # A clock paused before anyone knew it started has no deadline yet; show the unpaused one.
        due_at=plan.due_at or plan.started_at + plan.target,
        target_minutes=plan.target_minutes,
        day_type=plan.day_type.value,
        calendar=terms.calendar,
        counting=plan.counting.value,
        policy=terms.policy_code,
    )


def changed(key: ClockKey, plan: ClockPlan) -> Event:
    """A ticket's own running clock whose deadline moved (none while paused). A partner's clocks are the
    integrator's business with the partner, announced only when they start and end."""
    return SlaClockChanged(
        ticket_id=key.ticket_id, clock=plan.clock, cycle=plan.cycle, due_at=plan.due_at,
        target_minutes=plan.target_minutes,
    )  # fmt: skip


def cancelled(key: ClockKey, target_minutes: int) -> Event:
    """A ticket's own clock that no longer counts: its ticket was reclassified to a kind without it, or
    merged into another ticket."""
    return SlaClockChanged(
        ticket_id=key.ticket_id, clock=ClockKind(key.kind), cycle=key.cycle, due_at=None,
        target_minutes=target_minutes, cancelled=True,
    )  # fmt: skip


def met(key: ClockKey, plan: PlannedClock, *, corrects_breach: bool) -> Event:
    assert plan.stopped_at is not None
    if isinstance(plan, VendorClockPlan):
        return SlaVendorMet(
            ticket_id=key.ticket_id,
            case_number=plan.case_number,
            partner=plan.partner,
            clock=plan.clock,
            started_at=plan.started_at,
            stopped_at=plan.stopped_at,
            due_at=plan.due_at,
            corrects_breach=corrects_breach,
        )
    used = plan.used(plan.stopped_at)
    return SlaMet(
        ticket_id=key.ticket_id,
        clock=plan.clock,
        cycle=plan.cycle,
        started_at=plan.started_at,
        stopped_at=plan.stopped_at,
        due_at=plan.due_at or plan.stopped_at,
        target_minutes=plan.target_minutes,
        elapsed_minutes=round(used.total_seconds() / 60, 2),
        remaining_minutes=round((plan.target - used).total_seconds() / 60, 2),
        corrects_breach=corrects_breach,
    )


# A breach and a warning are announced by the scheduler from the stored clock as often as from a plan,
# so they are built from what both know.


def breached(
    key: ClockKey,
    *,
    partner: str | None,
    case_number: str | None,
    target_minutes: int,
    due_at: datetime,
    breached_at: datetime,
) -> Event:
    if is_vendor_kind(key.kind):
        return SlaVendorBreached(
            ticket_id=key.ticket_id,
            case_number=case_number or "",
            partner=partner or "",
            clock=vendor_clock_of(key.kind),
            due_at=due_at,
            breached_at=breached_at,
        )
    return SlaBreached(
        ticket_id=key.ticket_id,
        clock=ClockKind(key.kind),
        cycle=key.cycle,
        due_at=due_at,
        target_minutes=target_minutes,
        breached_at=breached_at,
    )


def warning(
    key: ClockKey,
    *,
    partner: str | None,
    case_number: str | None,
    target_minutes: int,
    fraction: float,
    due_at: datetime,
    warned_at: datetime,
) -> Event:
    if is_vendor_kind(key.kind):
        return SlaVendorWarning(
            ticket_id=key.ticket_id,
            case_number=case_number or "",
            partner=partner or "",
            clock=vendor_clock_of(key.kind),
            fraction=fraction,
            due_at=due_at,
            warned_at=warned_at,
        )
    return SlaWarning(
        ticket_id=key.ticket_id,
        clock=ClockKind(key.kind),
        cycle=key.cycle,
        fraction=fraction,
        due_at=due_at,
        remaining_minutes=round(target_minutes * (1 - fraction), 2),
        warned_at=warned_at,
    )
