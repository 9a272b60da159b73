"""A ticket's moves at dispatch, without broker or database."""

import pytest

from services.dispatch.domain.lifecycle import Action, Move, MoveRefused, Status, move


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
