"""What the engineer's phone keeps for when there is no signal: their own tickets' and visits' pages
and their home list (only the home list for an account that is no engineer), a version that changes
when what those pages show changes in what it reads (a move, a note, a deadline, a site's address), and
the app's files kept at install: every static file a field page loads."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from services.console.domain.offline import statuses_of, theirs, work_to_keep
from services.console.web.field_offline import SHELL_FILES

TICKETS: list[dict[str, Any]] = [
    {"ticket_id": "HH138-20261127-0002", "site_code": "HH138", "engineer_id": "HH138-E01", "status": "accepted"},
    {"ticket_id": "HH138-20261127-0001", "site_code": "HH138", "engineer_id": "HH138-E01", "status": "assigned"},
    {"ticket_id": "HH138-20261127-0003", "site_code": "HH138", "engineer_id": "HH138-E02", "status": "assigned"},
]
VISITS = [
    {"visit_id": "DAILY-20261127", "site_code": "HH138", "engineer_id": "HH138-E01", "status": "open"},
    {"visit_id": "WEEKLY-20261127", "site_code": "HH138", "engineer_id": "HH138-E02", "status": "open"},
]


CLOCKS = [
    {"ticket_id": "HH138-20261127-0002", "clock": "resolution", "cycle": 1, "due_at": "2026-11-27T10:00:00+00:00"},
    {"ticket_id": "HH138-20261127-0003", "clock": "response", "cycle": 1, "due_at": "2026-11-27T03:00:00+00:00"},
]
SITES = {"HH138": {"name": "Huaihai 138", "address": "138 Huaihai Middle Road", "timezone": "Asia/Shanghai"}}
TEMPLATES = Path(__file__).parents[1] / "web" / "templates"


def _kept(
    tickets: list[dict] = TICKETS,
    language: str = "zh",
    revision: str = "r1",
    clocks: list[dict] = CLOCKS,
    sites: dict[str, dict] = SITES,
) -> tuple[tuple[str, ...], str]:
    work = work_to_keep(
        "HH138-E01", tickets, VISITS, language=language, pages_revision=revision, clocks=clocks, sites=sites
    )
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
    noted = [{**TICKETS[0], "last_history_id": 41}, *TICKETS[1:]]
    assert _kept(noted)[1] != version  # a note (or any history row) on a ticket, its row otherwise the same
    assert _kept([{**TICKETS[0], "last_history_id": 42}, *TICKETS[1:]])[1] != _kept(noted)[1]
    later = [{**CLOCKS[0], "due_at": "2026-11-27T12:00:00+00:00"}, CLOCKS[1]]
    assert _kept(clocks=later)[1] != version  # their deadline moved
    assert _kept(clocks=[CLOCKS[0], {**CLOCKS[1], "due_at": "2026-11-27T09:00:00+00:00"}])[1] == version  # not theirs
    moved_site = {"HH138": {**SITES["HH138"], "address": "140 Huaihai Middle Road"}}
    assert _kept(sites=moved_site)[1] != version  # the site's address, on their pages
    assert _kept(sites={**SITES, "XJ01": {"name": "Urumqi"}})[1] == version  # a site they have no work at


def test_an_account_that_is_no_engineer_keeps_only_its_home_list() -> None:
    unheld = [{"ticket_id": "HH138-20261127-0009", "engineer_id": None, "status": "awaiting_assignment"}]
    visits = [{"visit_id": "DAILY-20261128", "engineer_id": None, "status": "open"}]
    work = work_to_keep(None, [*TICKETS, *unheld], [*VISITS, *visits], language="zh", pages_revision="r1")
    assert work.urls == ("/field/",)
    assert theirs(None, unheld) == []  # the home list's rule too (web/field_pages.py)


def _loaded(template: str) -> set[str]:
    """The static files a template loads, with those of the templates it extends and includes."""
    source = (TEMPLATES / template).read_text()
    found = set(re.findall(r"/static/([\w./-]+)", source))
    for other in re.findall(r"{%\s*(?:include|extends)\s+\"([^\"]+)\"", source):
        found |= _loaded(other)
    return found


def test_every_static_file_a_field_page_loads_is_kept_at_install() -> None:
    pages = sorted(path.name for path in TEMPLATES.glob("field_*.html"))
    assert {"field_work.html", "field_ticket.html", "field_visit.html", "field_offline.html"} <= set(pages)
    loaded = set().union(*(_loaded(page) for page in pages))
    assert {"field.js", "field-scan.js", "vendor/zxing-wasm-3.1.8.reader.wasm", "console.css"} <= loaded
    assert loaded - set(SHELL_FILES) == set()


def test_the_statuses_a_table_of_moves_names() -> None:
    moves: dict[str, dict[str, Any]] = {
        "accept": {"from": ["assigned"], "to": "accepted"},
        "resume": {"from": ["paused"], "to": None},
    }
    assert statuses_of(moves) == ["accepted", "assigned", "paused"]
