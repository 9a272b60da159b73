"""The on-site promise on 2026's real Chinese calendar, without broker or database.

4 hours from notification on a working day, 8 on a holiday; which applies is decided by the day the
notification falls on in the site's time zone, with the State Council's make-up working days.
"""

from datetime import UTC, date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.sla.domain.calendar import BusinessCalendar, DayType
from services.sla.domain.targets import on_site_deadline

CALENDAR = BusinessCalendar("CN")
SHANGHAI = ZoneInfo("Asia/Shanghai")


def _shanghai(year: int, month: int, day: int, hour: int = 10, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=SHANGHAI)


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2026, 11, 25), DayType.WORKING_DAY),  # a plain Wednesday
        (date(2026, 11, 28), DayType.HOLIDAY),  # a plain Saturday
        (date(2026, 1, 4), DayType.WORKING_DAY),  # Sunday, made up for the New Year holiday
        (date(2026, 2, 14), DayType.WORKING_DAY),  # Saturday, made up for the Spring Festival
        (date(2026, 2, 17), DayType.HOLIDAY),  # Spring Festival, a Tuesday
        (date(2026, 9, 30), DayType.WORKING_DAY),  # the Wednesday before National Day
        (date(2026, 10, 1), DayType.HOLIDAY),  # National Day, a Thursday
    ],
)
def test_the_calendar_knows_chinas_holidays_and_make_up_working_days(day: date, expected: DayType) -> None:
    assert CALENDAR.day_type(day) is expected
    assert CALENDAR.is_working_day(day) is (expected is DayType.WORKING_DAY)


@pytest.mark.parametrize(
    ("notified_at", "minutes", "day_type"),
    [
        (_shanghai(2026, 11, 25), 240, DayType.WORKING_DAY),
        (_shanghai(2026, 1, 4), 240, DayType.WORKING_DAY),
        (_shanghai(2026, 2, 17), 480, DayType.HOLIDAY),
        (_shanghai(2026, 2, 14), 240, DayType.WORKING_DAY),
        (_shanghai(2026, 10, 1), 480, DayType.HOLIDAY),
        (_shanghai(2026, 11, 28), 480, DayType.HOLIDAY),
    ],
    ids=[
        "Wednesday",
        "make-up Sunday",
        "Spring Festival",
        "make-up Saturday",
        "National Day",
        "plain Saturday",
    ],
)
def test_the_target_follows_the_day_of_notification(notified_at: datetime, minutes: int, day_type: DayType) -> None:
    deadline = on_site_deadline(notified_at, "Asia/Shanghai", CALENDAR)
    assert (deadline.target_minutes, deadline.day_type) == (minutes, day_type)
    assert deadline.started_at == notified_at
    assert deadline.due_at == notified_at + timedelta(minutes=minutes)


def test_a_call_just_before_midnight_on_a_working_day_keeps_four_hours_into_the_holiday() -> None:
    """The day the notification falls on decides, not the day the deadline falls on."""
    deadline = on_site_deadline(_shanghai(2026, 9, 30, 23, 59), "Asia/Shanghai", CALENDAR)
    assert (deadline.target_minutes, deadline.day_type) == (240, DayType.WORKING_DAY)
    assert deadline.due_at == _shanghai(2026, 10, 1, 3, 59)


def test_a_call_just_after_midnight_on_a_holiday_gets_eight_hours() -> None:
    deadline = on_site_deadline(_shanghai(2026, 10, 1, 0, 1), "Asia/Shanghai", CALENDAR)
    assert (deadline.target_minutes, deadline.day_type) == (480, DayType.HOLIDAY)
    assert deadline.due_at == _shanghai(2026, 10, 1, 8, 1)


def test_the_day_is_the_sites_local_day_not_the_utc_day() -> None:
    """16:30 UTC on 30 September is 00:30 on 1 October in Shanghai: National Day, so 8 hours."""
    notified_at = datetime(2026, 9, 30, 16, 30, tzinfo=UTC)
    deadline = on_site_deadline(notified_at, "Asia/Shanghai", CALENDAR)
    assert (deadline.target_minutes, deadline.day_type) == (480, DayType.HOLIDAY)
    assert deadline.due_at == datetime(2026, 10, 1, 0, 30, tzinfo=UTC)
    # The same instant seen from a site in UTC falls on a working day.
    assert on_site_deadline(notified_at, "UTC", CALENDAR).day_type is DayType.WORKING_DAY


# Offsets as the service receives them: `reported_at` arrives as JSON, so it carries a fixed offset.
fixed_offsets = st.integers(min_value=-12 * 60, max_value=14 * 60).map(lambda m: timezone(timedelta(minutes=m)))


@given(
    notified_at=st.datetimes(
        min_value=datetime(2026, 1, 1), max_value=datetime(2026, 12, 31, 23, 59, 59), timezones=fixed_offsets
    )
)
def test_every_deadline_is_four_or_eight_hours_after_notification(notified_at: datetime) -> None:
    deadline = on_site_deadline(notified_at, "Asia/Shanghai", CALENDAR)
    elapsed = deadline.due_at.astimezone(UTC) - deadline.started_at.astimezone(UTC)
    assert deadline.due_at > deadline.started_at
    assert deadline.started_at == notified_at
    assert elapsed == {DayType.WORKING_DAY: timedelta(hours=4), DayType.HOLIDAY: timedelta(hours=8)}[deadline.day_type]
    assert deadline.target_minutes * 60 == elapsed.total_seconds()


def test_a_deadline_across_a_daylight_saving_change_still_allows_the_full_target() -> None:
    """Not reachable through the handler today (JSON gives fixed offsets), but the function takes any aware time."""
    notified_at = datetime(2026, 3, 8, 1, 30, tzinfo=ZoneInfo("America/New_York"))  # clocks go forward at 02:00
    deadline = on_site_deadline(notified_at, "Asia/Shanghai", CALENDAR)
    assert deadline.due_at.astimezone(UTC) - notified_at.astimezone(UTC) == deadline.target
