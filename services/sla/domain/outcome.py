"""How a clock ends, and when that is announced.

A clock is met when it stops within its target and breached when its target runs out first. The
scheduler announces a breach the moment the deadline passes; a clock that stops is settled by the
fact that stopped it. Reports stay the same afterwards, except for one correction: a late report
(an arrival typed in after the deadline passed, saying it happened in time) turns a breach into met.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

BREACH = 1.0
"""The share of a target at which its clock is breached; warnings come at smaller shares."""


class Outcome(StrEnum):
    MET = "met"
    BREACHED = "breached"
    CANCELLED = "cancelled"  # the ticket was reclassified and this clock no longer applies to it


@dataclass(frozen=True)
class Settlement:
    """What to record and announce for a clock that stopped."""

    outcome: Outcome
    corrects_breach: bool = False


def settle(recorded: Outcome | None, stopped_in_time: bool) -> Settlement | None:
    """The settlement of a stopped clock, given how it stood; None when that is already said."""
    if recorded is Outcome.MET or (recorded is Outcome.BREACHED and not stopped_in_time):
        return None
    if stopped_in_time:
        return Settlement(Outcome.MET, corrects_breach=recorded is Outcome.BREACHED)
    return Settlement(Outcome.BREACHED)


def standing(
    recorded: Outcome | None, due_at: datetime | None, stopped_at: datetime | None, now: datetime
) -> Outcome | None:
    """How a clock stands at `now`: as recorded, or breached once past due whether or not the notice
    has gone out yet; None while it runs within its target (or is paused with no deadline)."""
    if recorded is not None:
        return recorded
    if due_at is not None and due_at < (stopped_at or now):
        return Outcome.BREACHED
    return None
