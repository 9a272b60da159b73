"""Who handles a ticket, decided without any I/O.

The maintenance plan's routing: complaints go straight to the quality department (and never to the
engineer complained about); everything else goes to the engineer in charge of that subsystem at that
site. When that engineer is off duty or already carries their maximum of open tickets, the ticket
goes to the least loaded engineer on duty who has the skill, ties broken by id so that the choice is
repeatable. With nobody available the ticket waits in the service manager's queue.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from shared.contracts import ServiceKind

QUALITY_DESK = "quality"


@dataclass(frozen=True)
class Engineer:
    engineer_id: str
    name: str
    skills: frozenset[str]
    on_duty: bool
    max_open_tickets: int
    open_tickets: int

    @property
    def available(self) -> bool:
        return self.on_duty and self.open_tickets < self.max_open_tickets


class Rule(StrEnum):
    SUBSYSTEM_OWNER = "subsystem_owner"
    LEAST_LOADED = "least_loaded"


@dataclass(frozen=True)
class ToEngineer:
    engineer: Engineer
    rule: Rule


@dataclass(frozen=True)
class ToQualityDesk:
    desk: str = QUALITY_DESK


@dataclass(frozen=True)
class ToManagerQueue:
    why: str


Decision = ToEngineer | ToQualityDesk | ToManagerQueue


def route(kind: ServiceKind, subsystem: str, owner_id: str | None, roster: list[Engineer]) -> Decision:
    if kind is ServiceKind.COMPLAINT:
        return ToQualityDesk()
    owner = next((e for e in roster if e.engineer_id == owner_id), None)
    if owner is not None and owner.available:
        return ToEngineer(owner, Rule.SUBSYSTEM_OWNER)
    qualified = [e for e in roster if subsystem in e.skills and e.available]
    if qualified:
        chosen = min(qualified, key=lambda e: (e.open_tickets, e.engineer_id))
        return ToEngineer(chosen, Rule.LEAST_LOADED)
    return ToManagerQueue(f"no engineer on duty with capacity for {subsystem}")
