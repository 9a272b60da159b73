"""A vendor partner's clocks on a case, nested in the ticket: acknowledge the request; for a visit, be
on site; for a repair, repair; for a replacement, ship it. Each runs from the moment the request was
sent to the deadline its agreement gives (`shared.vendor_agreements`), and stops at the partner's step
or when the case ends. A clock whose case was declined or cancelled before its step is cancelled: it
was neither kept nor broken.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from services.sla.domain.outcome import BREACH
from shared.calendar import FALLBACK_SITE_CALENDAR
from shared.contracts import VendorClock, VendorEscalationClosed, VendorEscalationProgressed, VendorEscalationSent
from shared.contracts.partners import EscalationReason
from shared.vendor_agreements import describe_target, vendor_deadlines

KIND_PREFIX = "vendor_"

# The partner's step that stops each clock.
STOPPED_BY = {
    VendorClock.ACKNOWLEDGE: "acknowledged",
    VendorClock.ON_SITE: "visited",
    VendorClock.REPAIR: "repaired",
    VendorClock.REPLACEMENT: "replacement_shipped",
}


@dataclass
class VendorCase:
    """What the SLA service heard about one vendor case of a ticket."""

    sent: VendorEscalationSent
    steps: dict[str, datetime] = field(default_factory=dict)  # the first time each step was heard
    closed: VendorEscalationClosed | None = None

    @property
    def number(self) -> int:
        return int(self.sent.case_number.rsplit("-", 1)[-1])


def vendor_cases(
    sent: Iterable[VendorEscalationSent],
    progressed: Iterable[VendorEscalationProgressed],
    closed: Iterable[VendorEscalationClosed],
) -> list[VendorCase]:
    cases = {event.case_number: VendorCase(event) for event in sent}
    for step in sorted(progressed, key=lambda e: e.at):
        if step.case_number in cases:
            cases[step.case_number].steps.setdefault(step.step, step.at)
    for end in closed:
        if end.case_number in cases:
            cases[end.case_number].closed = end
    return sorted(cases.values(), key=lambda c: c.number)


@dataclass(frozen=True)
class VendorClockPlan:
    clock: VendorClock
    case_number: str
    cycle: int  # the case's number: a ticket's cases are its vendor clocks' cycles
    partner: str
    agreement_version: int
    started_at: datetime
    due_at: datetime
    target: str
    stopped_at: datetime | None
    cancelled: bool  # the case ended (declined, cancelled) before the clock's step

    @property
    def kind(self) -> str:
        return f"{KIND_PREFIX}{self.clock.value}"

    @property
    def counting(self) -> str:
        """A partner's clock runs to the date its agreement gives, not through a counted target."""
        return "deadline"

    @property
    def target_minutes(self) -> int:
        return max(1, int((self.due_at - self.started_at).total_seconds() // 60))

    @property
    def met(self) -> bool | None:
        return None if self.stopped_at is None else self.stopped_at <= self.due_at

    def timer_moments(self, warn_at: Sequence[float]) -> dict[float, datetime | None]:
        span = self.due_at - self.started_at
        return {**{share: self.started_at + span * share for share in warn_at}, BREACH: self.due_at}


def plan_vendor_clocks(cases: Iterable[VendorCase]) -> list[VendorClockPlan]:
    """The clocks of the ticket's cases, their working days counted on the calendar the vendor service
    counted the partner's deadlines on, which the case was sent with; a case sent without one was sent
    by a vendor service that knew no site calendars and counted on China's, to 18:00 (the fallback)."""
    plans = []
    for case in cases:
        sent = case.sent
        counted_on = sent.calendar or FALLBACK_SITE_CALENDAR
        deadlines = vendor_deadlines(
            sent.agreement,
            EscalationReason(sent.reason),
            sent.sent_at,
            sent.timezone,
            counted_on.business_calendar(),
            counted_on.business_end,
        )
        for clock, due_at in deadlines.items():
            step_at = case.steps.get(STOPPED_BY[clock])
            closed_at = case.closed.closed_at if case.closed else None
            stopped_at = min((t for t in (step_at, closed_at) if t is not None), default=None)
            cancelled = step_at is None and case.closed is not None and case.closed.outcome != "fixed"
            plans.append(
                VendorClockPlan(
                    clock=clock,
                    case_number=sent.case_number,
                    cycle=case.number,
                    partner=sent.partner,
                    agreement_version=sent.agreement_version,
                    started_at=sent.sent_at,
                    due_at=due_at,
                    target=describe_target(sent.agreement, clock),
                    stopped_at=stopped_at,
                    cancelled=cancelled,
                )
            )
    return plans


def is_vendor_kind(kind: str) -> bool:
    return kind.startswith(KIND_PREFIX)


def vendor_clock_of(kind: str) -> VendorClock:
    return VendorClock(kind.removeprefix(KIND_PREFIX))
