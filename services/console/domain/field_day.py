"""What the engineer's phone shows beside the moves: each ticket's deadline as the site's clock reads it,
the fault in a few words, the inspection visits of the day, whether their arrival was flagged, and the
links that open a map app to the site. Plain functions over what the services answer."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import quote, urlencode
from zoneinfo import ZoneInfo

from shared.contracts.sla import ClockKind

WORDS_SHOWN = 60
"""How much of the fault's description the home list shows: a line of a phone's screen or two."""


@dataclass(frozen=True)
class Deadline:
    clock: str  # response, on_site or resolution: what has to be done by then
    due_at: datetime
    overdue: bool
    time: str  # the site's clock: "14:30" today, "12-08 14:30" another day


ENGINEERS_CLOCKS = frozenset(kind.value for kind in ClockKind)
"""The clocks the engineer works against (response, on site, resolution): the phone's deadlines. The
vendor partners' clocks run while the ticket waits for the vendor; the engineer has nothing to do by them."""


def engineers_clocks(clocks: Iterable[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """The running clocks the engineer works against, of every ticket (sla's list holds the vendors' too)."""
    return [clock for clock in clocks if clock.get("clock") in ENGINEERS_CLOCKS]


def deadline(clock: Mapping[str, Any] | None, now: datetime, zone: ZoneInfo) -> Deadline | None:
    """The running clock's due time as the engineer reads it on site; None without a running clock."""
    if not clock or not clock.get("due_at"):
        return None
    due = _moment(clock["due_at"])
    local_due = due.astimezone(zone)
    same_day = local_due.date() == now.astimezone(zone).date()
    time = local_due.strftime("%H:%M" if same_day else "%m-%d %H:%M")
    return Deadline(str(clock["clock"]), due, now >= due, time)


def deadlines(
    tickets: Iterable[Mapping[str, Any]],
    clocks: Iterable[Mapping[str, Any]],
    now: datetime,
    zone_of: Callable[[str], ZoneInfo],
) -> dict[str, Deadline]:
    """Each ticket's soonest deadline among the engineer's own running clocks, on its site's clock
    (`zone_of`: the site's time zone by its code); a ticket with none of them running has none."""
    soonest: dict[str, tuple[datetime, Mapping[str, Any]]] = {}
    for clock in engineers_clocks(clocks):
        if not clock.get("due_at"):
            continue
        due = _moment(clock["due_at"])
        held = soonest.get(str(clock["ticket_id"]))
        if held is None or due < held[0]:
            soonest[str(clock["ticket_id"])] = (due, clock)
    found = {}
    for ticket in tickets:
        number = str(ticket["ticket_id"])
        said = deadline(soonest[number][1], now, zone_of(str(ticket.get("site_code")))) if number in soonest else None
        if said is not None:
            found[number] = said
    return found


def shortened(text: str | None, limit: int = WORDS_SHOWN) -> str:
    """The first words of a description, on one line, cut at a word where the text has spaces."""
    flat = " ".join((text or "").split())
    if len(flat) <= limit:
        return flat
    cut = flat[: limit - 1]
    if " " in cut[limit // 2 :]:
        cut = cut[: cut.rindex(" ")]
    return cut.rstrip() + "…"


def todays_visits(visits: Iterable[Mapping[str, Any]], of_the_day: set[str]) -> list[dict[str, Any]]:
    """The visits dispatch puts in the engineer's day (by appointment today, or due to be made by now),
    and every overdue one still open whatever its appointment: the phone lists these, not every open
    visit. Each says whether it is overdue (dispatch flags a visit past the last day of its window)."""
    return [
        {**visit, "overdue": visit.get("overdue_since") is not None}
        for visit in visits
        if visit["visit_id"] in of_the_day or visit.get("overdue_since") is not None
    ]


def flagged_arrival(history: Iterable[Mapping[str, Any]]) -> Mapping[str, Any] | None:
    """The facts of the last arrival on the ticket when dispatch flagged it (too far from the site, too
    vague to tell, or no position): the same facts the manager's page words. None if not flagged."""
    arrivals = [row for row in history if row.get("action") == "arrive"]
    if not arrivals:
        return None
    facts = arrivals[-1].get("facts")
    return facts if isinstance(facts, Mapping) and facts.get("doubt") else None


@dataclass(frozen=True)
class MapLinks:
    geo: str  # Android's intent: the engineer's own map app
    amap: str  # 高德 (Amap): its app, or its web page where the app is not installed


def map_links(name: str, address: str | None, latitude: float | None, longitude: float | None) -> MapLinks | None:
    """Links that open a map at the site: at its coordinates when dispatch has them (the entrance the
    arrival check measures from), by its address otherwise; None when there is neither. The coordinates
    are GPS's (WGS-84: the arrival check compares them with the phones'), which Amap is told, as it
    would otherwise read them in China's own datum and pin the site a few hundred metres off."""
    if latitude is not None and longitude is not None:
        where = f"{latitude:.6f},{longitude:.6f}"
        geo = f"geo:{where}?q={where}({quote(name)})"
        amap = "https://uri.amap.com/marker?" + urlencode(
            {
                "position": f"{longitude:.6f},{latitude:.6f}",
                "name": name,
                "coordinate": "wgs84",
                "src": "aftercare",
                "callnative": "1",
            }
        )
        return MapLinks(geo, amap)
    if address:
        geo = f"geo:0,0?q={quote(address)}"
        amap = "https://uri.amap.com/search?" + urlencode({"keyword": address, "src": "aftercare", "callnative": "1"})
        return MapLinks(geo, amap)
    return None


def _moment(value: str | datetime) -> datetime:
    return datetime.fromisoformat(value) if isinstance(value, str) else value
