"""What the engineer's phone pages show besides the moves, gathered from the services: on the home list,
each ticket's fault in a few words and its deadline on the site's clock, and the day's inspection visits;
on a ticket, its notes, whether the arrival was flagged for the manager, and the map links to the site."""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from services.console.domain.board import board
from services.console.domain.field_day import (
    deadlines,
    engineers_clocks,
    flagged_arrival,
    map_links,
    shortened,
    todays_visits,
)
from services.console.domain.offline import theirs
from services.console.domain.people import Person
from services.console.web.upstream import Upstream, optional

NOTES = ("note", "note_for_customer", "comment")
"""The history's written words the phone lists: the staff's notes, internal or for the customer, and
what the customer wrote."""
DEFAULT_ZONE = "Asia/Shanghai"


async def my_work(services: Upstream, person: Person, now: datetime) -> dict[str, Any]:
    """The engineer's open tickets, nearest deadline of their own clocks first, and the inspection visits of
    their day (none of either for an account that is no engineer)."""
    tickets, clocks, visits, site_list = await asyncio.gather(
        services.get(person, "dispatch", "/tickets"),
        services.get(person, "sla", "/clocks"),
        optional(services.get(person, "dispatch", "/inspections/visits", status="open")),
        services.get(person, "intake", "/sites"),
    )
    sites = {site["code"]: site for site in site_list}
    mine_open = [dict(ticket) for ticket in theirs(person.engineer_id, tickets)]
    own_clocks = engineers_clocks(clocks)  # the row's countdown and its order: the engineer's deadline too
    rows = board(mine_open, [dict(clock) for clock in own_clocks], now)
    mine = [dict(visit) for visit in theirs(person.engineer_id, visits or [])]
    reported, of_the_day = await asyncio.gather(
        asyncio.gather(*(optional(services.get(person, "intake", f"/tickets/{r.ticket['ticket_id']}")) for r in rows)),
        _visits_of_the_day(services, person, {visit["site_code"] for visit in mine}, sites, now),
    )
    numbers = [row.ticket["ticket_id"] for row in rows]
    return {
        "rows": rows,
        "words": {n: shortened(_of(told).get("description")) for n, told in zip(numbers, reported, strict=True)},
        "deadlines": deadlines(mine_open, own_clocks, now, lambda code: _zone(sites.get(code))),
        "visits": todays_visits(mine, of_the_day),
        "sites": sites,
    }


async def _visits_of_the_day(
    services: Upstream, person: Person, site_codes: set[str], sites: dict[str, Any], now: datetime
) -> set[str]:
    """The visits dispatch puts in the engineer's day at each site where they have one open (the
    site's own date): its rule of which visits are the day's, not one of the phone's."""
    codes = sorted(site_codes)
    days = await asyncio.gather(
        *(
            optional(
                services.get(
                    person,
                    "dispatch",
                    f"/engineers/{person.engineer_id}/day",
                    day=now.astimezone(_zone(sites.get(code))).date().isoformat(),
                    site_code=code,
                )
            )
            for code in codes
        )
    )
    return {item["id"] for day in days for item in day if item.get("what") == "inspection"}


async def on_the_ticket(
    services: Upstream, person: Person, ticket_id: str, site_code: str, site: dict[str, Any]
) -> dict[str, Any]:
    """A ticket's notes (oldest first), its flagged arrival, and its site's address and map links
    (`site`: intake's description of it, for its name and address)."""
    history, where = await asyncio.gather(
        optional(services.get(person, "dispatch", f"/tickets/{ticket_id}/history")),
        to_the_site(services, person, site_code, site),
    )
    return {
        "notes": [row for row in history if row.get("action") in NOTES],
        "flagged_arrival": flagged_arrival(history),
        **where,
    }


async def to_the_site(services: Upstream, person: Person, site_code: str, site: dict[str, Any]) -> dict[str, Any]:
    """The site's address and the links that open a map to it, for a ticket's page and a visit's."""
    place = _of(await optional(services.get(person, "dispatch", f"/sites/{site_code}/location")))
    name = str(site.get("local_name") or site.get("name") or site_code)
    return {
        "site_address": site.get("address"),
        "maps": map_links(name, site.get("address"), place.get("latitude"), place.get("longitude")),
    }


def _of(answer: Any) -> dict[str, Any]:
    """An answer that is an object, or nothing (`optional` answers a refusal with an empty list)."""
    return answer if isinstance(answer, dict) else {}


def _zone(site: dict[str, Any] | None) -> ZoneInfo:
    return ZoneInfo((site or {}).get("timezone") or DEFAULT_ZONE)
