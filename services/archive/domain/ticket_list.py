"""The ticket list: a line per ticket, folded from the suite's events as the archive hears them (the
request at intake, where it stands at dispatch, its clocks at SLA), so that the office finds, filters
and exports tickets from one table rather than asking five services per page.

Events of one ticket reach the archive in any order (two producers, redeliveries), so each fact keeps
the moment it happened and a later-heard older fact does not overwrite a newer one: the ticket's
state is the one its latest lifecycle event left, each clock's the one its latest event left.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from shared.contracts import (
    ComplaintRouted,
    Event,
    LinkRelation,
    SlaBreached,
    SlaClockChanged,
    SlaClocksStarted,
    SlaClockStarted,
    SlaMet,
    TicketAccepted,
    TicketAssigned,
    TicketAwaitingAssignment,
    TicketClosed,
    TicketLinked,
    TicketOnSite,
    TicketOpened,
    TicketPaused,
    TicketReclassified,
    TicketReopened,
    TicketResolved,
    TicketResumed,
)

NEW = "new"
FINISHED = frozenset({"resolved", "closed"})
"""A ticket in either state needs nobody's work: not open."""

PRIORITY_RANK = {"critical": 0, "high": 1, "normal": 2, "low": 3}

RUNNING, MET, BREACHED, CANCELLED = "running", "met", "breached", "cancelled"


@dataclass(frozen=True)
class ClockState:
    """One clock of one cycle (a reopened ticket's clocks start again as cycle 2)."""

    state: str  # running, met, breached or cancelled (counting no more)
    due_at: datetime | None  # none while its ticket is paused
    at: datetime  # when the event that left it so happened

    def as_json(self) -> dict[str, str | None]:
        due = self.due_at.isoformat() if self.due_at else None
        return {"state": self.state, "due_at": due, "at": self.at.isoformat()}

    @classmethod
    def from_json(cls, value: Mapping[str, str | None]) -> ClockState:
        due, at = value["due_at"], value["at"]
        assert at is not None
        return cls(str(value["state"]), datetime.fromisoformat(due) if due else None, datetime.fromisoformat(at))


@dataclass(frozen=True)
class TicketLine:
    """What the list shows of a ticket. Before its `ticket.opened` is heard, a line knows only what the
    other services said (`opened` False) and is not listed."""

    ticket_id: str
    opened: bool = False
    site_code: str | None = None
    site_name: str | None = None
    subsystem: str | None = None
    kind: str | None = None
    priority: str | None = None
    channel: str | None = None
    description: str | None = None
    reporter_name: str | None = None
    reporter_phone: str | None = None
    asset_tag: str | None = None
    device_model: str | None = None
    serial_number: str | None = None
    reported_at: datetime | None = None
    status: str = NEW
    status_at: datetime | None = None
    paused_from: str | None = None  # the state a paused ticket returns to when it resumes
    pause_reason: str | None = None
    engineer_id: str | None = None
    engineer_name: str | None = None
    resolved_at: datetime | None = None
    closed_at: datetime | None = None
    kind_at: datetime | None = None
    clocks: Mapping[str, ClockState] = field(default_factory=dict)  # "on_site#1" -> its state

    @property
    def breached(self) -> bool:
        return any(clock.state == BREACHED for clock in self.clocks.values())

    @property
    def next_due_at(self) -> datetime | None:
        """When the first of its running clocks runs out (a clock its ticket's pause stops has none); None
        when none runs."""
        running = [clock.due_at for clock in self.clocks.values() if clock.state == RUNNING and clock.due_at]
        return min(running) if running else None

    @property
    def is_open(self) -> bool:
        return self.status not in FINISHED

    def search_text(self) -> str:
        """What a search finds the ticket by, lower-cased: its number, site, words, reporter (the phone
        also as bare digits, as people type it), device and serial number."""
        phone_digits = re.sub(r"\D", "", self.reporter_phone or "")
        parts = (
            self.ticket_id, self.site_code, self.site_name, self.description, self.reporter_name,
            self.reporter_phone, phone_digits, self.asset_tag, self.device_model, self.serial_number,
        )  # fmt: skip
        return "\n".join(part for part in parts if part).lower()

    def search_pairs(self) -> list[str]:
        """Every two characters side by side in what the ticket is found by: most Chinese words are two
        characters (黑屏, 杂音), too short for a trigram index, and a word of two is in the text exactly
        when it is one of these pairs."""
        text = self.search_text()
        return sorted(
            {text[i : i + 2] for i in range(len(text) - 1) if not (text[i].isspace() or text[i + 1].isspace())}
        )


SHOWN: tuple[type[Event], ...] = (
    TicketOpened, TicketReclassified, SlaClocksStarted, SlaClockStarted, SlaClockChanged, SlaBreached, SlaMet,
    TicketAssigned, TicketAwaitingAssignment, ComplaintRouted, TicketAccepted, TicketOnSite, TicketPaused,
    TicketResumed, TicketResolved, TicketReopened, TicketClosed, TicketLinked,
)  # fmt: skip
"""The events that change a ticket's line (`sla.clock_started`, one per clock, as published until
`sla.clocks_started` took its place: kept in the timeline, it still folds into the line)."""


