"""What an engineer's phone keeps for when there is no signal: the pages of their open tickets and of
their inspection visits, and their home list, named by URL, with a version that changes whenever any of
them would read differently (a ticket moved, a visit done, another language, a new build of the pages),
so that the phone fetches them again only then. Plain functions: the services' lists in, the list out."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

HOME = "/field/"


@dataclass(frozen=True)
class OfflineWork:
    urls: tuple[str, ...]
    version: str


def work_to_keep(
    engineer_id: str | None,
    tickets: Iterable[Mapping[str, Any]],
    visits: Iterable[Mapping[str, Any]],
    *,
    language: str,
    pages_revision: str,
) -> OfflineWork:
    """The engineer's own tickets and visits (the lists hold everyone's), and the version of all of it."""
    mine = sorted((t for t in tickets if t.get("engineer_id") == engineer_id), key=lambda t: str(t["ticket_id"]))
    theirs = sorted((v for v in visits if v.get("engineer_id") == engineer_id), key=lambda v: str(v["visit_id"]))
    urls = (
        HOME,
        *(f"/field/tickets/{t['ticket_id']}" for t in mine),
        *(f"/field/visits/{v['visit_id']}" for v in theirs),
    )
    # Everything the pages show of the lists: a move, a new deadline or a visit done changes the version.
    facts = json.dumps([mine, theirs, language, pages_revision], sort_keys=True, default=str, ensure_ascii=False)
    return OfflineWork(urls, hashlib.sha256(facts.encode()).hexdigest()[:20])


def statuses_of(moves: Mapping[str, Mapping[str, Any]]) -> list[str]:
    """Every status the moves start from or lead to: the page needs each one's words."""
    found = {status for move in moves.values() for status in move.get("from", [])}
    found |= {str(move["to"]) for move in moves.values() if move.get("to")}
    return sorted(found)
