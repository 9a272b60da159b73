"""A fault taken to where an engineer escalates it, as the vendor tests need it: the vendor service
has heard of the (fresh) site from intake, and the engineer has accepted a fault on its event-hall DSP;
and a case taken all the way to its partner, with the partner's clocks as the SLA service shows them."""

from __future__ import annotations

from typing import Any

import httpx

from shared.identity import Role
from testkit.broker import EventTap
from testkit.identities import bearer
from testkit.in_process import RunningService
from testkit.partners import Partner
from testkit.sites import fresh_site
from testkit.waiting import eventually
from testkit.world import World


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


async def case_sent_to(
    world: World,
    suite: dict[str, RunningService],
    tap: EventTap,
    partner: Partner,
    *,
    findings: str = "DSP reboots under load",
) -> dict[str, Any]:
    """A repair escalated to `partner` from a fault on a fresh site of its own (intake joins a second fault
    on one device into the open ticket): the request as the partner took it from its queue. `suite` holds
    intake, dispatch and vendor running (`testkit.in_process.running`)."""
    intake, dispatch, vendor = (suite[name].http for name in ("intake", "dispatch", "vendor"))
    site = await fresh_site(world)
    await vendor_knows(vendor, site)
    ticket = await accepted_fault(intake, dispatch, tap, site)
    escalated = await escalate(dispatch, ticket, partner.code, findings=findings)
    assert escalated.status_code == 200, escalated.text
    [request] = await partner.take_requests(1)
    assert request["payload"]["ticket_id"] == ticket, request
    return request


async def partner_clocks(sla: httpx.AsyncClient, ticket: str) -> dict[str, dict[str, Any]]:
    """The vendor partner's clocks of a ticket with one case, as the SLA service shows them, by clock
    (`vendor_acknowledge`, `vendor_repair`, ...); empty until the SLA service has started them."""
    shown = await sla.get(f"/tickets/{ticket}/clocks")
    if shown.status_code == 404:
        return {}
    assert shown.status_code == 200, shown.text
    return {clock["clock"]: clock for clock in shown.json() if clock["clock"].startswith("vendor_")}
