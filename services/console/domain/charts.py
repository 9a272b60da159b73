"""What the report charts show, shaped from the services' reports: plain functions, no drawing.

A chart is a list of bars; each bar has a label, a value, the share of the chart's scale it fills,
and a note for the tooltip."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from shared.contracts.followups import LOWEST_SATISFIED

COMPLIANCE_TARGET = 90.0  # below it a month's bar is shown in red


@dataclass(frozen=True)
class Bar:
    label: str
    value: float | None  # None: nothing to show for it (no clock ended that month)
    share: float  # 0..1 of the chart's scale
    note: str = ""
    bad: bool = False


def last_months(today: date, count: int) -> list[str]:
    """The `count` months up to and including today's, oldest first, as YYYY-MM."""
    year, month = today.year, today.month
    found = []
    for _ in range(count):
        found.append(f"{year:04d}-{month:02d}")
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return list(reversed(found))


def compliance_by_month(reports: Iterable[dict[str, Any]]) -> dict[str, list[Bar]]:
    """Per clock kind, one bar per month: the share of its clocks met of those that ended."""
    charts: dict[str, list[Bar]] = {}
    for report in reports:
        for kind, figures in report["clocks"].items():
            percent = figures["compliance_percent"]
            charts.setdefault(kind, []).append(
                Bar(
                    report["month"],
                    percent,
                    (percent or 0) / 100,
                    f"{figures['met']}/{figures['met'] + figures['breached']}",
                    bad=percent is not None and percent < COMPLIANCE_TARGET,
                )
            )
    return charts


def breaches_by(
    reports: Iterable[dict[str, Any]], tickets: Iterable[dict[str, Any]], key: str, unknown: str = "–"
) -> list[Bar]:
    """Breached clocks counted by a ticket's `key` (subsystem, engineer_name), most first."""
    of_ticket = {ticket["ticket_id"]: ticket for ticket in tickets}
    counted: Counter[str] = Counter()
    for report in reports:
        for figures in report["clocks"].values():
            for ticket_id in figures.get("breached_tickets", ()):
                counted[str((of_ticket.get(ticket_id) or {}).get(key) or unknown)] += 1
    return _scaled(counted.most_common())


def satisfaction_by_month(months: Sequence[str], tickets_by_month: Sequence[list[dict[str, Any]]]) -> list[Bar]:
    """The average satisfaction (1 to 5) the follow-up calls recorded for each month's tickets."""
    bars = []
    for month, tickets in zip(months, tickets_by_month, strict=True):
        scores = [t["satisfaction"] for t in tickets if t.get("satisfaction") is not None]
        average = round(sum(scores) / len(scores), 2) if scores else None
        bars.append(
            Bar(
                month,
                average,
                (average or 0) / 5,
                f"n={len(scores)}",
                bad=average is not None and average < LOWEST_SATISFIED,
            )
        )
    return bars


def _scaled(counts: list[tuple[str, int]]) -> list[Bar]:
    top = max((count for _, count in counts), default=0)
    return [Bar(label, count, count / top if top else 0, bad=True) for label, count in counts]
