"""Which clocks a ticket has and where each stands, from everything known about the ticket.

The plan is a pure function of the facts, whatever order they arrived in: an arrival recorded before
the opening it belongs to, or a pause reported after its resume, gives the same clocks as the same
facts in order. The service recomputes the plan on every fact and acts on the difference.

- response: from the report until the engineer accepts (or arrives, or it is resolved);
- on-site: from the report until the engineer arrives (or it is resolved without a visit);
- resolution: from the report until it is resolved; each reopening starts a new cycle.
A closed ticket stops every clock still running.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from services.sla.domain.counting import Counting, Pause, Timeline
from services.sla.domain.facts import TicketFacts
from services.sla.domain.outcome import BREACH
from services.sla.domain.policy import Policy
from shared.calendar import BusinessCalendar, DayType
from shared.contracts import ClockKind


@dataclass(frozen=True)
class ClockPlan:
    clock: ClockKind
    cycle: int
    started_at: datetime
    target: timedelta
    counting: Counting
    day_type: DayType
    timeline: Timeline
    stopped_at: datetime | None
    merged: bool = False  # the ticket joined another (a repeat report): its clocks stop, neither kept nor broken

    @property
    def kind(self) -> str:
        return self.clock.value

    @property
    def partner(self) -> str | None:
        """None: a ticket's own clock is the customer's, on no partner's case."""
        return None

    @property
    def case_number(self) -> str | None:
        return None

    @property
    def cancelled(self) -> bool:
        """When the ticket was merged into another; a clock the ticket's new kind or priority does not
        have is no longer planned at all."""
        return self.merged

    @property
    def target_minutes(self) -> int:
        return int(self.target.total_seconds() // 60)

    @property
    def due_at(self) -> datetime | None:
        """When the target runs out; None while a pause lasts."""
        return self.timeline.deadline(self.started_at, self.target)

    def moment_of(self, share: float) -> datetime | None:
        """When `share` of the target is used up (for warnings)."""
        return self.timeline.deadline(self.started_at, self.target * share)

    def timer_moments(self, warn_at: Sequence[float]) -> dict[float, datetime | None]:
        """When each warning share and the breach fall due; None while the clock is paused."""
        return {**{share: self.moment_of(share) for share in warn_at}, BREACH: self.due_at}

    def used(self, at: datetime) -> timedelta:
        return self.timeline.counted(self.started_at, at)

    @property
    def met(self) -> bool | None:
        """True if stopped in time, False if stopped late, None while running."""
        if self.stopped_at is None:
            return None
        return self.used(self.stopped_at) <= self.target


def plan_clocks(facts: TicketFacts, policy: Policy, calendar: BusinessCalendar | None = None) -> list[ClockPlan]:
    calendar = calendar or policy.business_calendar()
    zone = ZoneInfo(facts.timezone)
    # Merged into another ticket, which counts the problem's time from then: its clocks stop there.
    closed = min([*facts.closed_at, *([facts.merged_at] if facts.merged_at else [])], default=None)
    pauses = _pause_spans(facts)

    def plan(clock: ClockKind, cycle: int, started_at: datetime, stops: list[datetime]) -> ClockPlan | None:
        target = policy.target_for(clock, facts.kind, facts.priority)
        if target is None:
            return None
        stopped_at = min((t for t in [*stops, *([closed] if closed else [])] if t >= started_at), default=None)
        day_type = calendar.day_type(started_at.astimezone(zone).date())
        timeline = Timeline(
            counting=target.counting,
            calendar=calendar,
            timezone=facts.timezone,
            business_start=policy.business_start,
            business_end=policy.business_end,
            pauses=[p for reason, p in pauses if policy.pauses_clock(reason, clock)],
        )
        return ClockPlan(
            clock=clock,
            cycle=cycle,
            started_at=started_at,
            target=target.duration(day_type is DayType.WORKING_DAY),
            counting=target.counting,
            day_type=day_type,
            timeline=timeline,
            stopped_at=stopped_at,
            merged=facts.merged_at is not None,
        )

    reported = facts.reported_at
    plans = [
        plan(ClockKind.RESPONSE, 1, reported, [*facts.accepted_at, *facts.on_site_at, *facts.resolved_at]),
        plan(ClockKind.ON_SITE, 1, reported, [*facts.on_site_at, *facts.resolved_at]),
    ]
    starts = [reported, *sorted(t for t in facts.reopened_at if t > reported and (closed is None or t < closed))]
    plans += [
        plan(ClockKind.RESOLUTION, cycle, started_at, facts.resolved_at)
        for cycle, started_at in enumerate(starts, start=1)
    ]
    return [p for p in plans if p is not None]


def _pause_spans(facts: TicketFacts) -> list[tuple[str, Pause]]:
    """Pair each pause with the first resume after it; one pause at a time (a second pause while
    paused changes nothing but the reason of the first)."""
    spans: list[tuple[str, Pause]] = []
    resumes = sorted(facts.resumed_at)
    for fact in sorted(facts.paused, key=lambda p: p.since):
        if spans and (spans[-1][1].until is None or spans[-1][1].until > fact.since):
            continue
        until = next((t for t in resumes if t > fact.since), None)
        spans.append((fact.reason, Pause(fact.since, until)))
    return spans
