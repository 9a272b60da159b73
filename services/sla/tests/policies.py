"""Policies the SLA tests count with: the contract's promise, and nothing they do not need."""

from datetime import date

from services.sla.domain.counting import Counting
from services.sla.domain.policy import Policy, Target
from shared.contracts import ClockKind, Priority, ServiceKind

FAILURES = frozenset({ServiceKind.FAULT, ServiceKind.WARRANTY_REPAIR})

PROMISE = Policy(
    name="the maintenance plan's promise",
    pauses={
        "waiting_for_customer": frozenset({ClockKind.ON_SITE, ClockKind.RESOLUTION}),
        "waiting_for_parts": frozenset({ClockKind.RESOLUTION}),
    },
    targets=(
        Target(clock=ClockKind.RESPONSE, minutes=30),
        Target(clock=ClockKind.ON_SITE, minutes=240, non_working_day_minutes=480, kinds=FAILURES),
        Target(clock=ClockKind.RESOLUTION, minutes=1080, counting=Counting.BUSINESS_HOURS, kinds=FAILURES),
        Target(
            clock=ClockKind.RESOLUTION,
            minutes=540,
            counting=Counting.BUSINESS_HOURS,
            kinds=frozenset({ServiceKind.FAULT}),
            priorities=frozenset({Priority.CRITICAL}),
        ),
    ),
)

# A customer closed for a week of its own, and a year whose holidays are not published yet.
WITH_EXCEPTIONS = PROMISE.model_copy(
    update={"days_off": frozenset({date(2026, 11, 26)}), "working_days": frozenset({date(2026, 11, 28)})}
)
