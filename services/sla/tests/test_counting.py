"""Counting time on a clock: wall-clock and business hours, pauses excluded, on 2026's real calendar."""

from datetime import UTC, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from services.sla.domain.counting import Counting, Pause, Timeline
from shared.calendar import BusinessCalendar

SHANGHAI = ZoneInfo("Asia/Shanghai")
CALENDAR = BusinessCalendar("CN")
WALL = Timeline(Counting.WALL_CLOCK, CALENDAR, "Asia/Shanghai")
BUSINESS = Timeline(Counting.BUSINESS_HOURS, CALENDAR, "Asia/Shanghai")


def sh(month: int, day: int, hour: int = 10, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=SHANGHAI)


@pytest.mark.parametrize(
    ("start", "hours", "due"),
    [
        (sh(11, 25, 10), 2, sh(11, 25, 12)),  # within one working day
        (sh(11, 25, 17), 2, sh(11, 26, 10)),  # overnight: 1 h today, 1 h from 09:00 tomorrow
        (sh(11, 27, 17), 2, sh(11, 30, 10)),  # Friday 17:00: the weekend does not count
        (sh(11, 25, 20), 1, sh(11, 26, 10)),  # after hours: starts counting at 09:00
        (sh(2, 13, 17, 30), 1, sh(2, 14, 9, 30)),  # Friday before Spring Festival -> make-up Saturday
        (sh(2, 14, 17), 2, sh(2, 24, 10)),  # make-up Saturday -> over the whole Spring Festival holiday
        (sh(2, 27, 17), 2, sh(2, 28, 10)),  # Friday -> the make-up Saturday after it
        (sh(9, 30, 17), 2, sh(10, 8, 10)),  # the day before National Day -> after the holiday week (1-7 Oct)
        (sh(1, 3, 17), 1, sh(1, 4, 10)),  # Saturday of New Year -> Sunday 4 January, a working day
    ],
)
def test_business_hours_deadlines_on_2026_calendar_edges(start: datetime, hours: int, due: datetime) -> None:
    assert BUSINESS.deadline(start, timedelta(hours=hours)) == due


def test_wall_clock_counts_every_hour_of_a_holiday() -> None:
    assert WALL.deadline(sh(9, 30, 23, 59), timedelta(hours=4)) == sh(10, 1, 3, 59)
    assert WALL.deadline(sh(2, 17, 12), timedelta(hours=8)) == sh(2, 17, 20)


def test_a_pause_moves_the_deadline_by_exactly_its_length() -> None:
    paused = Timeline(
        Counting.WALL_CLOCK, CALENDAR, "Asia/Shanghai", pauses=[Pause(sh(11, 25, 11), sh(11, 25, 12, 30))]
    )
    assert paused.deadline(sh(11, 25, 10), timedelta(hours=4)) == sh(11, 25, 15, 30)
    assert paused.counted(sh(11, 25, 10), sh(11, 25, 13)) == timedelta(hours=1, minutes=30)


def test_an_open_pause_leaves_the_deadline_unknown_and_stops_counting() -> None:
    waiting = Timeline(Counting.WALL_CLOCK, CALENDAR, "Asia/Shanghai", pauses=[Pause(sh(11, 25, 11))])
    assert waiting.deadline(sh(11, 25, 10), timedelta(hours=4)) is None
    assert waiting.counted(sh(11, 25, 10), sh(11, 27, 10)) == timedelta(hours=1)
    # A target reached before the pause began still has its deadline.
    assert waiting.deadline(sh(11, 25, 10), timedelta(minutes=30)) == sh(11, 25, 10, 30)


def test_a_pause_overnight_costs_business_hours_only_when_they_would_have_counted() -> None:
    paused = Timeline(
        Counting.BUSINESS_HOURS, CALENDAR, "Asia/Shanghai", pauses=[Pause(sh(11, 25, 17), sh(11, 26, 10))]
    )
    # 16:00-17:00 counts, 17:00-18:00 paused, night off, 09:00-10:00 paused, then 2 more hours.
    assert paused.deadline(sh(11, 25, 16), timedelta(hours=3)) == sh(11, 26, 12)


