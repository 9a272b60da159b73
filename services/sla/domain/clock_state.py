"""What reconciling a ticket's clocks compares: a clock as its facts plan it (either kind), as the
database holds it, the key naming it in both, and the terms new clocks start under."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from services.sla.domain.clocks import ClockPlan
from services.sla.domain.outcome import Outcome
from services.sla.domain.vendor_clocks import VendorClockPlan


@dataclass(frozen=True)
class ClockKey:
    """One clock of a ticket: its kind (a vendor partner's kinds start with `vendor_`) and its cycle (a
    reopening's for a ticket's own clock, the case's number for a partner's)."""

    ticket_id: str
    kind: str
    cycle: int


PlannedClock = ClockPlan | VendorClockPlan
"""A clock as the ticket's facts plan it: the ticket's own, or a vendor partner's on one case. Both are
stored, timed and settled alike; what tells them apart is what they are announced with and counted by."""


@dataclass(frozen=True)
class StoredClock:
    """What the database holds of a clock, as far as bringing it in line with its plan goes."""

    due_at: datetime | None
    stopped_at: datetime | None
    target_minutes: int
    counting: str
    outcome: Outcome | None

    def says(self, plan: PlannedClock) -> bool:
        """Whether the stored clock already says what the plan says."""
        return (self.due_at, self.stopped_at, self.target_minutes, self.counting) == (
            plan.due_at,
            plan.stopped_at,
            plan.target_minutes,
            plan.counting,
        )


@dataclass(frozen=True)
class Terms:
    """What a ticket's clocks start under: its site, and the policy version its own clocks count by (the
    first one's, kept for good). A partner's clock counts by the agreement its case was sent under, but
    warns at the policy's shares and is stored on its calendar, like the ticket's own."""

    site_code: str
    timezone: str
    policy_code: str
    policy_version: int
    calendar: str
    warn_at: tuple[float, ...]
