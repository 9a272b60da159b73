"""The ticket list over the real broker and database: tickets found by their words, phone and serial
number, filtered, sorted and paged as the office asks, and a customer's representative held to their site."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from shared.contracts import (
    ClockKind,
    DeviceRef,
    Envelope,
    Priority,
    Reporter,
    ServiceKind,
    SlaBreached,
    TicketAssigned,
    TicketOnSite,
    TicketResolved,
    seal,
)
from shared.identity import Role
from testkit.broker import send_envelopes
from testkit.identities import bearer
from testkit.in_process import running
from testkit.samples import from_dispatch, opened_envelope
from testkit.waiting import eventually
from testkit.world import World


async def test_tickets_are_found_filtered_sorted_and_paged_and_a_customer_sees_their_site_only(seeded: World) -> None:
    site, other = (f"L{uuid.uuid4().hex[:6].upper()}" for _ in range(2))
    serial = f"SN-{uuid.uuid4().hex[:8].upper()}"
    now = datetime.now(UTC)
    music = opened_envelope(
        f"{site}-0001", site_code=site, reported_at=now - timedelta(days=3), description="中庭背景音乐没有声音",
        reporter=Reporter(name="徐女士", phone="+86 138 1234 5678"),
    )  # fmt: skip
    screen = opened_envelope(
        f"{site}-0002", site_code=site, subsystem="signage", priority=Priority.CRITICAL, reported_at=now - timedelta(days=2),
        description="B1 signage screen dark", device=DeviceRef(asset_tag=f"{site}-SIG-01", serial_number=serial),
    )  # fmt: skip
    complaint = opened_envelope(
        f"{site}-0003", site_code=site, kind=ServiceKind.COMPLAINT, reported_at=now - timedelta(days=1),
        description="工程师迟到",
    )  # fmt: skip
    elsewhere = opened_envelope(f"{other}-0001", site_code=other, description="中庭背景音乐没有声音")
    moves: list[Envelope[Any]] = [
        from_dispatch(
            TicketAssigned(
                ticket_id=screen.payload.ticket_id, site_code=site, subsystem="signage", engineer_id="E07",
                engineer_name="王磊", rule="subsystem_owner", assigned_at=now - timedelta(days=2),
            )
        ),
        from_dispatch(TicketOnSite(ticket_id=screen.payload.ticket_id, engineer_id="E07", arrived_at=now)),
        seal(
            SlaBreached(
                ticket_id=screen.payload.ticket_id, clock=ClockKind.ON_SITE, cycle=1, due_at=now - timedelta(days=1),
                target_minutes=240, breached_at=now - timedelta(days=1),
            ),
            producer="sla", correlation_id=screen.payload.ticket_id,
        ),
        from_dispatch(
            TicketResolved(ticket_id=complaint.payload.ticket_id, summary="已致歉", resolved_at=now)
        ),
    ]  # fmt: skip
    async with running(seeded, "archive") as suite:
        archive = suite["archive"].http
        await send_envelopes(seeded.amqp_url, [music, screen, complaint, elsewhere])
        await send_envelopes(seeded.amqp_url, moves)

        async def found(**params: Any) -> list[str]:
            answer = await archive.get("/tickets", params={"site_code": site, **params})
            assert answer.status_code == 200, answer.text
            return [item["ticket_id"] for item in answer.json()["items"]]

        async def all_heard() -> bool:
            answer = (await archive.get("/tickets", params={"site_code": site, "breached": True})).json()
            return await found(status="resolved") == [complaint.payload.ticket_id] and answer["total"] == 1

        await eventually(all_heard, what="the tickets and their moves in the list")
        one, two, three = (envelope.payload.ticket_id for envelope in (music, screen, complaint))
        assert await found() == [three, two, one]  # newest first
        assert await found(sort="reported_at") == [one, two, three]
        assert await found(sort="priority") == [two, one, three]  # critical first, then by number
        assert await found(q="背景音乐") == [one]  # not the other site's, which was not asked for
        assert await found(q="音乐") == [one]  # a word of two characters, found by its pair
        assert await found(q="乐") == [one]
        assert await found(q="乐中") == []  # both characters are there, but not side by side
        assert await found(q="13812345678") == [one]  # the phone as typed without spaces
        assert await found(q=serial.lower()) == [two]
        assert await found(q="signage dark") == [two]  # every word must appear
        assert await found(q="signage 音乐") == []
        assert await found(q="100%") == []  # a wildcard is a character like any other
        assert await found(status=["on_site", "resolved"]) == [three, two]
        assert await found(kind="complaint") == [three]
        assert await found(open=True) == [two, one]
        assert await found(breached=True, engineer_id="E07") == [two]
        assert await found(subsystem="bgm", priority="normal") == [three, one]
        day = (now - timedelta(days=2)).astimezone(ZoneInfo("Asia/Shanghai")).date()  # the sites' days
        assert two in await found(reported_from=day.isoformat(), reported_to=day.isoformat())
        assert await found(reported_to=(now - timedelta(days=5)).date().isoformat()) == []

        paged = (await archive.get("/tickets", params={"site_code": site, "limit": 2, "page": 2})).json()
        assert (paged["total"], [item["ticket_id"] for item in paged["items"]]) == (3, [one])
        line = next(item for item in (await archive.get("/tickets", params={"q": serial})).json()["items"])
        assert (line["status"], line["engineer_name"], line["breached"], line["serial_number"]) == (
            "on_site", "王磊", True, serial,
        )  # fmt: skip

        for wrong in ({"sort": "colour"}, {"status": "lost"}, {"limit": 10_001}, {"colour": "red"}):
            refused = await archive.get("/tickets", params={"site_code": site, **wrong})
            assert refused.status_code == 422, (wrong, refused.text)

        customer = bearer("xu.jing", Role.CUSTOMER, site_code=site)
        mine = await archive.get("/tickets", params={"site_code": site}, headers=customer)
        assert mine.status_code == 200, mine.text
        assert [item["ticket_id"] for item in mine.json()["items"]] == [three, two, one]
        for sites in ([site, other], [other, site]):
            assert (await archive.get("/tickets", params={"site_code": sites}, headers=customer)).status_code == 403
        theirs = await archive.get("/tickets", params={"site_code": other}, headers=customer)
        assert theirs.status_code == 403
        assert (await archive.get("/tickets", headers=customer)).status_code == 403
