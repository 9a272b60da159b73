"""What an engineer's phone keeps for when there is no signal: the pages of their open tickets and of
their inspection visits, and their home list, named by URL, with a version of what those pages show
that can be read cheaply: each ticket's row and the id of its latest history row (a move, a note, an
escalation, a swap), each visit's row, the running deadlines of the engineer's own clocks, the names
and addresses of their sites, the reader's language and the build of the pages. The phone fetches the
pages again when the version changes; what the version does not cover (a change to a device's
register entry made at the office, a site's coordinates) reaches a page when the phone next sends an
action on it, or the version next changes. Plain functions: the services' lists in, the list out."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

HOME = "/field/"
SITE_FACTS = ("name", "local_name", "address", "timezone")  # what the field pages show of a site
CLOCK_FACTS = ("ticket_id", "clock", "cycle", "started_at", "due_at")  # a running clock, as the pages show it


@dataclass(frozen=True)
class OfflineWork:
    urls: tuple[str, ...]
    version: str


def theirs(engineer_id: str | None, rows: Iterable[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """The rows of the engineer's own tickets or visits; none for an account that is no engineer (no
    engineer_id): the rows nobody holds are not theirs."""
    if engineer_id is None:
        return []
    return [row for row in rows if row.get("engineer_id") == engineer_id]


def work_to_keep(
    engineer_id: str | None,
    tickets: Iterable[Mapping[str, Any]],
    visits: Iterable[Mapping[str, Any]],
    *,
    language: str,
    pages_revision: str,
    clocks: Iterable[Mapping[str, Any]] = (),
    sites: Mapping[str, Mapping[str, Any]] | None = None,
) -> OfflineWork:
    """The engineer's own tickets and visits (the lists hold everyone's), and the version of all of it.
    `clocks`: the running clocks (every ticket's: only theirs are read); `sites`: intake's sites by code."""
    mine = sorted(theirs(engineer_id, tickets), key=lambda t: str(t["ticket_id"]))
    their_visits = sorted(theirs(engineer_id, visits), key=lambda v: str(v["visit_id"]))
    urls = (
        HOME,
        *(f"/field/tickets/{t['ticket_id']}" for t in mine),
        *(f"/field/visits/{v['visit_id']}" for v in their_visits),
    )
    numbers = {str(t["ticket_id"]) for t in mine}
    deadlines = sorted(
        ([str(clock.get(fact)) for fact in CLOCK_FACTS] for clock in clocks if str(clock.get("ticket_id")) in numbers),
    )
    codes = sorted({str(row.get("site_code")) for row in [*mine, *their_visits]})
    places = {code: {fact: (sites or {}).get(code, {}).get(fact) for fact in SITE_FACTS} for code in codes}
    # A move, a note, a new deadline, a visit done, a site's new address: each changes the version.
    facts = json.dumps(
        [mine, their_visits, deadlines, places, language, pages_revision],
        sort_keys=True,
        default=str,
        ensure_ascii=False,
    )
    return OfflineWork(urls, hashlib.sha256(facts.encode()).hexdigest()[:20])


def statuses_of(moves: Mapping[str, Mapping[str, Any]]) -> list[str]:
    """Every status the moves start from or lead to: the page needs each one's words."""
    found = {status for move in moves.values() for status in move.get("from", [])}
    found |= {str(move["to"]) for move in moves.values() if move.get("to")}
    return sorted(found)
