"""Working days on a country's official calendar, with a contract's own exceptions: the SLA service
counts business hours on it, dispatch plans follow-up calls and inspection visits on it.

China's calendar is not "weekdays minus holidays": the State Council moves working days onto
weekends around the Spring Festival and National Day (2026-01-04, a Sunday, is a working day). The
`holidays` package publishes those make-up days, so no holiday table is typed in here. A contract
can add exceptions: a year the State Council has not announced yet, or the customer's own closures.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta
from enum import StrEnum
from functools import lru_cache
from types import MappingProxyType

import holidays


class DayType(StrEnum):
    WORKING_DAY = "working_day"
    HOLIDAY = "holiday"


class BusinessCalendar:
    def __init__(self, country: str = "CN", overrides: Mapping[date, bool] | None = None) -> None:
        """`overrides` maps a date to True (a working day after all) or False (a day off after all)."""
        self.country = country
        self.overrides = MappingProxyType(dict(overrides or {}))
        _official_holidays(country)  # an unknown country fails here, not at the first question

    def is_working_day(self, day: date) -> bool:
        if day in self.overrides:
            return self.overrides[day]
        return _officially_working(self.country, day)

    def day_type(self, day: date) -> DayType:
        return DayType.WORKING_DAY if self.is_working_day(day) else DayType.HOLIDAY

    def next_working_day(self, day: date) -> date:
        """The first working day after `day`."""
        for _ in range(3660):  # a calendar with no working day in ten years is a configuration error
            day += timedelta(days=1)
            if self.is_working_day(day):
                return day
        raise ValueError(f"no working day within ten years of {day}")

    def working_day_on_or_after(self, day: date) -> date:
        return day if self.is_working_day(day) else self.next_working_day(day)


@lru_cache(maxsize=16)
def _official_holidays(country: str) -> holidays.HolidayBase:
    """A country's holidays and make-up working days: worked out a year at a time when first asked, so
    one per process rather than one per calendar (the SLA service makes a calendar per event)."""
    return holidays.country_holidays(country)


@lru_cache(maxsize=65536)
def _officially_working(country: str, day: date) -> bool:
    return bool(_official_holidays(country).is_working_day(day))


@lru_cache(maxsize=16)
def calendar_of(country: str) -> BusinessCalendar:
    """A country's official calendar, without a contract's exceptions, made once per process."""
    return BusinessCalendar(country)
