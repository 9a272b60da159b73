"""Requests submitted by message on `intake.requests`, over the real broker and, for the handler's
contract alone, over FastStream's in-memory broker."""

from __future__ import annotations

import json
import uuid

from shared.contracts import Envelope, SubmitServiceRequest, TicketOpened, TicketRejected, seal
from shared.messaging.dead_letters import list_dead_letters
from testkit.broker import EventTap, send
from testkit.database import produced
from testkit.in_process import deliver_in_memory, running
from testkit.waiting import eventually
from testkit.world import World

SUBMISSION = SubmitServiceRequest.model_validate(
    {
        "site_code": "HH138",
        "subsystem": "signage",
        "description": "Lift lobby screens on L3 are frozen",
        "channel": "inspection",
        "reporter": {"name": "Inspection round 47"},
    }
)


def _fresh(**changes: object) -> SubmitServiceRequest:
    """The submission with its own reference and wording, so no earlier test's ticket absorbs it."""
    reference = uuid.uuid4().hex[:8]
    return SUBMISSION.model_copy(
        update={"request_id": f"REQ-{reference}", "description": f"{SUBMISSION.description} ({reference})", **changes}
    )


def _envelope(submission: SubmitServiceRequest) -> Envelope[SubmitServiceRequest]:
    return seal(submission, producer="inspection-app", correlation_id=submission.request_id or "inspection")


async def _send(world: World, submission: SubmitServiceRequest, *, body: bytes | None = None) -> str:
    envelope = _envelope(submission)
    await send(
        world.amqp_url,
        body if body is not None else envelope.model_dump_json().encode(),
        exchange="",
        routing_key="intake.requests",
        message_id=str(envelope.message_id),
        message_type=envelope.type,
    )
    return str(envelope.message_id)


async def test_a_queued_request_opens_a_ticket(seeded: World, tap: EventTap) -> None:
    async with running(seeded, "intake"):
        message_id = await _send(seeded, _fresh())

        async def opened() -> list[dict]:
            return [e for e in tap.of_type("ticket.opened") if e["causation_id"] == message_id]

        event = (await eventually(opened, what="ticket.opened caused by the queued request"))[0]
        assert event["payload"]["channel"] == "inspection"
        assert event["correlation_id"] == event["payload"]["ticket_id"]


async def test_a_queued_request_for_an_unknown_site_is_kept_and_answered(seeded: World, tap: EventTap) -> None:
    submission = _fresh(site_code="NOPE")
    request_id = submission.request_id
    async with running(seeded, "intake") as suite:
        await _send(seeded, submission)
        rejected = (await tap.wait_for("ticket.rejected", request_id))[0]["payload"]
        assert rejected["reason"] == "unknown_site"
        assert "known sites: HH138" in rejected["detail"]
        kept = (await suite["intake"].http.get("/rejections")).json()
        mine = [r for r in kept if r["request_id"] == request_id]
        assert len(mine) == 1
        assert mine[0]["submission"]["site_code"] == "NOPE"


async def test_a_malformed_queued_request_is_dead_lettered(seeded: World) -> None:
    async with running(seeded, "intake"):
        broken = json.loads(_envelope(SUBMISSION).model_dump_json())
        del broken["payload"]["channel"]
        message_id = await _send(seeded, _fresh(), body=json.dumps(broken).encode())

        async def dead() -> list:
            return [
                d for d in await list_dead_letters(seeded.amqp_url, "intake.requests") if d.message_id == message_id
            ]

        letter = (await eventually(dead))[0]
        assert letter.reason == "invalid_payload"
        assert "channel: Field required" in letter.detail


async def test_handler_contract_in_memory(seeded: World) -> None:
    """The handler turns one `intake.submit_request` into one valid `ticket.opened` in the outbox."""
    envelope = _envelope(_fresh())
    await deliver_in_memory(seeded, "intake", "intake.requests", envelope)
    mine = await produced(seeded, "intake", "ticket.opened", causation_id=envelope.message_id)
    assert len(mine) == 1
    opened = TicketOpened.model_validate(mine[0].payload)
    assert (opened.site_code, opened.subsystem, opened.channel.value) == ("HH138", "signage", "inspection")
    assert mine[0].correlation_id == opened.ticket_id


async def test_rejection_contract_in_memory(seeded: World) -> None:
    envelope = _envelope(_fresh(subsystem="lighting"))
    await deliver_in_memory(seeded, "intake", "intake.requests", envelope)
    mine = await produced(seeded, "intake", "ticket.rejected", causation_id=envelope.message_id)
    assert len(mine) == 1
    assert TicketRejected.model_validate(mine[0].payload).reason == "unknown_subsystem"
