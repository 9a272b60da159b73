"""The broker delivers at least once; the suite's effects happen once. The same `ticket.opened`
delivered twice, and a copy re-sent with a new message id, give one assignment, one set of clocks and one
document, and downstream events are not repeated either."""

from __future__ import annotations

import asyncio
import uuid

from shared.contracts import Envelope, ServiceKind, TicketOpened, seal
from shared.testing import EventTap, World, eventually, opened_envelope, queue_depth, running, send_envelope


def _opened(ticket_id: str) -> Envelope[TicketOpened]:
    """A control fault at the load-test site, whose engineers can take many tickets, under a new message id."""
    return opened_envelope(
        ticket_id, site_code="LOAD1", site_name="Load test plaza", subsystem="control", kind=ServiceKind.FAULT
    )


async def test_duplicated_and_resent_ticket_opened_have_one_effect_each(seeded: World, tap: EventTap) -> None:
    ticket = f"LOAD1-20261125-D{uuid.uuid4().hex[:4]}"
    first = _opened(ticket)
    resent = seal(first.payload, producer="intake", correlation_id=ticket)  # same fact, new message id
    async with running(seeded, "dispatch", "sla", "archive") as suite:
        await send_envelope(seeded.amqp_url, first, copies=2)
        await send_envelope(seeded.amqp_url, resent)

        async def all_consumed() -> bool:
            depths = [await queue_depth(seeded.amqp_url, f"{name}.inbox") for name in ("dispatch", "sla", "archive")]
            return depths == [0, 0, 0] and bool(tap.of_type("document.archived", ticket))

        await eventually(all_consumed)
        await asyncio.sleep(0.5)  # a second effect, if any, would be published by now

        assert len(tap.of_type("ticket.assigned", ticket)) == 1
        assert sorted(e["payload"]["clock"] for e in tap.of_type("sla.clock_started", ticket)) == [
            "on_site",
            "resolution",
            "response",
        ]
        assert len(tap.of_type("document.archived", ticket)) == 1
        assert (await suite["dispatch"].http.get(f"/tickets/{ticket}")).json()["status"] == "assigned"
        assert len((await suite["sla"].http.get(f"/tickets/{ticket}/clocks")).json()) == 3
        assert len((await suite["archive"].http.get("/documents", params={"ticket_id": ticket})).json()) == 1
        for name in ("dispatch", "sla", "archive"):
            consumed = suite[name].runtime.metrics.consumed
            assert consumed.labels(f"{name}.inbox", "ticket.opened", "duplicate")._value.get() >= 1


async def test_two_dispatch_replicas_never_assign_one_ticket_twice(seeded: World, tap: EventTap) -> None:
    tickets = [f"LOAD1-20261125-R{n:03d}{uuid.uuid4().hex[:3]}" for n in range(30)]
    async with running(seeded, "dispatch") as first, running(seeded, "dispatch") as second:
        envelopes = [_opened(t) for t in tickets]
        # every message twice, and every ticket twice more under a new id: four deliveries per ticket
        await asyncio.gather(*(send_envelope(seeded.amqp_url, e, copies=2) for e in envelopes))
        await asyncio.gather(*(send_envelope(seeded.amqp_url, _opened(t)) for t in tickets))

        async def settled() -> bool:
            return await queue_depth(seeded.amqp_url, "dispatch.inbox") == 0 and all(
                tap.of_type("ticket.assigned", t) for t in tickets
            )

        await eventually(settled, timeout=20)
        await asyncio.sleep(0.5)
        assert all(len(tap.of_type("ticket.assigned", t)) == 1 for t in tickets)
        processed = sum(
            replica["dispatch"]
            .runtime.metrics.consumed.labels("dispatch.inbox", "ticket.opened", "processed")
            ._value.get()
            for replica in (first, second)
        )
        assert processed >= len(tickets)  # both replicas took part or one did all; either way, once per ticket
