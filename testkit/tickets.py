"""Tickets for a test of its own: opened at a fresh copy of the demo site, assigned by dispatch."""

from __future__ import annotations

import uuid

from shared.identity import Role
from testkit.broker import send_envelopes
from testkit.identities import bearer
from testkit.in_process import RunningService
from testkit.samples import opened_envelope
from testkit.sites import fresh_site
from testkit.waiting import eventually
from testkit.world import World


async def assigned_ticket(
    world: World, dispatch: RunningService, site: str | None = None
) -> tuple[str, dict[str, str]]:
    """A bgm fault opened at `site` (a fresh copy of the demo site by default) and assigned by the running
    dispatch; returns the ticket id and the assigned engineer's bearer headers."""
    site = site or await fresh_site(world, names=("dispatch",))
    opened = opened_envelope(f"{site}-20261127-{uuid.uuid4().hex[:4]}", site_code=site)
    await send_envelopes(world.amqp_url, [opened])
    ticket = opened.payload.ticket_id

    async def assigned() -> str | None:
        answer = await dispatch.http.get(f"/tickets/{ticket}")
        return answer.json().get("engineer_id") if answer.status_code == 200 else None

    engineer = await eventually(assigned, timeout=20, what=f"{ticket} assigned")
    return ticket, bearer(f"eng-{engineer}", Role.ENGINEER, engineer_id=engineer)
