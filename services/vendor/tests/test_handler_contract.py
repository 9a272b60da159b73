"""The vendor service's `ticket.escalation_needed` handler over FastStream's in-memory broker and the
real database: each escalation dispatch asks for is recorded once, however often it arrives."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select

from services.vendor.db.tables import escalations, inbox, outbox
from shared.contracts import DeviceRef, Envelope, TicketEscalationNeeded, seal
from testkit.database import fetch_all
from testkit.in_process import deliver_in_memory
from testkit.world import World

QUEUE = "vendor.inbox"
REQUESTED_AT = datetime(2026, 11, 25, 6, 0, tzinfo=UTC)


def _escalation(ticket_id: str | None = None, vendor_code: str = "bosch") -> Envelope[TicketEscalationNeeded]:
    """A `ticket.escalation_needed` from dispatch; a fresh ticket unless one is given."""
    ticket_id = ticket_id or f"HH138-20261125-{uuid.uuid4().hex[:6]}"
    needed = TicketEscalationNeeded(
        ticket_id=ticket_id,
        site_code="HH138",
        subsystem="bgm",
        device=DeviceRef(asset_tag="HH138-BGM-AMP-01", model="Bosch PLENA PLE-2MA240", manufacturer="bosch"),
        vendor_code=vendor_code,
        reason="Amplifier output stage failed; under manufacturer warranty",
        requested_at=REQUESTED_AT,
    )
    return seal(needed, producer="dispatch", correlation_id=ticket_id)


async def _escalations(world: World, ticket_id: str) -> list[Any]:
    return await fetch_all(
        world, select(escalations).where(escalations.c.ticket_id == ticket_id).order_by(escalations.c.vendor_code)
    )


async def test_an_escalation_request_is_recorded(seeded: World) -> None:
    envelope = _escalation()
    ticket_id = envelope.payload.ticket_id

    await deliver_in_memory(seeded, "vendor", QUEUE, envelope)

    [recorded] = await _escalations(seeded, ticket_id)
    assert (recorded.vendor_code, recorded.site_code, recorded.subsystem) == ("bosch", "HH138", "bgm")
    assert (recorded.asset_tag, recorded.status) == ("HH138-BGM-AMP-01", "requested")
    assert recorded.reason == envelope.payload.reason
    assert recorded.requested_at == REQUESTED_AT
    # Recording is all the vendor service does so far: it announces nothing.
    assert await fetch_all(seeded, select(outbox.c.message_type).where(outbox.c.correlation_id == ticket_id)) == []


async def test_a_duplicate_escalation_request_records_nothing_more(seeded: World) -> None:
    """Neither a redelivery (same message id) nor a re-sent request (new message id) adds a row."""
    first = _escalation()
    ticket_id = first.payload.ticket_id
    resent = _escalation(ticket_id)

    await deliver_in_memory(seeded, "vendor", QUEUE, first, first, resent)

    consumed = await fetch_all(
        seeded, select(inbox.c.message_id).where(inbox.c.message_id.in_([first.message_id, resent.message_id]))
    )
    assert len(consumed) == 2, "the re-sent request must have reached the handler for this test to mean anything"
    assert len(await _escalations(seeded, ticket_id)) == 1


async def test_one_ticket_can_be_escalated_to_two_vendors(seeded: World) -> None:
    """Duplicates are recognised per ticket and vendor, not per ticket alone."""
    to_bosch = _escalation()
    ticket_id = to_bosch.payload.ticket_id

    await deliver_in_memory(seeded, "vendor", QUEUE, to_bosch, _escalation(ticket_id, vendor_code="harman"))

    assert [e.vendor_code for e in await _escalations(seeded, ticket_id)] == ["bosch", "harman"]
