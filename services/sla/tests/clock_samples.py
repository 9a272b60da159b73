"""Clocks for the reconciler's tests: a ticket's planned response clock, what the database would hold of
a plan, and reconciling one clock alone."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from services.sla.domain.clock_state import ClockKey, PlannedClock, StoredClock, Terms
from services.sla.domain.clocks import plan_clocks
from services.sla.domain.facts import TicketFacts
from services.sla.domain.outcome import Outcome
from services.sla.domain.policy import STANDARD_POLICY
from services.sla.domain.reconcile import Action, Announce, reconcile
from shared.contracts import ClockKind, Priority, ServiceKind

TICKET = "HH138-20261125-0001"
T0 = datetime(2026, 11, 25, 2, 0, tzinfo=UTC)  # a Wednesday, 10:00 in Shanghai
TERMS = Terms("HH138", "Asia/Shanghai", "standard", 1, "CN", (0.75,))


def ticket_facts(**changes: object) -> TicketFacts:
    """A bgm fault at HH138 reported at T0; `changes` add its moves."""
    facts: dict[str, object] = {
        "ticket_id": TICKET, "site_code": "HH138", "timezone": "Asia/Shanghai", "kind": ServiceKind.FAULT,
        "priority": Priority.NORMAL, "reported_at": T0,
    }  # fmt: skip
    return TicketFacts(**{**facts, **changes})  # type: ignore[arg-type]


def ticket_response_clock(stopped_after: timedelta | None = None) -> PlannedClock:
    """The ticket's 30-minute response clock, answered `stopped_after` the report."""
    facts = ticket_facts(accepted_at=[T0 + stopped_after] if stopped_after is not None else [])
    [response] = [p for p in plan_clocks(facts, STANDARD_POLICY) if p.clock is ClockKind.RESPONSE]
    return response


def key_of(plan: PlannedClock) -> ClockKey:
    return ClockKey(TICKET, plan.kind, plan.cycle)


def stored_as(plan: PlannedClock, outcome: Outcome | None = None) -> StoredClock:
    return StoredClock(plan.due_at, plan.stopped_at, plan.target_minutes, str(plan.counting), outcome)


def run(plan: PlannedClock, stored: StoredClock | None) -> list[Action]:
    key = key_of(plan)
    return reconcile(TERMS, {key: plan}, {key: stored} if stored else {})


def steps(actions: list[Action]) -> list[str]:
    """The actions by name, an announcement by the event it announces."""
    return [type(a.event).__name__ if isinstance(a, Announce) else type(a).__name__ for a in actions]
