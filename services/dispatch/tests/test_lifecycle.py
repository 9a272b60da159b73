"""A ticket's moves at dispatch, without broker or database."""

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from services.dispatch.tickets.domain.lifecycle import (
    Action,
    Move,
    MoveRefused,
    Refusal,
    Status,
    TicketState,
    decide_move,
    field_work_table,
    move,
    moves_table,
)
from shared.contracts import Priority, ServiceKind


@pytest.mark.parametrize(
    ("action", "status", "expected"),
    [
        (Action.ACCEPT, Status.ASSIGNED, Status.ACCEPTED),
        (Action.ARRIVE, Status.ACCEPTED, Status.ON_SITE),
        (Action.ARRIVE, Status.ASSIGNED, Status.ON_SITE),  # went straight there without calling back
        (Action.RESOLVE, Status.ON_SITE, Status.RESOLVED),
        (Action.RESOLVE, Status.ACCEPTED, Status.RESOLVED),  # solved on the phone
        (Action.RESOLVE, Status.WITH_QUALITY_DESK, Status.RESOLVED),  # the complaint answered
        (Action.CLOSE, Status.RESOLVED, Status.CLOSED),
        (Action.REOPEN, Status.RESOLVED, Status.ASSIGNED),
    ],
)
def test_the_moves_of_a_ticket(action: Action, status: Status, expected: Status) -> None:
    assert move(action, status, None) == Move(expected, paused_from=None)


def test_a_pause_remembers_where_the_ticket_was_and_resume_goes_back_there() -> None:
    paused = move(Action.PAUSE, Status.ON_SITE, None)
    assert paused == Move(Status.PAUSED, paused_from=Status.ON_SITE)
    assert move(Action.RESUME, paused.status, paused.paused_from) == Move(Status.ON_SITE, paused_from=None)


@pytest.mark.parametrize(
    ("action", "status"),
    [
        (Action.RESUME, Status.ON_SITE),
        (Action.ARRIVE, Status.CLOSED),
        (Action.CLOSE, Status.ON_SITE),
        (Action.ACCEPT, Status.WITH_QUALITY_DESK),  # a complaint is not an engineer's to accept
        (Action.REOPEN, Status.CLOSED),
        (Action.PAUSE, Status.PAUSED),
    ],
)
def test_moves_that_make_no_sense_are_refused_with_what_would(action: Action, status: Status) -> None:
    with pytest.raises(
        MoveRefused, match=f"cannot {action.value} a ticket that is {status.value}; {action.value} applies to:"
    ):
        move(action, status, None)


REPORTED = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)
ASSIGNED = TicketState(
    "HH138-20261125-0001", "HH138", "bgm", ServiceKind.FAULT, Priority.NORMAL, Status.ASSIGNED, None, "E01", REPORTED
)


def _decide(ticket: TicketState = ASSIGNED, action: Action = Action.ACCEPT, **given) -> Move:
    values = {"at": REPORTED + timedelta(minutes=10), "now": REPORTED + timedelta(minutes=20)} | given
    return decide_move(
        ticket, action, reason=values.get("reason"), summary=values.get("summary"), at=values["at"], now=values["now"]
    )


@pytest.mark.parametrize(
    ("ticket", "action", "given", "refusal"),
    [
        (ASSIGNED, Action.ACCEPT, {"at": REPORTED + timedelta(minutes=26)}, Refusal.IN_THE_FUTURE),
        (ASSIGNED, Action.ACCEPT, {"at": REPORTED - timedelta(minutes=1)}, Refusal.BEFORE_REPORT),
        (ASSIGNED, Action.PAUSE, {}, Refusal.REASON_REQUIRED),
        (ASSIGNED, Action.PAUSE, {"reason": "coffee break"}, Refusal.UNKNOWN_PAUSE_REASON),
        (replace(ASSIGNED, status=Status.RESOLVED), Action.REOPEN, {}, Refusal.REASON_REQUIRED),
        (ASSIGNED, Action.RESOLVE, {}, Refusal.SUMMARY_REQUIRED),
        (ASSIGNED, Action.RESUME, {}, Refusal.NOT_IN_THIS_STATE),
        (replace(ASSIGNED, engineer_id=None), Action.ARRIVE, {}, Refusal.NO_ENGINEER),
    ],
    ids=[
        "future",
        "before-report",
        "pause-why",
        "pause-unknown-why",
        "reopen-why",
        "resolve-what",
        "wrong-state",
        "no-engineer",
    ],
)
def test_a_move_is_refused_with_the_reason_to_act_on(ticket, action, given, refusal) -> None:
    with pytest.raises(MoveRefused) as refused:
        _decide(ticket, action, **given)
    assert refused.value.refusal is refusal


def test_a_move_a_few_minutes_ahead_of_our_clock_is_a_fast_phone_not_the_future() -> None:
    assert _decide(at=REPORTED + timedelta(minutes=24)) == Move(Status.ACCEPTED, paused_from=None)


def test_a_complaint_with_the_quality_desk_is_resolved_without_an_engineer() -> None:
    complaint = replace(ASSIGNED, status=Status.WITH_QUALITY_DESK, engineer_id=None)
    assert _decide(complaint, Action.RESOLVE, summary="Apologised; visit rescheduled").status is Status.RESOLVED


@pytest.mark.parametrize("action", list(Action))
def test_the_table_of_moves_a_phone_reads_says_what_the_moves_do(action: Action) -> None:
    """The phone offers the moves (and shows where they lead) from this table: it agrees with move()."""
    told = moves_table()[action.value]
    for status in Status:
        if status.value not in told["from"]:
            with pytest.raises(MoveRefused):
                move(action, status, None)
            continue
        moved = move(action, status, Status.ACCEPTED if status is Status.PAUSED else None)
        assert moved.status.value == (told["to"] or Status.ACCEPTED.value), (action, status)


def test_the_field_work_a_phone_offers_is_where_dispatch_takes_it() -> None:
    """Escalating and swapping a device: an engineer working the ticket (escalations.py refuses otherwise)."""
    assert field_work_table() == {
        "escalate": ["accepted", "on_site", "paused"],
        "swap": ["accepted", "on_site", "paused"],
    }
