"""A ticket's life at dispatch, as the engineer and the service manager move it along.

    assigned --accept--> accepted --arrive--> on_site --resolve--> resolved --close--> closed
        \\____________arrive____________/                    ^            \\--reopen--> assigned
    any working status --pause--> paused --resume--> the status it was paused in
    a complaint with the quality desk --resolve--> resolved

A move is refused, with what the person pressing the button must change, when it makes no sense in
the ticket's state (arriving at a closed ticket, resuming one that is not paused), when it says it
happened before the report or in the future, or when it lacks what the record needs (why a pause or
a reopening; what was done, on resolving).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from shared.contracts import PauseReason, Priority, ServiceKind
from shared.moments import in_the_future
from shared.refusals import Refused


class Status(StrEnum):
    NEW = "new"
    AWAITING_ASSIGNMENT = "awaiting_assignment"
    WITH_QUALITY_DESK = "with_quality_desk"
    ASSIGNED = "assigned"
    ACCEPTED = "accepted"
    ON_SITE = "on_site"
    PAUSED = "paused"
    RESOLVED = "resolved"
    CLOSED = "closed"


class Action(StrEnum):
    ACCEPT = "accept"
    ARRIVE = "arrive"
    PAUSE = "pause"
    RESUME = "resume"
    RESOLVE = "resolve"
    REOPEN = "reopen"
    CLOSE = "close"


# Tickets in these states occupy their engineer (they count toward the engineer's limit).
OPEN = frozenset({Status.ASSIGNED, Status.ACCEPTED, Status.ON_SITE, Status.PAUSED})
WORKING = frozenset({Status.ASSIGNED, Status.ACCEPTED, Status.ON_SITE})
NOT_YET_ACCEPTED = frozenset({Status.AWAITING_ASSIGNMENT, Status.ASSIGNED})  # at risk if the response clock warns
# The field work beside the moves, escalating to the vendor and swapping a device, is done on a ticket an
# engineer is working: accepted, on site or paused (escalations.py, swaps.py; the phone offers it then).
BEING_WORKED = frozenset({Status.ACCEPTED, Status.ON_SITE, Status.PAUSED})
FIELD_WORK = ("escalate", "swap")

_MOVES: dict[Action, tuple[frozenset[Status], Status | None]] = {
    Action.ACCEPT: (frozenset({Status.ASSIGNED}), Status.ACCEPTED),
    Action.ARRIVE: (frozenset({Status.ASSIGNED, Status.ACCEPTED}), Status.ON_SITE),
    Action.PAUSE: (WORKING, Status.PAUSED),
    Action.RESUME: (frozenset({Status.PAUSED}), None),  # back to where it was paused
    Action.RESOLVE: (WORKING | {Status.WITH_QUALITY_DESK}, Status.RESOLVED),
    Action.REOPEN: (frozenset({Status.RESOLVED}), Status.ASSIGNED),
    Action.CLOSE: (frozenset({Status.RESOLVED}), Status.CLOSED),
}

_NEEDS_REASON = frozenset({Action.PAUSE, Action.REOPEN})
_NEEDS_ENGINEER = frozenset({Action.ACCEPT, Action.ARRIVE})


class Refusal(StrEnum):
    """Why a move was refused. Some say the request was wrong, some that the ticket's state does not
    allow it; the HTTP edge tells the two apart."""

    IN_THE_FUTURE = "in_the_future"
    BEFORE_REPORT = "before_report"
    REASON_REQUIRED = "reason_required"
    UNKNOWN_PAUSE_REASON = "unknown_pause_reason"
    SUMMARY_REQUIRED = "summary_required"
    NOT_IN_THIS_STATE = "move_refused"
    NO_ENGINEER = "no_engineer"
    NOT_ASSIGNABLE = "not_assignable"
    FOLLOW_UP_PENDING = "follow_up_pending"
    ALREADY_ASSIGNED = "already_assigned"


class MoveRefused(Refused):
    def __init__(self, refusal: Refusal, message: str) -> None:
        super().__init__(refusal.value, message)
        self.refusal = refusal


@dataclass(frozen=True)
class TicketState:
    """What a move depends on: where the ticket is, who holds it, when it was reported."""

    ticket_id: str
    site_code: str
    subsystem: str
    kind: ServiceKind
    priority: Priority
    status: Status
    paused_from: Status | None
    engineer_id: str | None
    reported_at: datetime


@dataclass(frozen=True)
class Move:
    status: Status
    paused_from: Status | None


def decide_move(
    ticket: TicketState, action: Action, *, at: datetime, now: datetime, reason: str | None, summary: str | None
) -> Move:
    """Where `action`, said to have happened `at`, takes the ticket; raises MoveRefused if it may not."""
    if in_the_future(at, now):
        raise MoveRefused(Refusal.IN_THE_FUTURE, f"{action.value} at {at.isoformat()} is in the future")
    if at < ticket.reported_at:
        raise MoveRefused(
            Refusal.BEFORE_REPORT, f"{action.value} at {at.isoformat()} is before the ticket was reported"
        )
    if action in _NEEDS_REASON and not reason:
        raise MoveRefused(Refusal.REASON_REQUIRED, f"say why: {action.value} needs a reason")
    if action is Action.PAUSE and reason not in set(PauseReason):
        known = ", ".join(PauseReason)
        raise MoveRefused(Refusal.UNKNOWN_PAUSE_REASON, f"no pause reason {reason!r}; pause for one of: {known}")
    if action is Action.RESOLVE and not summary:
        raise MoveRefused(Refusal.SUMMARY_REQUIRED, "say what was done: resolve needs a summary")
    moved = move(action, ticket.status, ticket.paused_from)
    if action in _NEEDS_ENGINEER and ticket.engineer_id is None:
        raise MoveRefused(Refusal.NO_ENGINEER, f"ticket {ticket.ticket_id} has no engineer to {action.value}")
    return moved


def move(action: Action, status: Status, paused_from: Status | None) -> Move:
    """Where `action` takes a ticket in `status`; raises MoveRefused if it does not apply there."""
    allowed, target = _MOVES[action]
    if status not in allowed:
        applies_to = ", ".join(sorted(s.value for s in allowed))
        raise MoveRefused(
            Refusal.NOT_IN_THIS_STATE,
            f"cannot {action.value} a ticket that is {status.value}; {action.value} applies to: {applies_to}",
        )
    if action is Action.PAUSE:
        return Move(Status.PAUSED, paused_from=status)
    if action is Action.RESUME:
        return Move(paused_from or Status.ASSIGNED, paused_from=None)
    assert target is not None
    return Move(target, paused_from=None)


def moves_table() -> dict[str, dict[str, Any]]:
    """Each move, the statuses it applies to and the status it leads to (None: back to the status it
    was paused in): for a phone that offers only the moves that apply, even offline, without a copy
    of these rules of its own."""
    return {
        action.value: {"from": sorted(status.value for status in allowed), "to": target.value if target else None}
        for action, (allowed, target) in _MOVES.items()
    }


def field_work_table() -> dict[str, list[str]]:
    """The statuses each kind of field work beside the moves applies to, for the phone to offer it only
    there (served with the moves' table)."""
    return {work: sorted(status.value for status in BEING_WORKED) for work in FIELD_WORK}


# Whom the service manager may give a ticket to, and where that leaves it: a new engineer starts again
# from accepting it, except that a paused ticket stays paused (the customer or the parts still hold it).
ASSIGNABLE = OPEN | {Status.AWAITING_ASSIGNMENT}


def decide_assignment(ticket: TicketState, engineer_id: str) -> Status:
    """The status a ticket takes when given to `engineer_id` by hand; raises MoveRefused if it may not be."""
    if ticket.status not in ASSIGNABLE:
        why = "a complaint stays with the quality desk" if ticket.status is Status.WITH_QUALITY_DESK else "it is done"
        raise MoveRefused(Refusal.NOT_ASSIGNABLE, f"ticket {ticket.ticket_id} is {ticket.status.value}: {why}")
    if ticket.engineer_id == engineer_id:
        raise MoveRefused(Refusal.ALREADY_ASSIGNED, f"{engineer_id} already holds ticket {ticket.ticket_id}")
    return Status.PAUSED if ticket.status is Status.PAUSED else Status.ASSIGNED
