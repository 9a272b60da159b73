"""The service manager's board: each open ticket with its most urgent running clock, coloured by how
much of the clock's time is gone, the most urgent first. Plain functions over what dispatch and the
SLA service answer."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any


class Risk(StrEnum):
    CALM = "calm"  # under half the time used
    WATCH = "watch"  # half used
    AT_RISK = "at_risk"  # four fifths used
    BREACHED = "breached"  # past the deadline
    NO_CLOCK = "no_clock"  # nothing running (paused, or no clock for this kind)


WATCH_FROM = 0.5
AT_RISK_FROM = 0.8


def risk(started_at: datetime, due_at: datetime, now: datetime) -> Risk:
    """How far the clock has run, by the wall clock: the countdown people see ticks the same way."""
    if now >= due_at:
        return Risk.BREACHED
    span = (due_at - started_at).total_seconds()
    used = (now - started_at).total_seconds() / span if span > 0 else 1.0
    if used >= AT_RISK_FROM:
        return Risk.AT_RISK
    return Risk.WATCH if used >= WATCH_FROM else Risk.CALM


@dataclass(frozen=True)
class BoardRow:
    ticket: dict[str, Any]
    clock: dict[str, Any] | None
    risk: Risk

    @property
    def due_at(self) -> datetime | None:
        return _moment(self.clock["due_at"]) if self.clock else None


ORDER = {Risk.BREACHED: 0, Risk.AT_RISK: 1, Risk.WATCH: 2, Risk.CALM: 3, Risk.NO_CLOCK: 4}


def board(tickets: Iterable[dict[str, Any]], clocks: Iterable[dict[str, Any]], now: datetime) -> list[BoardRow]:
    """Open tickets joined to their soonest running clock, breached and most urgent first. Each
    deadline is read once (a board has thousands)."""
    soonest: dict[str, tuple[datetime, dict[str, Any]]] = {}
    for clock in clocks:
        due = _moment(clock["due_at"])
        held = soonest.get(clock["ticket_id"])
        if held is None or due < held[0]:
            soonest[clock["ticket_id"]] = (due, clock)
    ranked = []
    for ticket in tickets:
        found = soonest.get(ticket["ticket_id"])
        if found is None:
            ranked.append(((ORDER[Risk.NO_CLOCK], now, ticket["ticket_id"]), BoardRow(ticket, None, Risk.NO_CLOCK)))
            continue
        due, running = found
        level = risk(_moment(running["started_at"]), due, now)
        ranked.append(((ORDER[level], due, ticket["ticket_id"]), BoardRow(ticket, running, level)))
    ranked.sort(key=lambda pair: pair[0])
    return [row for _, row in ranked]


def narrowed(rows: Iterable[BoardRow], *, engineer_id: str | None = None, risk: Risk | None = None) -> list[BoardRow]:
    """The rows of one engineer's tickets, or of one risk, in the board's order; all when neither is given."""
    return [
        row
        for row in rows
        if (engineer_id is None or row.ticket.get("engineer_id") == engineer_id) and (risk is None or row.risk is risk)
    ]


def _moment(value: str | datetime) -> datetime:
    return datetime.fromisoformat(value) if isinstance(value, str) else value
