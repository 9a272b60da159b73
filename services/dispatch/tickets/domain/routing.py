"""Who handles a ticket, decided without any I/O.

The maintenance plan's routing: complaints go straight to the quality department (and never to the
engineer complained about); everything else goes to the engineer in charge of that subsystem at that
site (专人负责), whether on shift or on call. When that engineer is off duty, on leave or already
carries their maximum of open tickets, the ticket goes to the least loaded engineer with the skill who
is on shift, else to one on call; ties are broken by id so that the choice is repeatable. With nobody
able to take it, the ticket waits in the service manager's queue, saying why.

The same ranking is what the service manager sees as a ticket's candidates, each with the reasons
for and against.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from services.dispatch.roster.domain import Duty, Engineer
from shared.contracts import SERVICE_AS_A_WHOLE, ServiceKind

QUALITY_DESK = "quality"


class Rule(StrEnum):
    SUBSYSTEM_OWNER = "subsystem_owner"
    LEAST_LOADED = "least_loaded"
    MANUAL = "manual"


@dataclass(frozen=True)
class Candidate:
    """An engineer of the site as a candidate for one ticket."""

    engineer: Engineer
    owner: bool
    skilled: bool

    @property
    def eligible(self) -> bool:
        return (self.owner or self.skilled) and self.engineer.available

    @property
    def reasons(self) -> list[str]:
        """For and against, in words a service manager reads at a glance."""
        engineer = self.engineer
        said = []
        if self.owner:
            said.append("owns this subsystem here")
        said.append("has the skill" if self.skilled else "lacks the skill")
        said.append(engineer.duty.value.replace("_", " "))
        load = f"{engineer.open_tickets} of {engineer.max_open_tickets} open tickets"
        said.append(load if engineer.has_room else f"full: {load}")
        return said


def candidates(subsystem: str, owner_id: str | None, roster: list[Engineer]) -> list[Candidate]:
    """Every engineer of the site, best first: the eligible in the order routing takes them, then the rest."""
    ranked = [Candidate(e, owner=e.engineer_id == owner_id, skilled=subsystem in e.skills) for e in roster]
    return sorted(
        ranked,
        key=lambda c: (
            not c.eligible,
            not c.owner,
            c.engineer.duty is not Duty.ON_SHIFT,
            c.engineer.open_tickets,
            c.engineer.engineer_id,
        ),
    )


@dataclass(frozen=True)
class ToEngineer:
    engineer: Engineer
    rule: Rule


@dataclass(frozen=True)
class ToQualityDesk:
    desk: str = QUALITY_DESK


NAMED_IN_WHY = 20
"""Engineers a refusal names one by one: the reason travels in an event of bounded length."""


class Cause(StrEnum):
    """Why nobody can take a ticket, as a code the texts people read word in their language."""

    NO_SKILL = "no_skill"
    NOBODY_FREE = "nobody_free"
    ABOUT_THE_SERVICE = "about_the_service"  # a question about the service itself: the manager's to answer or give


@dataclass(frozen=True)
class ToManagerQueue:
    why: str  # in English, for the event's readers and the logs
    cause: Cause
    facts: dict[str, Any] = field(default_factory=dict)
    """Why as codes and figures, for the pages to word: the cause, the subsystem, and the engineers with the
    skill, each with their duty and load (`engineers`, at most NAMED_IN_WHY; `more` beyond them)."""


Decision = ToEngineer | ToQualityDesk | ToManagerQueue


def route(kind: ServiceKind, subsystem: str, owner_id: str | None, roster: list[Engineer]) -> Decision:
    if kind is ServiceKind.COMPLAINT:
        return ToQualityDesk()
    if subsystem == SERVICE_AS_A_WHOLE:  # no system's skill fits: the service manager answers or gives it
        return ToManagerQueue(
            "a question about the service as a whole: the service manager answers it or gives it to someone",
            Cause.ABOUT_THE_SERVICE,
            {"cause": Cause.ABOUT_THE_SERVICE.value},
        )
    ranked = candidates(subsystem, owner_id, roster)
    if ranked and ranked[0].eligible:
        best = ranked[0]
        return ToEngineer(best.engineer, Rule.SUBSYSTEM_OWNER if best.owner else Rule.LEAST_LOADED)
    skilled = [c for c in ranked if c.owner or c.skilled]
    if not skilled:
        return ToManagerQueue(
            f"no engineer of this site has the skill {subsystem}",
            Cause.NO_SKILL,
            {"cause": Cause.NO_SKILL.value, "subsystem": subsystem},
        )
    named = "; ".join(f"{c.engineer.engineer_id} {_why_not(c.engineer)}" for c in skilled[:NAMED_IN_WHY])
    more = max(0, len(skilled) - NAMED_IN_WHY)
    others = f"; and {more} more" if more else ""
    facts = {
        "cause": Cause.NOBODY_FREE.value,
        "subsystem": subsystem,
        "engineers": [
            {
                "engineer_id": c.engineer.engineer_id,
                "duty": c.engineer.duty.value,
                "open_tickets": c.engineer.open_tickets,
                "max_open_tickets": c.engineer.max_open_tickets,
                "reachable": c.engineer.duty.reachable,
            }
            for c in skilled[:NAMED_IN_WHY]
        ],
        "more": more,
    }
    return ToManagerQueue(f"nobody on duty with room for {subsystem}: {named}{others}", Cause.NOBODY_FREE, facts)


def _why_not(engineer: Engineer) -> str:
    if not engineer.duty.reachable:
        return engineer.duty.value.replace("_", " ")
    return f"full ({engineer.open_tickets} of {engineer.max_open_tickets})"
