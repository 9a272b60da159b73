"""A ticket's own clock still counting is announced when its deadline moves or it no longer applies
(`sla.clock_changed`), once; a breach once told stands, and a partner's clocks are not announced so."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from services.sla.domain.announcements import cancelled, changed
from services.sla.domain.clocks import ClockPlan, plan_clocks
from services.sla.domain.facts import PauseFact
from services.sla.domain.outcome import Outcome
from services.sla.domain.policy import STANDARD_POLICY
from services.sla.domain.reconcile import Announce, DisarmTimers, RecordOutcome, Rewrite, reconcile
from services.sla.tests.clock_samples import (
    T0,
    TERMS,
    key_of,
    run,
    steps,
    stored_as,
    ticket_facts,
    ticket_response_clock,
)
from shared.contracts import ClockKind


def _planned(**moves: object) -> dict[str, ClockPlan]:
    return {p.kind: p for p in plan_clocks(ticket_facts(**moves), STANDARD_POLICY)}


def test_a_pause_moves_a_ticket_clocks_deadline_and_says_so_once() -> None:
    pause = [PauseFact("waiting_for_customer", T0 + timedelta(hours=1))]
    unpaused, paused, resumed = (
        _planned(),
        _planned(paused=pause),
        _planned(paused=pause, resumed_at=[T0 + timedelta(hours=2)]),
    )
    on_site = ClockKind.ON_SITE.value
    # Paused: no deadline while the pause lasts, said once; nothing more said of it while it lasts.
    actions = run(paused[on_site], stored_as(unpaused[on_site]))
    assert steps(actions) == ["Rewrite", "SlaClockChanged", "ArmTimers"]
    assert actions[1] == Announce(key_of(paused[on_site]), changed(key_of(paused[on_site]), paused[on_site]))
    assert changed(key_of(paused[on_site]), paused[on_site]).model_dump()["due_at"] is None
    assert run(paused[on_site], stored_as(paused[on_site])) == []
    # Resumed: the deadline an hour later than it was.
    actions = run(resumed[on_site], stored_as(paused[on_site]))
    assert steps(actions) == ["Rewrite", "SlaClockChanged", "ArmTimers"]
    assert resumed[on_site].due_at == T0 + timedelta(hours=5)  # 4 hours, one of them paused
    response = ClockKind.RESPONSE.value
    assert run(resumed[response], stored_as(unpaused[response])) == []  # not paused: nothing to say


def test_a_breached_clock_stays_breached_whatever_moves_after() -> None:
    plan = ticket_response_clock()
    key = key_of(plan)
    assert plan.due_at is not None
    earlier = replace(stored_as(plan, Outcome.BREACHED), due_at=plan.due_at - timedelta(minutes=5))
    assert "SlaClockChanged" not in steps(run(plan, earlier))
    assert reconcile(TERMS, {}, {key: stored_as(plan, Outcome.BREACHED)}) == [
        DisarmTimers(key),
        RecordOutcome(key, Outcome.CANCELLED),
    ]


def test_a_ticket_clock_no_longer_planned_is_cancelled_once_and_revived_if_planned_again() -> None:
    plan = ticket_response_clock()
    key = key_of(plan)
    assert reconcile(TERMS, {}, {key: stored_as(plan)}) == [
        DisarmTimers(key),
        RecordOutcome(key, Outcome.CANCELLED),
        Announce(key, cancelled(key, plan.target_minutes)),
    ]
    assert reconcile(TERMS, {}, {key: stored_as(plan, Outcome.CANCELLED)}) == []
    assert reconcile(TERMS, {}, {key: stored_as(ticket_response_clock(timedelta(minutes=5)), Outcome.MET)}) == []
    # Reclassified back: it counts again, from its report, and warns again; its deadline is announced.
    assert steps(run(plan, stored_as(plan, Outcome.CANCELLED))) == ["Rewrite", "SlaClockChanged", "ArmTimers"]
    assert run(plan, stored_as(plan, Outcome.CANCELLED))[0] == Rewrite(
        key, plan.due_at, None, plan.target_minutes, str(plan.counting), None
    )
