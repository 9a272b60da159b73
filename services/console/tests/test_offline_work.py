"""What the engineer's phone keeps for when there is no signal: their own tickets' and visits' pages
and their home list, and a version that changes only when what those pages show does."""

from __future__ import annotations

from typing import Any

from services.console.domain.offline import statuses_of, work_to_keep

TICKETS = [
    {"ticket_id": "HH138-20261127-0002", "engineer_id": "HH138-E01", "status": "accepted"},
    {"ticket_id": "HH138-20261127-0001", "engineer_id": "HH138-E01", "status": "assigned"},
    {"ticket_id": "HH138-20261127-0003", "engineer_id": "HH138-E02", "status": "assigned"},
]
VISITS = [
    {"visit_id": "DAILY-20261127", "engineer_id": "HH138-E01", "status": "open"},
    {"visit_id": "WEEKLY-20261127", "engineer_id": "HH138-E02", "status": "open"},
]


def _kept(tickets: list[dict] = TICKETS, language: str = "zh", revision: str = "r1") -> tuple[tuple[str, ...], str]:
    work = work_to_keep("HH138-E01", tickets, VISITS, language=language, pages_revision=revision)
    return work.urls, work.version


def test_the_engineers_own_pages_and_their_home_list() -> None:
    urls, _ = _kept()
    assert urls == (
        "/field/",
        "/field/tickets/HH138-20261127-0001",
        "/field/tickets/HH138-20261127-0002",
        "/field/visits/DAILY-20261127",
    )


def test_the_version_changes_when_a_page_would_read_differently_and_only_then() -> None:
    _, version = _kept()
    assert _kept(list(reversed(TICKETS)))[1] == version  # the same work, listed in another order
    moved = [{**TICKETS[0], "status": "on_site"}, *TICKETS[1:]]
    assert _kept(moved)[1] != version
    assert _kept(TICKETS[1:])[1] != version  # a ticket no longer theirs
    assert _kept(language="en")[1] != version
    assert _kept(revision="r2")[1] != version  # a new build of the pages


def test_the_statuses_a_table_of_moves_names() -> None:
    moves: dict[str, dict[str, Any]] = {
        "accept": {"from": ["assigned"], "to": "accepted"},
        "resume": {"from": ["paused"], "to": None},
    }
    assert statuses_of(moves) == ["accepted", "assigned", "paused"]