def test_deadlines_are_counted_in_real_hours_across_a_daylight_saving_change() -> None:
    new_york = Timeline(Counting.WALL_CLOCK, BusinessCalendar("US"), "America/New_York")
    start = datetime(2026, 3, 8, 1, 30, tzinfo=ZoneInfo("America/New_York"))  # clocks go forward at 02:00
    due = new_york.deadline(start, timedelta(hours=8))
    assert due is not None
    assert due - start.astimezone(UTC) == timedelta(hours=8)


# --- properties -----------------------------------------------------------------------------------

offsets = st.integers(min_value=-12 * 60, max_value=14 * 60).map(lambda m: timezone(timedelta(minutes=m)))
moments = st.datetimes(min_value=datetime(2026, 1, 1), max_value=datetime(2026, 12, 20), timezones=offsets)
targets = st.integers(min_value=1, max_value=5 * 540).map(lambda m: timedelta(minutes=m))
countings = st.sampled_from([WALL, BUSINESS])


@st.composite
def pauses_after(draw: st.DrawFn, start: datetime) -> list[Pause]:
    """Up to three closed pauses, each starting after the clock and lasting up to three days."""
    found = []
    cursor = start
    for _ in range(draw(st.integers(0, 3))):
        since = cursor + timedelta(minutes=draw(st.integers(0, 3 * 24 * 60)))
        until = since + timedelta(minutes=draw(st.integers(1, 3 * 24 * 60)))
        found.append(Pause(since, until))
        cursor = until
    return found


@settings(max_examples=200, deadline=None)
@given(start=moments, target=targets, timeline=countings)
def test_a_deadline_is_never_before_its_start_and_counts_exactly_its_target(
    start: datetime, target: timedelta, timeline: Timeline
) -> None:
    due = timeline.deadline(start, target)
    assert due is not None
    assert due > start
    assert timeline.counted(start, due) == target


@settings(max_examples=200, deadline=None)
@given(first=moments, later_by=st.integers(0, 30 * 24 * 60), target=targets, timeline=countings)
def test_deadlines_never_move_earlier_when_the_start_moves_later(
    first: datetime, later_by: int, target: timedelta, timeline: Timeline
) -> None:
    second = first + timedelta(minutes=later_by)
    due_first, due_second = timeline.deadline(first, target), timeline.deadline(second, target)
    assert due_first is not None
    assert due_second is not None
    assert due_first <= due_second


@settings(max_examples=200, deadline=None)
@given(data=st.data(), start=moments, target=targets, counting=st.sampled_from(list(Counting)))
def test_paused_time_is_excluded_exactly(
    data: st.DataObject, start: datetime, target: timedelta, counting: Counting
) -> None:
    pauses = data.draw(pauses_after(start))
    plain = Timeline(counting, CALENDAR, "Asia/Shanghai")
    paused = Timeline(counting, CALENDAR, "Asia/Shanghai", pauses=pauses)
    due = paused.deadline(start, target)
    assert due is not None
    assert paused.counted(start, due) == target
    # Everything the pauses did not remove still counts: plain time = paused time + time inside pauses.
    inside = sum(
        (plain.counted(start, min(p.until, due)) - plain.counted(start, min(p.since, due)) for p in pauses if p.until),
        timedelta(),
    )
    assert plain.counted(start, due) == target + inside


@settings(max_examples=200, deadline=None)
@given(start=moments, target=targets)
def test_business_hours_deadlines_fall_within_business_hours_on_working_days(
    start: datetime, target: timedelta
) -> None:
    due = BUSINESS.deadline(start, target)
    assert due is not None
    local = due.astimezone(SHANGHAI)
    assert CALENDAR.is_working_day(local.date())
    assert time(9, 0) < local.time() <= time(18, 0)
