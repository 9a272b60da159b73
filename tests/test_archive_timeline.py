"""The archive hears every event of the suite: a ticket's whole life, through all five services in a
world of its own, leaves nothing in `aftercare.unrouted`; the archive's timeline of the ticket holds
each event once, in the order it happened; and each step left its document with its PDF (the request
record, the dispatch order, the service report with the customer's signature, the follow-up record)."""

from __future__ import annotations

import asyncio
import base64
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest

import services
from shared.contracts.catalogue import EVENTS
from shared.messaging.topology import UNROUTED_QUEUE
from shared.service import seed_site
from shared.site_file import DEMO_SITE
from testkit.broker import EventTap, event_tap, queue_depth
from testkit.documents import pdf_text, signature_png
from testkit.in_process import running
from testkit.waiting import eventually, settled
from testkit.world import World, create_world, destroy_world

SIGNED = {"name": "徐女士", "role": "duty manager", "signature_png": base64.b64encode(signature_png()).decode()}


@pytest.fixture
async def alone() -> AsyncIterator[World]:
    """A world no other test publishes into, with the demo site."""
    world = await asyncio.to_thread(create_world)
    try:
        for name in services.NAMES:
            await seed_site(services.definition(name), world.database_url, DEMO_SITE)
        yield world
    finally:
        await asyncio.to_thread(destroy_world, world)


async def test_a_whole_ticket_life_leaves_nothing_unrouted(alone: World) -> None:
    async with event_tap(alone.amqp_url) as tap, running(alone, *services.NAMES) as suite:
        dispatch, archive = suite["dispatch"].http, suite["archive"].http
        reported = datetime.now(UTC) - timedelta(minutes=30)
        opened = await suite["intake"].http.post(
            "/requests",
            json={
                "site_code": "HH138",
                "subsystem": "bgm",
                "asset_tag": "HH138-BGM-AMP-01",
                "description": "No background music in the L1 atrium",
                "channel": "hotline",
                "reporter": {"name": "Ms. Xu", "phone": "+86 21 5555 0101"},
                "reported_at": reported.isoformat(),
            },
        )
        ticket = opened.json()["ticket_id"]
        await tap.wait_for("ticket.assigned", ticket)
        for minutes, action, body in (
            (2, "accept", {}),
            (20, "arrive", {}),
            (25, "resolve", {"summary": "Amplifier fuse replaced", "parts": ["Fuse T3.15A"], "confirmation": SIGNED}),
        ):
            at = (reported + timedelta(minutes=minutes)).isoformat()
            moved = await dispatch.post(f"/tickets/{ticket}/{action}", json={"at": at, **body})
            assert moved.status_code == 200, moved.text
        await tap.wait_for("followup.due", ticket)
        call = {"reached": True, "satisfaction": 5, "comments": "Music back before opening"}
        assert (await dispatch.post(f"/tickets/{ticket}/follow-up", json=call)).status_code == 200
        await tap.wait_for("sla.met", ticket, count=3)
        published = await _every_event_of(tap, ticket)

        async def all_kept() -> list[dict]:
            kept = (await archive.get(f"/tickets/{ticket}/timeline")).json()
            return kept if len(kept) == len(published) else []

        kept = await eventually(all_kept, what="every event of the ticket in the archive's timeline")
        assert sorted(k["message_id"] for k in kept) == sorted(e["message_id"] for e in published)
        assert [k["occurred_at"] for k in kept] == sorted(k["occurred_at"] for k in kept)
        types = {k["type"] for k in kept}
        assert {"ticket.opened", "ticket.assigned", "sla.clocks_started", "ticket.closed", "sla.met"} <= types
        assert "sla.clock_started" not in types  # the three clocks in one event, kept as it came
        assert {"followup.recorded", "document.archived"} <= types
        assert await queue_depth(alone.amqp_url, UNROUTED_QUEUE) == 0

        filed = {d["category"]: d for d in (await archive.get("/documents", params={"ticket_id": ticket})).json()}
        assert set(filed) == {"REC", "DSP", "RPT", "FUP"}
        report = await archive.get(f"/documents/{filed['RPT']['code']}/pdf")
        listed = {d["category"]: d for d in (await archive.get("/documents", params={"ticket_id": ticket})).json()}
        assert report.headers["etag"] == f'"{listed["RPT"]["pdf_sha256"]}"'  # typeset by now, or when asked
        text = pdf_text(report.content)
        assert ("现场服务报告" in text, "Fuse T3.15A" in text, "徐女士" in text) == (True, True, True)


async def _every_event_of(tap: EventTap, ticket: str) -> list[dict]:
    """Every event published about the ticket, once each, once the suite has gone quiet."""
    kinds = [event.message_type for event in EVENTS]

    async def published() -> list[dict]:
        return [e for kind in kinds for e in tap.events(kind, ticket)]

    return await settled(published, timeout=20, what="the ticket's events")
