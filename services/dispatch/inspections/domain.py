"""Planned inspections (巡检): how often each subsystem of a site is inspected, what is checked, and
what a visit's results mean.

A plan repeats by an RFC 5545 rule ("FREQ=MONTHLY;BYDAY=1MO": the first Monday of each month;
"FREQ=MONTHLY;INTERVAL=3": every quarter). A visit never falls on a day the site is closed: it moves to
the next working day. It may be made within a window of working days; after that it is overdue, and
when the next visit of the plan opens with it still not made, it is missed.

A checklist item is either a check (passed or not) or a measurement with the range it must fall in.
Every item is recorded; an item that fails opens a fault ticket, as if the customer had called.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from enum import StrEnum
from typing import Annotated

from dateutil.rrule import rrule, rrulestr
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from shared.calendar import BusinessCalendar
from shared.contracts.bounds import MAX_ITEMS
from shared.contracts.intake import Code as AssetTag  # a failed item's device goes to intake as asset_tag

Code = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,59}$")]


class ItemKind(StrEnum):
    CHECK = "check"
    MEASURE = "measure"


class ChecklistItem(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    code: Code
    text: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)]
    kind: ItemKind = ItemKind.CHECK
    unit: Annotated[str, StringConstraints(max_length=40)] | None = None
    min: float | None = None
    max: float | None = None
    asset_tag: AssetTag | None = Field(default=None, description="The device the item is about, if one.")

    @model_validator(mode="after")
    def _range(self) -> ChecklistItem:
        if self.kind is ItemKind.MEASURE and self.min is None and self.max is None:
            raise ValueError(f"item {self.code}: a measurement needs the range it must fall in (min, max or both)")
        if self.kind is ItemKind.CHECK and (self.min is not None or self.max is not None):
            raise ValueError(f"item {self.code}: a check has no range; make it a measurement")
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError(f"item {self.code}: min is above max")
        return self

    def expected(self) -> str:
        if self.kind is ItemKind.CHECK:
            return "passes"
        unit = f" {self.unit}" if self.unit else ""
        if self.min is not None and self.max is not None:
            return f"{self.min:g} to {self.max:g}{unit}"
        return f"at least {self.min:g}{unit}" if self.min is not None else f"at most {self.max:g}{unit}"


class InspectionPlan(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    code: Code
    subsystem: str
    title: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
    repeat: str = Field(description="RFC 5545 RRULE, e.g. FREQ=MONTHLY;BYDAY=1MO (the first Monday of each month).")
    starts_on: date
    window_working_days: int = Field(default=3, ge=1, le=60)
    checklist: tuple[ChecklistItem, ...] = Field(min_length=1, max_length=MAX_ITEMS)

    @model_validator(mode="after")
    def _sound(self) -> InspectionPlan:
        try:
            first = self._rule().after(datetime.combine(self.starts_on, time()), inc=True)
        except (ValueError, TypeError) as error:
            raise ValueError(f"repeat: not a recurrence rule: {self.repeat!r} ({error})") from error
        if first is None:
            raise ValueError("repeat: the rule never falls on a day")
        codes = [item.code for item in self.checklist]
        if len(codes) != len(set(codes)):
            raise ValueError("checklist: item codes must differ")
        return self

    def _rule(self) -> rrule:
        rule = rrulestr(self.repeat, dtstart=datetime.combine(self.starts_on, time()))
        assert isinstance(rule, rrule)
        return rule

    def occurrence_on_or_after(self, day: date) -> date | None:
        found = self._rule().after(datetime.combine(day, time()), inc=True)
        return found.date() if found else None

    def occurrence_after(self, day: date) -> date | None:
        found = self._rule().after(datetime.combine(day, time()), inc=False)
        return found.date() if found else None


def scheduled_on(occurrence: date, calendar: BusinessCalendar) -> date:
    """The day of the visit: the occurrence, or the next working day when the site is closed that day."""
    return calendar.working_day_on_or_after(occurrence)


def due_by(scheduled: date, window_working_days: int, calendar: BusinessCalendar) -> date:
    """The last day of the visit's window: `window_working_days` working days counting its own."""
    day = scheduled
    for _ in range(window_working_days - 1):
        day = calendar.next_working_day(day)
    return day


@dataclass(frozen=True)
class ItemResult:
    code: str
    passed: bool | None = None
    value: float | None = None
    note: str | None = None


class ResultsRefused(ValueError):
    pass


@dataclass(frozen=True)
class Finding:
    """One recorded item, judged."""

    item: ChecklistItem
    result: ItemResult
    failed: bool

    def describe(self) -> str:
        if self.item.kind is ItemKind.MEASURE:
            unit = f" {self.item.unit}" if self.item.unit else ""
            return f"{self.item.text}: measured {self.result.value:g}{unit}, expected {self.item.expected()}"
        return f"{self.item.text}: failed" + (f" ({self.result.note})" if self.result.note else "")


def judge(checklist: Sequence[ChecklistItem], results: Sequence[ItemResult]) -> list[Finding]:
    """Every item of the checklist with its result and whether it failed; refused unless each item is
    recorded exactly once, checks as passed or not, measurements with a value."""
    by_code = {result.code: result for result in results}
    unknown = sorted(set(by_code) - {item.code for item in checklist})
    if unknown:
        raise ResultsRefused(f"no such checklist items: {', '.join(unknown)}")
    if len(by_code) != len(results):
        raise ResultsRefused("each checklist item is recorded once")
    missing = [item.code for item in checklist if item.code not in by_code]
    if missing:
        raise ResultsRefused(f"record every checklist item; missing: {', '.join(missing)}")
    findings = []
    for item in checklist:
        result = by_code[item.code]
        if item.kind is ItemKind.CHECK:
            if result.passed is None or result.value is not None:
                raise ResultsRefused(f"item {item.code} is a check: say whether it passed (and no value)")
            failed = not result.passed
        else:
            if result.value is None:
                raise ResultsRefused(f"item {item.code} is a measurement: record the value ({item.expected()})")
            failed = (item.min is not None and result.value < item.min) or (
                item.max is not None and result.value > item.max
            )
        findings.append(Finding(item, result, failed))
    return findings
