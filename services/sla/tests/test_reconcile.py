"""Reconciling planned clocks with stored ones, and firing their timers, without broker or database:
which actions follow, for a ticket's own clock and a vendor partner's alike."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import timedelta

import pytest

from services.sla.domain.announcements import changed
from services.sla.domain.clock_state import PlannedClock
from services.sla.domain.clocks import ClockPlan
from services.sla.domain.outcome import Outcome
from services.sla.domain.reconcile import (
    Announce,
    ArmTimers,
    DueTimer,
    RecordOutcome,
    Rewrite,
    Start,
    fire,
    reconcile,
)
from services.sla.domain.vendor_clocks import plan_vendor_clocks, vendor_cases
from services.sla.tests.clock_samples import T0, TERMS, TICKET, key_of, run, steps, stored_as, ticket_response_clock
from shared.contracts import (
    Agreement,
    Event,
    SlaBreached,
    SlaClocksStarted,
    SlaMet,
    SlaVendorBreached,
    SlaVendorClockStarted,
    SlaVendorMet,
    SlaVendorWarning,
    SlaWarning,
    VendorClock,
    VendorEscalationClosed,
    VendorEscalationProgressed,
    VendorEscalationSent,
)


def partner_acknowledge_clock(stopped_after: timedelta | None = None, declined: bool = False) -> PlannedClock:
    """A partner's 4-hour acknowledge clock, acknowledged `stopped_after` the request (or its case
    declined then, before any acknowledgement)."""
    sent = VendorEscalationSent(
        case_number="VC-000042",
        escalation_id=f"{TICKET}-V1",
        ticket_id=TICKET,
        partner="acme",
        reason="technical_question",
        site_code="HH138",
        timezone="Asia/Shanghai",
        asset_tag=None,
        agreement=Agreement(acknowledge_hours=4, on_site_hours=24, repair_working_days=5, replacement_days=5),
        agreement_version=2,
        sent_at=T0,
    )
    steps, ends = [], []
    if stopped_after is not None and not declined:
        steps = [
            VendorEscalationProgressed(
                case_number="VC-000042", ticket_id=TICKET, partner="acme", step="acknowledged", at=T0 + stopped_after
            )
        ]
    if stopped_after is not None and declined:
        ends = [
            VendorEscalationClosed(
                case_number="VC-000042",
                escalation_id=f"{TICKET}-V1",
                ticket_id=TICKET,
                partner="acme",
                outcome="declined",
                closed_at=T0 + stopped_after,
            )
        ]
    [acknowledge] = plan_vendor_clocks(vendor_cases([sent], steps, ends))
    assert acknowledge.clock is VendorClock.ACKNOWLEDGE
    return acknowledge


@dataclass(frozen=True)
class Kind:
    """One kind of clock: how to plan it (its target is used up at `target`), and its events."""

    plan: Callable[..., PlannedClock]
    target: timedelta
    started: type[Event]
    warning: type[Event]
    met: type[Event]
    breached: type[Event]


TICKETS_OWN = Kind(ticket_response_clock, timedelta(minutes=30), SlaClocksStarted, SlaWarning, SlaMet, SlaBreached)
PARTNERS = Kind(
    partner_acknowledge_clock,
    timedelta(hours=4),
    SlaVendorClockStarted,
    SlaVendorWarning,
    SlaVendorMet,
    SlaVendorBreached,
)
both_kinds = pytest.mark.parametrize("kind", [TICKETS_OWN, PARTNERS], ids=["ticket's own", "partner's"])


@both_kinds
def test_a_new_clock_is_stored_announced_and_timed(kind: Kind) -> None:
    plan = kind.plan()
    actions = run(plan, None)
    assert steps(actions) == ["Start", kind.started.__name__, "ArmTimers"]
    start, _, arm = actions
    assert isinstance(start, Start)
    assert isinstance(arm, ArmTimers)
    assert (start.clock.kind, start.clock.due_at, start.clock.stopped_at) == (plan.kind, T0 + kind.target, None)
    assert arm.moments == {0.75: T0 + kind.target * 0.75, 1.0: T0 + kind.target}


@both_kinds
def test_a_clock_the_event_did_not_move_needs_nothing(kind: Kind) -> None:
    running, met = kind.plan(), kind.plan(timedelta(minutes=10))
    assert run(running, stored_as(running)) == []  # its timers stay as armed, those fired stay fired
    assert run(met, stored_as(met, Outcome.MET)) == []


@both_kinds
def test_a_moved_deadline_is_stored_and_its_timers_moved(kind: Kind) -> None:
    plan = kind.plan()
    earlier = replace(stored_as(plan), due_at=T0 + kind.target - timedelta(minutes=5))
    actions = run(plan, earlier)
    # A ticket's own clock announces its new deadline (the customer's systems, the office's list); a
    # partner's, the integrator's business with the partner, does not.
    announced = [Announce(key_of(plan), changed(key_of(plan), plan))] if isinstance(plan, ClockPlan) else []
    assert actions == [
        Rewrite(key_of(plan), T0 + kind.target, None, plan.target_minutes, str(plan.counting), None),
        *announced,
        ArmTimers(key_of(plan), plan.timer_moments(TERMS.warn_at)),
    ]


@both_kinds
def test_a_clock_stopped_in_time_is_met_once(kind: Kind) -> None:
    running, met = kind.plan(), kind.plan(timedelta(minutes=10))
    actions = run(met, stored_as(running))
    assert steps(actions) == ["Rewrite", "DisarmTimers", "RecordOutcome", kind.met.__name__]
    assert actions[2] == RecordOutcome(key_of(met), Outcome.MET)
    announced = actions[3]
    assert isinstance(announced, Announce)
    assert announced.event.model_dump()["corrects_breach"] is False
    assert run(met, stored_as(met, Outcome.MET)) == []


@both_kinds
def test_a_warning_fires_once_and_changes_nothing_stored(kind: Kind) -> None:
    plan = kind.plan()
    timer = DueTimer(
        7, key_of(plan), 0.75, T0 + kind.target * 0.75, plan.due_at, plan.target_minutes, plan.partner, plan.case_number
    )
    [announced] = fire(timer, T0 + kind.target * 0.75)
    assert isinstance(announced, Announce)
    assert isinstance(announced.event, kind.warning)
    assert announced.event.model_dump()["due_at"] == T0 + kind.target
    # Warning writes nothing the plan compares with: the next event leaves the fired timer alone.
    assert run(plan, stored_as(plan)) == []


@both_kinds
def test_a_breach_fires_once_and_a_late_stop_does_not_repeat_it(kind: Kind) -> None:
    plan = kind.plan()
    timer = DueTimer(
        8, key_of(plan), 1.0, T0 + kind.target, plan.due_at, plan.target_minutes, plan.partner, plan.case_number
    )
    recorded, announced = fire(timer, T0 + kind.target)
    assert recorded == RecordOutcome(key_of(plan), Outcome.BREACHED, breached_at=T0 + kind.target)
    assert isinstance(announced, Announce)
    assert isinstance(announced.event, kind.breached)
    late = kind.plan(kind.target + timedelta(hours=1))
    assert steps(run(late, stored_as(plan, Outcome.BREACHED))) == ["Rewrite", "DisarmTimers"]
    assert run(late, stored_as(late, Outcome.BREACHED)) == []


@both_kinds
def test_a_clock_stopped_late_before_the_scheduler_saw_it_is_breached_once(kind: Kind) -> None:
    running, late = kind.plan(), kind.plan(kind.target + timedelta(minutes=5))
    actions = run(late, stored_as(running))
    assert steps(actions) == ["Rewrite", "DisarmTimers", "RecordOutcome", kind.breached.__name__]
    assert actions[2] == RecordOutcome(key_of(late), Outcome.BREACHED, breached_at=T0 + kind.target)
    assert run(late, stored_as(late, Outcome.BREACHED)) == []


@both_kinds
def test_a_late_report_of_a_stop_in_time_corrects_the_breach(kind: Kind) -> None:
    running, met = kind.plan(), kind.plan(timedelta(minutes=10))
    actions = run(met, stored_as(running, Outcome.BREACHED))
    assert steps(actions) == ["Rewrite", "DisarmTimers", "RecordOutcome", kind.met.__name__]
    assert actions[2] == RecordOutcome(key_of(met), Outcome.MET, corrects_breach=True)
    announced = actions[3]
    assert isinstance(announced, Announce)
    assert announced.event.model_dump()["corrects_breach"] is True


def test_a_partners_clock_whose_case_ended_before_its_step_is_cancelled_once() -> None:
    running, declined = partner_acknowledge_clock(), partner_acknowledge_clock(timedelta(hours=1), declined=True)
    actions = run(declined, stored_as(running))
    assert steps(actions) == ["Rewrite", "DisarmTimers", "RecordOutcome"]
    assert actions[2] == RecordOutcome(key_of(declined), Outcome.CANCELLED)
    assert run(declined, stored_as(declined, Outcome.CANCELLED)) == []
    # Breached before the case was declined: the breach stands.
    assert steps(run(declined, stored_as(running, Outcome.BREACHED))) == ["Rewrite", "DisarmTimers"]


def test_both_kinds_of_a_ticket_are_reconciled_together_in_the_plans_order() -> None:
    own, partners = ticket_response_clock(), partner_acknowledge_clock()
    planned = {key_of(own): own, key_of(partners): partners}
    actions = reconcile(TERMS, planned, {key_of(own): stored_as(own)})
    assert steps(actions) == ["Start", "SlaVendorClockStarted", "ArmTimers"]
    start = actions[0]
    assert isinstance(start, Start)
    assert (start.clock.policy_code, start.clock.policy_version, start.clock.partner, start.clock.case_number) == (
        "agreement:acme",
        2,
        "acme",
        "VC-000042",
    )
