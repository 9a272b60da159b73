"""A malformed message on a service queue lands in its dead-letter queue with the reason, and the
next good message is still processed."""

from __future__ import annotations

import uuid

from shared.contracts import ServiceKind
from shared.messaging.dead_letters import list_dead_letters
from testkit.broker import EventTap, send, send_envelope
from testkit.in_process import running
from testkit.samples import opened_envelope
from testkit.waiting import eventually
from testkit.world import World


async def test_poison_goes_to_the_dead_letter_queue_and_the_queue_keeps_flowing(seeded: World, tap: EventTap) -> None:
    poison_id = f"poison-{uuid.uuid4()}"
    ticket = f"HH138-20261125-P{uuid.uuid4().hex[:4]}"
    good = opened_envelope(ticket, site_code="HH138", subsystem="av", kind=ServiceKind.TECHNICAL_SUPPORT)
    async with running(seeded, "dispatch"):
        await send(
            seeded.amqp_url,
            b'{"type": "ticket.opened", "payload": "half a message',
            routing_key="ticket.opened",
            message_id=poison_id,
            message_type="ticket.opened",
        )
        await send_envelope(seeded.amqp_url, good)

        assert (await tap.wait_for("ticket.assigned", ticket))[0]["causation_id"] == str(good.message_id)

        async def dead_letter() -> list:
            return [d for d in await list_dead_letters(seeded.amqp_url, "dispatch.inbox") if d.message_id == poison_id]

        letter = (await eventually(dead_letter))[0]
        assert letter.reason == "invalid_envelope"
        assert "Invalid JSON" in letter.detail
