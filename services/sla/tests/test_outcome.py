"""How a clock's end is settled and how a clock stands, without broker or database."""

from datetime import UTC, datetime, timedelta

import pytest

from services.sla.domain.outcome import Outcome, Settlement, settle, standing

DUE = datetime(2026, 11, 25, 6, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("recorded", "in_time", "expected"),
    [
        (None, True, Settlement(Outcome.MET)),
        (None, False, Settlement(Outcome.BREACHED)),
        (Outcome.BREACHED, False, None),  # the scheduler said so already
        (Outcome.BREACHED, True, Settlement(Outcome.MET, corrects_breach=True)),  # a late report of a timely arrival
        (Outcome.MET, True, None),
        (Outcome.MET, False, None),  # met is never taken back
    ],
)
def test_a_stopped_clock_is_settled_once(recorded: Outcome | None, in_time: bool, expected: Settlement | None) -> None:
    assert settle(recorded, stopped_in_time=in_time) == expected


def test_past_due_is_breached_whether_or_not_the_notice_went_out() -> None:
    minute = timedelta(minutes=1)
    assert standing(None, DUE, None, DUE - minute) is None
    assert standing(None, DUE, None, DUE + minute) is Outcome.BREACHED
    assert standing(None, DUE, DUE + minute, DUE + 2 * minute) is Outcome.BREACHED  # stopped late
    assert standing(None, DUE, DUE - minute, DUE + minute) is None  # stopped in time, settling on its way
    assert standing(None, None, None, DUE) is None  # paused: no deadline
    assert standing(Outcome.MET, DUE, DUE - minute, DUE + minute) is Outcome.MET
