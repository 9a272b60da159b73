"""The broker delivers at least once; the suite's effects happen once. The same `ticket.opened`
delivered twice, and a copy re-sent with a new message id, give one assignment, one set of clocks and one
request record and dispatch order, and downstream events are not repeated either."""

from __future__ import annotations

import asyncio
import uuid

from testkit.broker import EventTap, queue_depth, send_envelope
from testkit.in_process import running
from testkit.samples import again, opened_at_load_site
from testkit.waiting import eventually, stays
from testkit.world import World


async def test_duplicated_and_resent_ticket_opened_have_one_effect_each(seeded: World, tap: EventTap) -> None:
    ticket = f"LOAD1-20261125-D{uuid.uuid4().hex[:4]}"
    first = opened_at_load_site(ticket, subsystem="control")
    resent = again(first)  # same fact, new message id
    async with running(seeded, "dispatch", "sla", "archive") as suite:
        await send_envelope(seeded.amqp_url, first, copies=2)
        await send_envelope(seeded.amqp_url, resent)

        async def all_consumed() -> bool:
            depths = [await queue_depth(seeded.amqp_url, f"{name}.inbox") for name in ("dispatch", "sla", "archive")]
            return depths == [0, 0, 0] and len(tap.of_type("document.archived", ticket)) >= 2

        async def one_effect_each() -> bool:
            assert len(tap.of_type("ticket.assigned", ticket)) == 1
            [started] = tap.of_type("sla.clocks_started", ticket)  # one event for the three clocks
            assert [c["clock"] for c in started["payload"]["clocks"]] == ["response", "on_site", "resolution"]
            archived = tap.of_type("document.archived", ticket)
            assert sorted(e["payload"]["category"] for e in archived) == ["DSP", "REC"]
            return True

        await eventually(all_consumed)
        await eventually(one_effect_each)
        await stays(one_effect_each, what="no second effect")

        assert (await suite["dispatch"].http.get(f"/tickets/{ticket}")).json()["status"] == "assigned"
        assert len((await suite["sla"].http.get(f"/tickets/{ticket}/clocks")).json()) == 3
        documents = (await suite["archive"].http.get("/documents", params={"ticket_id": ticket})).json()
        assert sorted(d["category"] for d in documents) == ["DSP", "REC"]
        for name in ("dispatch", "sla", "archive"):
            consumed = suite[name].runtime.metrics.consumed
            assert consumed.labels(f"{name}.inbox", "ticket.opened", "duplicate")._value.get() >= 1


async def test_two_dispatch_replicas_never_assign_one_ticket_twice(seeded: World, tap: EventTap) -> None:
    tickets = [f"LOAD1-20261125-R{n:03d}{uuid.uuid4().hex[:3]}" for n in range(30)]
    async with running(seeded, "dispatch") as first, running(seeded, "dispatch") as second:
        envelopes = [opened_at_load_site(t, subsystem="control") for t in tickets]
        # every message twice, and every ticket twice more under a new id: four deliveries per ticket
        await asyncio.gather(*(send_envelope(seeded.amqp_url, e, copies=2) for e in envelopes))
        await asyncio.gather(*(send_envelope(seeded.amqp_url, again(e)) for e in envelopes))

        async def settled() -> bool:
            return await queue_depth(seeded.amqp_url, "dispatch.inbox") == 0 and all(
                tap.of_type("ticket.assigned", t) for t in tickets
            )

        async def assigned_once() -> bool:
            return all(len(tap.of_type("ticket.assigned", t)) == 1 for t in tickets)

        await eventually(settled, timeout=20)
        await stays(assigned_once, what="every ticket assigned exactly once")
        processed = sum(
            replica["dispatch"]
            .runtime.metrics.consumed.labels("dispatch.inbox", "ticket.opened", "processed")
            ._value.get()
            for replica in (first, second)
        )
        assert processed >= len(tickets)  # both replicas took part or one did all; either way, once per ticket