def advance(line: TicketLine, event: Event, occurred_at: datetime) -> TicketLine:
    """The line once `event`, which happened at `occurred_at`, is heard; the same line for an event the
    list does not show or one older than what the line already knows."""
    if isinstance(event, TicketOpened):
        return _opened(line, event)
    if isinstance(event, TicketReclassified):
        if line.kind_at is not None and occurred_at < line.kind_at:
            return line
        return replace(line, kind=event.kind.value, priority=event.priority.value, kind_at=occurred_at)
    if isinstance(event, SlaClocksStarted):
        for clock in event.each_clock():
            line = _clocked(line, clock, occurred_at)
        return line
    if isinstance(event, SlaClockStarted | SlaClockChanged | SlaBreached | SlaMet):
        return _clocked(line, event, occurred_at)
    moved = _moved(line, event)
    if moved is None:
        return line
    if line.status_at is not None and occurred_at < line.status_at:
        # An older move changes nothing, but may name the engineer the newer ones gave only by id.
        if isinstance(event, TicketAssigned) and event.engineer_id == line.engineer_id:
            return replace(line, engineer_name=event.engineer_name)
        return line
    status, changes = moved
    return replace(line, status=status, status_at=occurred_at, **changes)


def _opened(line: TicketLine, event: TicketOpened) -> TicketLine:
    device = event.device
    kind_known = line.kind_at is not None  # a reclassification heard first is newer than the opening
    return replace(
        line,
        opened=True,
        site_code=event.site_code,
        site_name=event.site_name,
        subsystem=event.subsystem,
        kind=line.kind if kind_known else event.kind.value,
        priority=line.priority if kind_known else event.priority.value,
        channel=event.channel.value,
        description=event.description,
        reporter_name=event.reporter.name,
        reporter_phone=event.reporter.phone,
        asset_tag=device.asset_tag if device else None,
        device_model=device.model if device else None,
        serial_number=device.serial_number if device else None,
        reported_at=event.reported_at,
    )


def _moved(line: TicketLine, event: Event) -> tuple[str, dict[str, Any]] | None:
    """The state a lifecycle event leaves the ticket in, and what else it tells; None for another event."""
    nobody = {"engineer_id": None, "engineer_name": None}
    if isinstance(event, TicketAssigned):
        # Dispatch says the state (a paused ticket given to another engineer stays paused); events
        # published before it did leave a paused ticket paused, as dispatch did then too.
        status = event.status or ("paused" if line.status == "paused" else "assigned")
        return status, {"engineer_id": event.engineer_id, "engineer_name": event.engineer_name}
    if isinstance(event, TicketAwaitingAssignment):
        return "awaiting_assignment", nobody
    if isinstance(event, ComplaintRouted):  # the quality desk's now, nobody's in the field
        return "with_quality_desk", {**nobody, "paused_from": None, "pause_reason": None}
    if isinstance(event, TicketAccepted | TicketOnSite):
        status = "accepted" if isinstance(event, TicketAccepted) else "on_site"
        same = event.engineer_id == line.engineer_id  # another's name until their assignment is heard
        return status, {"engineer_id": event.engineer_id, "engineer_name": line.engineer_name if same else None}
    if isinstance(event, TicketPaused):
        paused_from = line.status if line.status != "paused" else line.paused_from
        return "paused", {"paused_from": paused_from, "pause_reason": event.reason}
    if isinstance(event, TicketResumed):
        if line.status != "paused":
            return None  # not paused here: heard twice, or before its pause
        return event.status or line.paused_from or "assigned", {"paused_from": None, "pause_reason": None}
    if isinstance(event, TicketResolved):
        return "resolved", {"resolved_at": event.resolved_at, "paused_from": None, "pause_reason": None}
    if isinstance(event, TicketReopened):
        return "assigned", {"resolved_at": None}
    if isinstance(event, TicketClosed):
        return "closed", {"closed_at": event.closed_at}
    if isinstance(event, TicketLinked) and event.relation is LinkRelation.MERGED_INTO:
        # A repeat report ends in the ticket it joined, which carries the problem from there.
        return "closed", {**nobody, "closed_at": event.linked_at, "paused_from": None, "pause_reason": None}
    return None


def _clocked(
    line: TicketLine, event: SlaClockStarted | SlaClockChanged | SlaBreached | SlaMet, occurred_at: datetime
) -> TicketLine:
    key = f"{event.clock.value}#{event.cycle}"
    known = line.clocks.get(key)
    if known is not None and occurred_at < known.at:
        return line
    if isinstance(event, SlaClockStarted | SlaClockChanged):
        if known is not None and known.state in (MET, BREACHED):
            return line  # its end was heard first
        # Counting no more is kept, with when it was heard, so that an older word of it heard later
        # does not bring its deadline back; a later one (reclassified back) does.
        stopped_counting = isinstance(event, SlaClockChanged) and event.cancelled
        state = ClockState(
            CANCELLED if stopped_counting else RUNNING, None if stopped_counting else event.due_at, occurred_at
        )
    elif isinstance(event, SlaBreached):
        if known is not None and known.state == MET:
            return line  # met is final; a breach announced before the arrival was read is corrected by it
        state = ClockState(BREACHED, event.due_at, occurred_at)
    else:
        state = ClockState(MET, event.due_at, occurred_at)
    return replace(line, clocks={**line.clocks, key: state})
