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
    deadline,
    flagged_arrival,
    map_links,
    shortened,
    todays_visits,
)
from services.console.domain.people import Person
from services.console.web.upstream import Upstream, optional

NOTES = ("note", "note_for_customer", "comment")
"""The history's written words the phone lists: the staff's notes, internal or for the customer, and
what the customer wrote."""
DEFAULT_ZONE = "Asia/Shanghai"


async def my_work(services: Upstream, person: Person, now: datetime) -> dict[str, Any]:
    """The engineer's open tickets, nearest deadline first, and the inspection visits of their day."""
    me = person.engineer_id
    tickets, clocks, visits, site_list = await asyncio.gather(
        services.get(person, "dispatch", "/tickets"),
        services.get(person, "sla", "/clocks"),
        optional(services.get(person, "dispatch", "/inspections/visits", status="open")),
        services.get(person, "intake", "/sites"),
    )
    sites = {site["code"]: site for site in site_list}
    rows = board([ticket for ticket in tickets if ticket["engineer_id"] == me], clocks, now)
    mine = [visit for visit in visits if visit["engineer_id"] == me]
    reported, of_the_day = await asyncio.gather(
        asyncio.gather(*(optional(services.get(person, "intake", f"/tickets/{r.ticket['ticket_id']}")) for r in rows)),
        _visits_of_the_day(services, person, {visit["site_code"] for visit in mine}, sites, now),
    )
    numbers = [row.ticket["ticket_id"] for row in rows]
    return {
        "rows": rows,
        "words": {n: shortened(_of(told).get("description")) for n, told in zip(numbers, reported, strict=True)},
        "deadlines": {
            row.ticket["ticket_id"]: deadline(row.clock, now, _zone(sites.get(row.ticket["site_code"]))) for row in rows
        },
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
    """A ticket's notes (oldest first), its flagged arrival, and the links that open a map to its site
    (`site`: intake's description of it, for its name and address)."""
    history, location = await asyncio.gather(
        optional(services.get(person, "dispatch", f"/tickets/{ticket_id}/history")),
        optional(services.get(person, "dispatch", f"/sites/{site_code}/location")),
    )
    place = _of(location)
    name = str(site.get("local_name") or site.get("name") or site_code)
    return {
        "notes": [row for row in history if row.get("action") in NOTES],
        "flagged_arrival": flagged_arrival(history),
        "maps": map_links(name, site.get("address"), place.get("latitude"), place.get("longitude")),
    }


def _of(answer: Any) -> dict[str, Any]:
    """An answer that is an object, or nothing (`optional` answers a refusal with an empty list)."""
    return answer if isinstance(answer, dict) else {}


def _zone(site: dict[str, Any] | None) -> ZoneInfo:
    return ZoneInfo((site or {}).get("timezone") or DEFAULT_ZONE)
