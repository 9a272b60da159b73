"""What to do about a ticket's clocks, as actions: one rule for both kinds of clock.

`reconcile` compares the clocks a ticket's facts plan (its own and its vendor partners', see
`clock_state.PlannedClock`) with the stored ones, and says what to store, which timers to arm or
disarm, which outcome to record and what to announce. `fire` says the same of a timer falling due:
a warning, or the breach of a clock still running. Both are pure; the service applies their actions
in order, in the transaction of the event or the scheduler's tick (`services.sla.clock_actions`).

A clock is announced once per step of its life: started when first stored (a ticket's own clocks that
start in one handling of its events together, in one `sla.clocks_started`); warned and breached by
its timers, which fire once; met or breached when it stops, unless that was said already
(`outcome.settle`). A ticket's own clock still counting is also announced when its deadline moves (a
pause, a resumption, another priority) and when it no longer applies (`sla.clock_changed`); a
partner's clocks are the integrator's business with the partner, and a breach once told stands.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from services.sla.domain import announcements
from services.sla.domain.clock_state import ClockKey, PlannedClock, StoredClock, Terms
from services.sla.domain.clocks import ClockPlan
from services.sla.domain.outcome import BREACH, Outcome, settle
from services.sla.domain.vendor_clocks import VendorClockPlan, is_vendor_kind
from shared.contracts import Event


@dataclass(frozen=True)
class NewClock:
    """Everything stored of a clock when it starts."""

    ticket_id: str
    kind: str
    cycle: int
    site_code: str
    timezone: str
    policy_code: str
    policy_version: int
    counting: str
    started_at: datetime
    due_at: datetime | None
    stopped_at: datetime | None
    target_minutes: int
    day_type: str
    calendar: str
    partner: str | None = None
    case_number: str | None = None


@dataclass(frozen=True)
class Start:
    clock: NewClock


@dataclass(frozen=True)
class Rewrite:
    """The plan moved the clock (a pause, a stop, a reclassification): store its moments and target, and
    its outcome (none again for a cancelled clock that applies once more)."""

    key: ClockKey
    due_at: datetime | None
    stopped_at: datetime | None
    target_minutes: int
    counting: str
    outcome: Outcome | None


@dataclass(frozen=True)
class ArmTimers:
    """Create the clock's timers, or move the ones not fired yet (a fired one stays fired)."""

    key: ClockKey
    moments: Mapping[float, datetime | None]


@dataclass(frozen=True)
class DisarmTimers:
    key: ClockKey


@dataclass(frozen=True)
class RecordOutcome:
    key: ClockKey
    outcome: Outcome
    breached_at: datetime | None = None
    corrects_breach: bool = False


@dataclass(frozen=True)
class Announce:
    key: ClockKey
    event: Event


Action = Start | Rewrite | ArmTimers | DisarmTimers | RecordOutcome | Announce


def reconcile(
    terms: Terms, planned: Mapping[ClockKey, PlannedClock], stored: Mapping[ClockKey, StoredClock]
) -> list[Action]:
    """The actions that bring the stored clocks in line with the planned ones, in the plan's order."""
    actions: list[Action] = []
    for key, clock in stored.items():
        # Planned no more (the ticket was reclassified): it stops counting and warns no more.
        if key not in planned and clock.stopped_at is None and clock.outcome is not Outcome.CANCELLED:
            actions += [DisarmTimers(key), RecordOutcome(key, Outcome.CANCELLED)]
            if not is_vendor_kind(key.kind) and clock.outcome is None:  # a breach announced stands as told
                actions.append(Announce(key, announcements.cancelled(key, clock.target_minutes)))
    start_announced = _start_announcements(terms, planned, stored)
    for key, plan in planned.items():
        actions += _bring_in_line(terms, key, plan, stored.get(key), start_announced.get(key))
    return actions


def _start_announcements(
    terms: Terms, planned: Mapping[ClockKey, PlannedClock], stored: Mapping[ClockKey, StoredClock]
) -> dict[ClockKey, Event]:
    """The events announcing the clocks that start, by the clock each is announced with: a partner's
    clock on its own; a ticket's own clocks all in one event, with the first of them, so that it comes
    before anything else said of them (a clock started and met in one handling)."""
    events: dict[ClockKey, Event] = {}
    own: dict[ClockKey, ClockPlan] = {}
    for key, plan in planned.items():
        if key in stored:
            continue
        if isinstance(plan, VendorClockPlan):
            events[key] = announcements.vendor_clock_started(key, plan)
        else:
            own[key] = plan
    if own:
        first = next(iter(own))
        events[first] = announcements.clocks_started(terms, first.ticket_id, list(own.values()))
    return events


