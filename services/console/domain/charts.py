"""What the reports page shows of the archive's service report (services/archive/domain/service_report.py):
the period a person chose, the report's tables as rows of words, and its charts as Apache ECharts options.
Plain functions, no drawing: the words come in as functions of the reader's language, the page draws the
options with the vendored ECharts and shows the tables whether or not a script runs."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from shared.contracts.followups import LOWEST_SATISFIED

MONTHS_BY_DEFAULT = 6
CLOCKS = ("response", "on_site", "resolution")
COMPLIANCE_TARGET = 90.0  # below it a share kept is shown in red
GOOD, BAD, CALM = "#2e7d32", "#c62828", "#1565c0"
SCORE_COLOURS = ("#c62828", "#ef6c00", "#f9a825", "#7cb342", "#2e7d32")

Word = Callable[[str | None], str]
"""The reader's word for a code (a subsystem, a kind, a clock, a reason)."""


class BadPeriod(ValueError):
    """A period the form cannot mean: the message says how to give it."""


@dataclass(frozen=True)
class Period:
    """Days `first` to `last`, both included; `kind` is how it was chosen (months, month, quarter, range)."""

    kind: str
    first: date
    last: date
    label: str

    def query(self) -> dict[str, str]:
        """The archive's question for it."""
        return {"from": self.first.isoformat(), "to": self.last.isoformat()}


MONTH = re.compile(r"(\d{4})-(\d{2})")
QUARTER = re.compile(r"(\d{4})-Q([1-4])")


