"""The duty roster's rules, without broker or database: who is on shift, on call, off or on leave at a
moment, in the site's time zone."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from services.dispatch.roster.domain import Duty, DutyKind, DutyPeriod, InvalidPeriod, duty_at

SHANGHAI = "Asia/Shanghai"
WEEKDAYS = "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR"
SHIFT = DutyPeriod(DutyKind.SHIFT, datetime(2026, 1, 5, 8, 30), datetime(2026, 1, 5, 18, 0), SHANGHAI, WEEKDAYS)
NIGHTS = DutyPeriod(DutyKind.ON_CALL, datetime(2026, 1, 5, 18, 0), datetime(2026, 1, 6, 8, 30), SHANGHAI, "FREQ=DAILY")
LEAVE = DutyPeriod(DutyKind.LEAVE, datetime(2026, 12, 14), datetime(2026, 12, 19), SHANGHAI)


def shanghai(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    """A moment in Shanghai, given to the roster in UTC (it compares in the site's own time)."""
    return datetime(2026, month, day, hour, minute, tzinfo=ZoneInfo(SHANGHAI)).astimezone(UTC)


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        (shanghai(11, 25, 10), Duty.ON_SHIFT),  # a Wednesday morning
        (shanghai(11, 25, 8, 29), Duty.ON_CALL),  # still last night's on-call
        (shanghai(11, 25, 18), Duty.ON_CALL),  # the shift ends where the night begins
        (shanghai(11, 26, 3), Duty.ON_CALL),  # past midnight, Wednesday's night
        (shanghai(11, 28, 12), Duty.OFF),  # a Saturday noon: no shift, the night over
        (shanghai(12, 15, 10), Duty.ON_LEAVE),  # leave beats the shift
        (shanghai(12, 21, 10), Duty.ON_SHIFT),  # leave over, Monday's shift
    ],
    ids=["shift", "before-shift", "shift-end", "after-midnight", "weekend", "leave", "after-leave"],
)
def test_where_an_engineer_stands(moment: datetime, expected: Duty) -> None:
    assert duty_at([SHIFT, NIGHTS, LEAVE], moment) is expected


def test_a_period_before_its_first_occurrence_covers_nothing() -> None:
    assert duty_at([SHIFT], datetime(2025, 12, 31, 3, tzinfo=UTC)) is Duty.OFF


@pytest.mark.parametrize(
    ("starts", "ends", "repeat", "message"),
    [
        (datetime(2026, 1, 5, 18), datetime(2026, 1, 5, 8), None, "ends after it starts"),
        (datetime(2026, 1, 5, 8), datetime(2026, 1, 6, 9), "FREQ=DAILY", "before the next one starts"),
        (datetime(2026, 1, 5, 8), datetime(2026, 1, 5, 9), "EVERY MONDAY", "not a recurrence rule"),
        (datetime(2026, 1, 5, 8, tzinfo=UTC), datetime(2026, 1, 5, 9, tzinfo=UTC), None, "local time"),
    ],
    ids=["backwards", "overlapping", "not-a-rule", "with-offset"],
)
def test_a_period_that_makes_no_sense_is_refused(starts, ends, repeat, message) -> None:
    with pytest.raises(InvalidPeriod, match=message):
        DutyPeriod(DutyKind.SHIFT, starts, ends, SHANGHAI, repeat)