def _bring_in_line(
    terms: Terms, key: ClockKey, plan: PlannedClock, stored: StoredClock | None, start_announced: Event | None
) -> list[Action]:
    """The actions of one clock; `start_announced`: the event to announce with it if it starts (none for
    a ticket's own clock announced with the first of those starting with it)."""
    actions: list[Action] = []
    if stored is None:
        recorded = None
        changed = True
        actions.append(Start(_new_clock(terms, key, plan)))
        if start_announced is not None:
            actions.append(Announce(key, start_announced))
    else:
        recorded = stored.outcome
        if recorded is Outcome.CANCELLED and not plan.cancelled:
            recorded = None  # planned again (reclassified back): the clock applies again
        # Most events move no clock (an assignment, a document filed): nothing to write or re-arm.
        changed = recorded is not stored.outcome or not stored.says(plan)
        if changed:
            actions.append(
                Rewrite(key, plan.due_at, plan.stopped_at, plan.target_minutes, str(plan.counting), recorded)
            )
        moved = (stored.due_at, stored.target_minutes) != (plan.due_at, plan.target_minutes) or (
            stored.outcome is Outcome.CANCELLED and recorded is None
        )
        # Still counting (not stopped, not already breached): its new deadline, or none while it is paused.
        if moved and recorded is None and plan.stopped_at is None and isinstance(plan, ClockPlan):
            actions.append(Announce(key, announcements.changed(key, plan)))
    if plan.stopped_at is None:
        if changed:  # unchanged, its timers were armed when it was last written
            actions.append(ArmTimers(key, plan.timer_moments(terms.warn_at)))
        return actions
    if changed:
        actions.append(DisarmTimers(key))
    # A partner's case ended before the clock's step, or the ticket was merged into another: neither
    # kept nor broken (a breach already announced stands).
    if plan.cancelled:
        if recorded is None:
            actions.append(RecordOutcome(key, Outcome.CANCELLED))
            if not is_vendor_kind(key.kind):
                actions.append(Announce(key, announcements.cancelled(key, plan.target_minutes)))
        return actions
    settlement = settle(recorded, stopped_in_time=bool(plan.met))
    if settlement is None:
        return actions
    if settlement.outcome is Outcome.MET:
        corrects = settlement.corrects_breach
        return [
            *actions,
            RecordOutcome(key, Outcome.MET, corrects_breach=corrects),
            Announce(key, announcements.met(key, plan, corrects_breach=corrects)),
        ]
    # Stopped after its deadline before the scheduler saw it pass.
    due_at = plan.due_at or plan.stopped_at
    breach = announcements.breached(
        key,
        partner=plan.partner,
        case_number=plan.case_number,
        target_minutes=plan.target_minutes,
        due_at=due_at,
        breached_at=due_at,
    )
    return [*actions, RecordOutcome(key, Outcome.BREACHED, breached_at=due_at), Announce(key, breach)]


def _new_clock(terms: Terms, key: ClockKey, plan: PlannedClock) -> NewClock:
    if isinstance(plan, VendorClockPlan):  # it counts by the partner's agreement, on no day type
        policy_code, policy_version, day_type = f"agreement:{plan.partner}", plan.agreement_version, "n/a"
    else:
        policy_code, policy_version, day_type = terms.policy_code, terms.policy_version, plan.day_type.value
    return NewClock(
        ticket_id=key.ticket_id,
        kind=key.kind,
        cycle=key.cycle,
        site_code=terms.site_code,
        timezone=terms.timezone,
        policy_code=policy_code,
        policy_version=policy_version,
        counting=str(plan.counting),
        started_at=plan.started_at,
        due_at=plan.due_at,
        stopped_at=plan.stopped_at,
        target_minutes=plan.target_minutes,
        day_type=day_type,
        calendar=terms.calendar,
        partner=plan.partner,
        case_number=plan.case_number,
    )


@dataclass(frozen=True)
class DueTimer:
    """A timer due, with the clock it belongs to: a warning at a share of the target, or the breach."""

    timer_id: int
    key: ClockKey
    fraction: float
    due_at: datetime
    clock_due_at: datetime | None
    target_minutes: int
    partner: str | None = None
    case_number: str | None = None


def fire(timer: DueTimer, now: datetime) -> list[Action]:
    """A due timer's actions. Its clock still runs: a clock's timers are disarmed when it stops."""
    due_at = timer.clock_due_at or timer.due_at
    if timer.fraction >= BREACH:
        breach = announcements.breached(
            timer.key,
            partner=timer.partner,
            case_number=timer.case_number,
            target_minutes=timer.target_minutes,
            due_at=due_at,
            breached_at=timer.due_at,
        )
        return [RecordOutcome(timer.key, Outcome.BREACHED, breached_at=timer.due_at), Announce(timer.key, breach)]
    warning = announcements.warning(
        timer.key,
        partner=timer.partner,
        case_number=timer.case_number,
        target_minutes=timer.target_minutes,
        fraction=timer.fraction,
        due_at=due_at,
        warned_at=now,
    )
    return [Announce(timer.key, warning)]
