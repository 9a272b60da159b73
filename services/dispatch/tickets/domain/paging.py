"""Paging: when the engineer given a ticket has not accepted it by the time its response clock warns,
the site's chain wakes the next one, step by step, until someone accepts it (the 7x24 promise: a
night's fault is not left with one engineer who sleeps through their phone).

A site's chain is its site file's `paging` (shared/site_file.py): steps in order, each the backup on
call (another engineer of the site on call or on shift at that moment), the service managers, or one
engineer by id; the first at the warning, each next `minutes_between_steps` later. A step nobody can
fill (no backup on duty, the named engineer off duty) is recorded and the next one follows at once.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from services.dispatch.roster.domain import Engineer
from shared.contracts import PageTo
from shared.site_file import PagingSection


@dataclass(frozen=True)
class PagingChain:
    steps: tuple[str, ...]
    between_steps: timedelta

    @classmethod
    def of_site(cls, setting: Mapping[str, Any] | None) -> PagingChain:
        """The chain a site file gave (None: the default one, the backup on call then the service managers)."""
        section = PagingSection.model_validate(setting or {})
        return cls(tuple(section.steps), timedelta(minutes=section.minutes_between_steps))

    def step(self, index: int) -> str | None:
        return self.steps[index] if 0 <= index < len(self.steps) else None


@dataclass(frozen=True)
class Page:
    """Whom a step wakes: the service managers, or an engineer (None: nobody could be, and why)."""

    to: PageTo
    engineer: Engineer | None = None
    nobody_because: str | None = None  # nobody_on_duty, off_duty, not_serving, already_told

    @property
    def wakes_someone(self) -> bool:
        return self.to is PageTo.SERVICE_MANAGERS or self.engineer is not None


def whom_to_page(
    step: str, engineers: Iterable[Engineer], *, subsystem: str, holder: str | None, paged: Iterable[str]
) -> Page:
    """The step's page, from the site's engineers as the roster has them now: the backup on call is
    someone on duty other than the holder and those paged before, one with the subsystem's skill first,
    then the least loaded (full or not: a page asks them to see the ticket taken up, not to take it)."""
    if step == PageTo.SERVICE_MANAGERS:
        return Page(PageTo.SERVICE_MANAGERS)
    skipped = {holder, *paged}
    if step == PageTo.BACKUP_ON_CALL:
        candidates = [e for e in engineers if e.duty.reachable and e.engineer_id not in skipped]
        if not candidates:
            return Page(PageTo.BACKUP_ON_CALL, nobody_because="nobody_on_duty")
        best = min(candidates, key=lambda e: (subsystem not in e.skills, e.open_tickets, e.engineer_id))
        return Page(PageTo.BACKUP_ON_CALL, best)
    if step in skipped:
        return Page(PageTo.ENGINEER, nobody_because="already_told")
    named = next((e for e in engineers if e.engineer_id == step), None)
    if named is None:
        return Page(PageTo.ENGINEER, nobody_because="not_serving")
    if not named.duty.reachable:
        return Page(PageTo.ENGINEER, nobody_because="off_duty")
    return Page(PageTo.ENGINEER, named)
