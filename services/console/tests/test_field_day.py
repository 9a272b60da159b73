"""What the engineer's phone shows beside the moves, as plain functions: a deadline on the site's clock
(the time alone today, the day too otherwise; overdue once passed), the fault in a few words, the
visits of the day (and every overdue one), a flagged arrival from the ticket's history, and the map
links by coordinates or by address."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

from services.console.domain.field_day import (
    deadline,
    deadlines,
    engineers_clocks,
    flagged_arrival,
    map_links,
    shortened,
    todays_visits,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 12, 7, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai


def test_a_deadline_reads_on_the_sites_clock() -> None:
    today = deadline({"clock": "on_site", "due_at": "2026-12-07T06:30:00+00:00"}, NOW, SHANGHAI)
    assert today is not None
    assert (today.clock, today.time, today.overdue) == ("on_site", "14:30", False)
    tomorrow = deadline({"clock": "resolution", "due_at": "2026-12-07T17:00:00+00:00"}, NOW, SHANGHAI)
    assert tomorrow is not None
    assert tomorrow.time == "12-08 01:00"
    late = deadline({"clock": "response", "due_at": "2026-12-07T01:45:00+00:00"}, NOW, SHANGHAI)
    assert late is not None
    assert (late.time, late.overdue) == ("09:45", True)
    assert deadline(None, NOW, SHANGHAI) is None


def test_the_phones_deadline_is_the_engineers_own_clock_never_the_vendors() -> None:
    """An escalated ticket waits for the vendor: the vendor's clocks run (sooner), the engineer's
    resolution clock is paused; the phone says the engineer's own deadline, or none."""
    zones = {"HH138": SHANGHAI, "XJ01": ZoneInfo("Asia/Urumqi")}  # Xinjiang's sites keep UTC+6
    tickets = [
        {"ticket_id": "HH138-20261207-0001", "site_code": "HH138"},
        {"ticket_id": "XJ01-20261207-0001", "site_code": "XJ01"},
        {"ticket_id": "HH138-20261207-0002", "site_code": "HH138"},  # escalated: only the vendor's run
    ]
    clocks: list[dict[str, Any]] = [
        {"ticket_id": "HH138-20261207-0001", "clock": "vendor_acknowledge", "due_at": "2026-12-07T03:00:00+00:00"},
        {"ticket_id": "HH138-20261207-0001", "clock": "resolution", "due_at": "2026-12-07T08:00:00+00:00"},
        {"ticket_id": "XJ01-20261207-0001", "clock": "on_site", "due_at": "2026-12-07T17:30:00+00:00"},
        {"ticket_id": "XJ01-20261207-0001", "clock": "resolution", "due_at": "2026-12-08T02:00:00+00:00"},
        {"ticket_id": "HH138-20261207-0002", "clock": "vendor_repair", "due_at": "2026-12-07T04:00:00+00:00"},
    ]
    assert [c["clock"] for c in engineers_clocks(clocks)] == ["resolution", "on_site", "resolution"]
    said = deadlines(tickets, clocks, NOW, lambda code: zones[code])
    assert set(said) == {"HH138-20261207-0001", "XJ01-20261207-0001"}  # none for the vendor's alone
    shanghai = said["HH138-20261207-0001"]
    assert (shanghai.clock, shanghai.time, shanghai.overdue) == ("resolution", "16:00", False)
    urumqi = said["XJ01-20261207-0001"]  # 23:30 on the 7th in Urumqi (the 8th already in Shanghai)
    assert (urumqi.clock, urumqi.time) == ("on_site", "23:30")


def test_the_fault_in_a_few_words() -> None:
    assert shortened("  B1 背景音乐\n无声 ") == "B1 背景音乐 无声"
    long = "The amplifier in the B1 rack trips its breaker whenever the paging zone for the car park is selected"
    cut = shortened(long, 40)
    assert cut.endswith("…")
    assert len(cut) <= 40
    assert long.startswith(cut[:-1])
    assert not cut[:-1].endswith(" ")
    assert shortened("背" * 100, 10) == "背" * 9 + "…"  # no spaces: cut where it must
    assert shortened(None) == ""


def test_the_visits_of_the_day_and_every_overdue_one() -> None:
    visits: list[dict[str, Any]] = [
        {"visit_id": "DAILY-20261207", "overdue_since": None},
        {"visit_id": "WEEKLY-20261209", "overdue_since": None},  # booked for another day
        {"visit_id": "MONTHLY-20261101", "overdue_since": "2026-11-06T16:00:00+00:00"},
    ]
    shown = todays_visits(visits, {"DAILY-20261207"})
    assert [(v["visit_id"], v["overdue"]) for v in shown] == [("DAILY-20261207", False), ("MONTHLY-20261101", True)]


def test_a_flagged_arrival_is_the_last_arrivals_facts() -> None:
    far = {"doubt": "too_far", "distance_m": 998, "checked": True}
    history: list[dict[str, Any]] = [
        {"action": "accept", "facts": None},
        {"action": "arrive", "facts": {"doubt": None, "distance_m": 12, "checked": True}},
        {"action": "pause", "facts": None},
        {"action": "arrive", "facts": far},
    ]
    assert flagged_arrival(history) == far
    assert flagged_arrival(history[:2]) is None  # near the site: nothing to say
    assert flagged_arrival([{"action": "arrive", "note": "arrived 5 m from the site"}]) is None  # no facts kept
    assert flagged_arrival([]) is None


def test_map_links_by_coordinates_or_by_address() -> None:
    placed = map_links("无限度广场", "138 Huaihai Middle Road", 31.2196, 121.4733)
    assert placed is not None
    assert placed.geo.startswith("geo:31.219600,121.473300?q=31.219600,121.473300(")
    amap = urlsplit(placed.amap)
    asked = parse_qs(amap.query)
    assert (amap.netloc, amap.path) == ("uri.amap.com", "/marker")
    assert asked["position"] == ["121.473300,31.219600"]  # Amap wants the longitude first
    assert (asked["name"], asked["coordinate"]) == (["无限度广场"], ["wgs84"])
    by_address = map_links("Mall", "138 Huaihai Middle Road, Shanghai", None, None)
    assert by_address is not None
    assert by_address.geo == "geo:0,0?q=138%20Huaihai%20Middle%20Road%2C%20Shanghai"
    assert urlsplit(by_address.amap).path == "/search"
    assert parse_qs(urlsplit(by_address.amap).query)["keyword"] == ["138 Huaihai Middle Road, Shanghai"]
    assert map_links("Mall", None, None, None) is None
