"""Working days on a country's official calendar.

China's calendar is not "weekdays minus holidays": the State Council moves working days onto
weekends around the Spring Festival and National Day (2026-01-04, a Sunday, is a working day). The
`holidays` package publishes those make-up days, so no holiday table is typed in here.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum

import holidays


class DayType(StrEnum):
    WORKING_DAY = "working_day"
    HOLIDAY = "holiday"


class BusinessCalendar:
    def __init__(self, country: str = "CN") -> None:
        self.country = country
        self._official = holidays.country_holidays(country)

    def is_working_day(self, day: date) -> bool:
        return bool(self._official.is_working_day(day))

    def day_type(self, day: date) -> DayType:
        return DayType.WORKING_DAY if self.is_working_day(day) else DayType.HOLIDAY
