"""A fault taken to where an engineer escalates it, as the vendor tests need it: the vendor service
has heard of the (fresh) site from intake, and the engineer has accepted a fault on its event-hall DSP."""

from __future__ import annotations

import httpx

from shared.identity import Role
from testkit.broker import EventTap
from testkit.identities import bearer
from testkit.waiting import eventually


def av_engineer(ticket: str) -> dict[str, str]:
    """The headers of the engineer who owns the av subsystem at the ticket's site (a copy of the demo site,
    whose engineers are `<site>-E01` ...), to whom a fault on its DSP is assigned."""
    return bearer("li.na", Role.ENGINEER, engineer_id=f"{ticket.split('-', 1)[0]}-E02")


def event_hall_dsp(site: str) -> tuple[str, str]:
    """The DSP of a copy of the demo site: its asset tag and its serial number."""
    return f"{site}-AV-DSP-01", f"{site}-BLU100-22A07716"


async def accepted_fault(intake: httpx.AsyncClient, dispatch: httpx.AsyncClient, tap: EventTap, site: str) -> str:
    """A fault reported on the site's event-hall DSP, assigned and accepted; its ticket id."""
    opened = await intake.post(
        "/requests",
        json={
            "site_code": site,
            "subsystem": "av",
            "asset_tag": event_hall_dsp(site)[0],
            "description": "DSP in the event hall reboots every few minutes",
            "channel": "hotline",
            "reporter": {"name": "Event hall manager"},
        },
    )
    assert opened.status_code == 201, opened.text
    ticket: str = opened.json()["ticket_id"]
    await tap.wait_for("ticket.assigned", ticket)
    accepted = await dispatch.post(f"/tickets/{ticket}/accept")
    assert accepted.status_code == 200, accepted.text
    return ticket


async def vendor_knows(vendor: httpx.AsyncClient, site: str) -> None:
    """Wait until the vendor service has the site in its directory (intake announces it on loading)."""

    async def known() -> bool:
        return (await vendor.get(f"/directory/sites/{site}")).status_code == 200

    await eventually(known, what="the vendor service heard of the site")


async def escalate(
    dispatch: httpx.AsyncClient, ticket: str, vendor_code: str, *, reason: str = "repair", findings: str
) -> httpx.Response:
    """The engineer escalates the ticket to the partner."""
    return await dispatch.post(
        f"/tickets/{ticket}/escalate",
        json={"reason": reason, "findings": findings, "vendor_code": vendor_code},
        headers=av_engineer(ticket),
    )
