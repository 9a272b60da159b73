"""A ticket's own clocks that start in one handling of its events are announced together, in one
`sla.clocks_started`, before anything else said of them; a partner's clock is announced on its own."""

from __future__ import annotations

from datetime import timedelta

from services.sla.domain.clock_state import PlannedClock
from services.sla.domain.clocks import plan_clocks
from services.sla.domain.policy import STANDARD_POLICY
from services.sla.domain.reconcile import Announce, reconcile
from services.sla.tests.clock_samples import T0, TERMS, TICKET, key_of, steps, stored_as, ticket_facts
from services.sla.tests.test_reconcile import partner_acknowledge_clock
from shared.contracts import ClockKind, SlaClocksStarted


def _planned(**moves: object) -> list[PlannedClock]:
    return list(plan_clocks(ticket_facts(**moves), STANDARD_POLICY))


def _announced(actions: list) -> list[SlaClocksStarted]:
    return [a.event for a in actions if isinstance(a, Announce) and isinstance(a.event, SlaClocksStarted)]


def test_an_opened_tickets_three_clocks_are_announced_in_one_event() -> None:
    plans = _planned()
    actions = reconcile(TERMS, {key_of(plan): plan for plan in plans}, {})
    assert steps(actions) == ["Start", "SlaClocksStarted", "ArmTimers", "Start", "ArmTimers", "Start", "ArmTimers"]
    [started] = _announced(actions)
    assert started.ticket_id == TICKET
    assert [(c.clock, c.cycle) for c in started.clocks] == [
        (ClockKind.RESPONSE, 1),
        (ClockKind.ON_SITE, 1),
        (ClockKind.RESOLUTION, 1),
    ]
    assert [c.due_at for c in started.clocks] == [plan.due_at for plan in plans]
    assert {(c.calendar, c.policy, c.started_at) for c in started.clocks} == {("CN", "standard", T0)}
    # Each clock as sla.clock_started told it, for the receivers subscribed to that.
    assert [(one.ticket_id, one.clock, one.target_minutes) for one in started.each_clock()] == [
        (TICKET, c.clock, c.target_minutes) for c in started.clocks
    ]


def test_a_clock_started_and_met_in_one_handling_is_announced_started_first() -> None:
    plans = _planned(accepted_at=[T0 + timedelta(minutes=10)])
    actions = reconcile(TERMS, {key_of(plan): plan for plan in plans}, {})
    assert steps(actions)[:5] == ["Start", "SlaClocksStarted", "DisarmTimers", "RecordOutcome", "SlaMet"]
    assert len(_announced(actions)) == 1


def test_a_reopened_tickets_resolution_clock_restarts_alone_in_a_list_of_one() -> None:
    resolved = {"accepted_at": [T0 + timedelta(minutes=5)], "resolved_at": [T0 + timedelta(hours=1)]}
    before = {key_of(plan): stored_as(plan) for plan in _planned(**resolved)}
    reopened = _planned(**resolved, reopened_at=[T0 + timedelta(hours=2)])
    [started] = _announced(reconcile(TERMS, {key_of(plan): plan for plan in reopened}, before))
    assert [(c.clock, c.cycle, c.started_at) for c in started.clocks] == [
        (ClockKind.RESOLUTION, 2, T0 + timedelta(hours=2))
    ]


def test_a_partners_clock_starting_with_the_tickets_own_is_announced_on_its_own() -> None:
    own, partners = _planned(), partner_acknowledge_clock()
    planned = {key_of(plan): plan for plan in [*own, partners]}
    announced = [type(a.event).__name__ for a in reconcile(TERMS, planned, {}) if isinstance(a, Announce)]
    assert announced == ["SlaClocksStarted", "SlaVendorClockStarted"]
