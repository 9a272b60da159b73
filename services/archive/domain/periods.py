"""The periods a site's equipment and operation register (设备运行登记表) covers: a calendar month or
quarter in the site's own time zone, named `2026-11` or `2026-Q4`, and the acceptance at handover
(前期接收), which covers everything up to the day the system was handed over."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo


class RegisterKind(StrEnum):
    ACCEPTANCE = "acceptance"
    MONTHLY = "monthly"
    QUARTERLY = "quarterly"


class BadPeriod(ValueError):
    """A period named in a way no register is: the message says how to name it."""


@dataclass(frozen=True)
class Period:
    """Days `first` to `last`, both included, in the site's time zone."""

    kind: RegisterKind
    first: date
    last: date

    @property
    def label(self) -> str:
        if self.kind is RegisterKind.MONTHLY:
            return f"{self.first:%Y-%m}"
        if self.kind is RegisterKind.QUARTERLY:
            return f"{self.first.year}-Q{(self.first.month - 1) // 3 + 1}"
        return f"acceptance-{self.last.isoformat()}"

    def starts(self, timezone: str) -> datetime:
        return datetime.combine(self.first, time(), ZoneInfo(timezone))

    def ends(self, timezone: str) -> datetime:
        """The first moment after the period: midnight after its last day, at the site."""
        return datetime.combine(self.last + timedelta(days=1), time(), ZoneInfo(timezone))

    def previous(self) -> Period:
        return period_containing(self.kind, self.first - timedelta(days=1))


def period_containing(kind: RegisterKind, day: date) -> Period:
    if kind is RegisterKind.MONTHLY:
        first = day.replace(day=1)
        return Period(kind, first, _month_after(first) - timedelta(days=1))
    if kind is RegisterKind.QUARTERLY:
        first = date(day.year, (day.month - 1) // 3 * 3 + 1, 1)
        return Period(kind, first, _month_after(_month_after(_month_after(first))) - timedelta(days=1))
    raise BadPeriod("the acceptance register covers the handover, not a calendar period")


def last_closed(kind: RegisterKind, now: datetime, timezone: str) -> Period:
    """The latest period of this kind that has ended at the site by `now`."""
    return period_containing(kind, now.astimezone(ZoneInfo(timezone)).date()).previous()


def acceptance(handed_over_on: date) -> Period:
    return Period(RegisterKind.ACCEPTANCE, handed_over_on, handed_over_on)


MONTH = re.compile(r"(\d{4})-(\d{2})")
QUARTER = re.compile(r"(\d{4})-Q([1-4])")


def parse(kind: RegisterKind, label: str) -> Period:
    """`2026-11` for a month, `2026-Q4` for a quarter."""
    if kind is RegisterKind.MONTHLY and (month := MONTH.fullmatch(label)) and 1 <= int(month[2]) <= 12:
        return period_containing(kind, date(int(month[1]), int(month[2]), 1))
    if kind is RegisterKind.QUARTERLY and (quarter := QUARTER.fullmatch(label)):
        return period_containing(kind, date(int(quarter[1]), (int(quarter[2]) - 1) * 3 + 1, 1))
    example = {RegisterKind.MONTHLY: "2026-11", RegisterKind.QUARTERLY: "2026-Q4"}.get(kind, "a handover day")
    raise BadPeriod(f"period {label!r} is no {kind.value} period; name it like {example}")


def _month_after(first: date) -> date:
    return date(first.year + first.month // 12, first.month % 12 + 1, 1)
