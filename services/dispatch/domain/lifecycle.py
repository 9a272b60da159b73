"""A ticket's life at dispatch, as the engineer and the service manager move it along.

    assigned --accept--> accepted --arrive--> on_site --resolve--> resolved --close--> closed
        \\____________arrive____________/                    ^            \\--reopen--> assigned
    any working status --pause--> paused --resume--> the status it was paused in
    a complaint with the quality desk --resolve--> resolved

Moves that make no sense (arriving at a closed ticket, resuming one that is not paused) are refused
with the reason, so the person pressing the button learns what the ticket's state is.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


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

_MOVES: dict[Action, tuple[frozenset[Status], Status | None]] = {
    Action.ACCEPT: (frozenset({Status.ASSIGNED}), Status.ACCEPTED),
    Action.ARRIVE: (frozenset({Status.ASSIGNED, Status.ACCEPTED}), Status.ON_SITE),
    Action.PAUSE: (WORKING, Status.PAUSED),
    Action.RESUME: (frozenset({Status.PAUSED}), None),  # back to where it was paused
    Action.RESOLVE: (WORKING | {Status.WITH_QUALITY_DESK}, Status.RESOLVED),
    Action.REOPEN: (frozenset({Status.RESOLVED}), Status.ASSIGNED),
    Action.CLOSE: (frozenset({Status.RESOLVED}), Status.CLOSED),
}


class MoveRefused(Exception):
    def __init__(self, action: Action, status: Status) -> None:
        allowed = ", ".join(sorted(s.value for s in _MOVES[action][0]))
        super().__init__(f"cannot {action.value} a ticket that is {status.value}; {action.value} applies to: {allowed}")


@dataclass(frozen=True)
class Move:
    status: Status
    paused_from: Status | None


def move(action: Action, status: Status, paused_from: Status | None) -> Move:
    """Where `action` takes a ticket in `status`; raises MoveRefused if it does not apply."""
    allowed, target = _MOVES[action]
    if status not in allowed:
        raise MoveRefused(action, status)
    if action is Action.PAUSE:
        return Move(Status.PAUSED, paused_from=status)
    if action is Action.RESUME:
        return Move(paused_from or Status.ASSIGNED, paused_from=None)
    assert target is not None
    return Move(target, paused_from=None)