def _month_after(first: date) -> date:
    return date(first.year + first.month // 12, first.month % 12 + 1, 1)


def chosen_period(
    today: date,
    period: str | None = None,
    *,
    month: str | None = None,
    quarter: str | None = None,
    first: date | None = None,
    last: date | None = None,
) -> Period:
    """The period the form asks for: a month (2026-11), a quarter (2026-Q4), or from one day to another;
    by default the last six months to today."""
    if period == "month" and month:
        found = MONTH.fullmatch(month)
        if not found or not 1 <= int(found[2]) <= 12:
            raise BadPeriod(f"{month!r} is no month; give it as 2026-11")
        start = date(int(found[1]), int(found[2]), 1)
        return Period("month", start, _month_after(start) - timedelta(days=1), month)
    if period == "quarter" and quarter:
        found = QUARTER.fullmatch(quarter)
        if not found:
            raise BadPeriod(f"{quarter!r} is no quarter; give it as 2026-Q4")
        start = date(int(found[1]), (int(found[2]) - 1) * 3 + 1, 1)
        end = _month_after(_month_after(_month_after(start))) - timedelta(days=1)
        return Period("quarter", start, end, quarter)
    if period == "range" and (first or last):
        begins = first or last or today
        ends = last or begins
        if ends < begins:
            raise BadPeriod(f"the period ends ({ends}) before it begins ({begins})")
        return Period("range", begins, ends, f"{begins.isoformat()} – {ends.isoformat()}")
    start = today.replace(day=1)
    for _ in range(MONTHS_BY_DEFAULT - 1):
        start = (start - timedelta(days=1)).replace(day=1)
    return Period("months", start, today, f"{start.isoformat()} – {today.isoformat()}")


def recent_quarters(today: date, count: int = 8) -> list[str]:
    """The `count` quarters up to today's, newest first, as 2026-Q4."""
    year, quarter = today.year, (today.month - 1) // 3 + 1
    found = []
    for _ in range(count):
        found.append(f"{year}-Q{quarter}")
        year, quarter = (year, quarter - 1) if quarter > 1 else (year - 1, 4)
    return found


def late_by(minutes: int) -> tuple[int, int, int]:
    """Minutes as days, hours and minutes."""
    days, rest = divmod(max(minutes, 0), 1440)
    return days, rest // 60, rest % 60


# The charts: ECharts options, each complete and in the reader's words.


def _axis(names: Sequence[str]) -> dict[str, Any]:
    return {"type": "category", "data": list(names), "axisLabel": {"interval": 0, "hideOverlap": True}}


def _frame(**option: Any) -> dict[str, Any]:
    return {
        "tooltip": {"trigger": "axis"},
        "grid": {"left": 8, "right": 8, "top": 36, "bottom": 8, "containLabel": True},
        "animation": False,
        **option,
    }


def tickets_chart(rows: Sequence[Mapping[str, Any]], subsystem: Word, kind: Word) -> dict[str, Any]:
    """Tickets opened, by subsystem (the bars) and kind (their parts)."""
    subsystems = sorted({row["subsystem"] for row in rows})
    kinds = sorted({row["kind"] for row in rows})
    opened = {(row["subsystem"], row["kind"]): row["opened"] for row in rows}
    return _frame(
        legend={"top": 0},
        xAxis=_axis([subsystem(code) for code in subsystems]),
        yAxis={"type": "value", "minInterval": 1},
        series=[
            {"name": kind(k), "type": "bar", "stack": "opened", "data": [opened.get((s, k), 0) for s in subsystems]}
            for k in kinds
        ],
    )


def compliance_chart(sla: Sequence[Mapping[str, Any]], clock: Word, met: str, breached: str) -> dict[str, Any]:
    """Each clock's promises kept and broken."""
    return _frame(
        legend={"top": 0},
        xAxis=_axis([clock(row["clock"]) for row in sla]),
        yAxis={"type": "value", "minInterval": 1},
        series=[
            {"name": met, "type": "bar", "stack": "clock", "color": GOOD, "data": [row["met"] for row in sla]},
            {"name": breached, "type": "bar", "stack": "clock", "color": BAD, "data": [row["breached"] for row in sla]},
        ],
    )


def months_chart(months: Sequence[Mapping[str, Any]], clock: Word, opened: str, kept: str) -> dict[str, Any]:
    """Month by month: the tickets opened (bars) and each clock's share kept (lines, in %)."""
    lines = [
        {
            "name": f"{clock(code)} {kept}",
            "type": "line",
            "yAxisIndex": 1,
            "connectNulls": True,
            "data": [month["sla"].get(code) for month in months],
        }
        for code in CLOCKS
    ]
    return _frame(
        legend={"top": 0},
        xAxis=_axis([month["month"] for month in months]),
        yAxis=[
            {"type": "value", "minInterval": 1},
            {"type": "value", "min": 0, "max": 100, "axisLabel": {"formatter": "{value}%"}},
        ],
        series=[
            {"name": opened, "type": "bar", "color": CALM, "data": [month["opened"] for month in months]},
            *lines,
        ],
    )


def reasons_chart(by_reason: Mapping[str, int], reason: Word) -> dict[str, Any]:
    """Why clocks ran out: a share of the breaches per reason."""
    return {
        "tooltip": {"trigger": "item"},
        "legend": {"top": 0, "type": "scroll"},
        "animation": False,
        "series": [
            {
                "type": "pie",
                "radius": ["35%", "65%"],
                "top": 30,
                "data": [{"name": reason(code), "value": count} for code, count in by_reason.items()],
            }
        ],
    }


def inspections_chart(rows: Sequence[Mapping[str, Any]], subsystem: Word, done: str, missed: str) -> dict[str, Any]:
    """Visits made and missed, by subsystem."""
    return _frame(
        legend={"top": 0},
        xAxis=_axis([subsystem(row["subsystem"]) for row in rows]),
        yAxis={"type": "value", "minInterval": 1},
        series=[
            {"name": done, "type": "bar", "stack": "visits", "color": GOOD, "data": [row["completed"] for row in rows]},
            {"name": missed, "type": "bar", "stack": "visits", "color": BAD, "data": [row["missed"] for row in rows]},
        ],
    )


def satisfaction_chart(scores: Mapping[str, int], calls: str) -> dict[str, Any]:
    """How many follow-up calls gave each score, 1 to 5; those below satisfied in warm colours."""
    return _frame(
        xAxis=_axis([str(score) for score in range(1, 6)]),
        yAxis={"type": "value", "minInterval": 1},
        series=[
            {
                "name": calls,
                "type": "bar",
                "data": [
                    {"value": scores.get(str(score), 0), "itemStyle": {"color": SCORE_COLOURS[score - 1]}}
                    for score in range(1, 6)
                ],
            }
        ],
    )


def devices_chart(devices: Sequence[Mapping[str, Any]], failures: str) -> dict[str, Any]:
    """The devices that failed most, most at the top."""
    shown = list(reversed(devices))
    return _frame(
        tooltip={"trigger": "axis", "axisPointer": {"type": "shadow"}},
        xAxis={"type": "value", "minInterval": 1},
        yAxis={"type": "category", "data": [d["asset_tag"] or d["serial_number"] for d in shown]},
        series=[{"name": failures, "type": "bar", "color": BAD, "data": [d["failures"] for d in shown]}],
    )


def dissatisfied(score: int | None) -> bool:
    return score is not None and score < LOWEST_SATISFIED


def below_target(percent: float | None) -> bool:
    return percent is not None and percent < COMPLIANCE_TARGET
