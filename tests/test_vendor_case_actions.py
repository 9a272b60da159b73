"""The service manager's actions on a vendor case, and a partner's malformed replies, over the real
broker and database: a case escalated before its partner was onboarded waits and is sent on demand; a
case cancelled tells the partner, gives the ticket back to its engineer and refuses the partner's later
replies; a case the manager sees fixed on site ends as fixed and is closed once checked; a reply that is
not an envelope, or whose payload breaks its schema, is dead-lettered and explained on the partner's
error queue."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime

import aio_pika

from services.vendor.partner_topology import REPLIES_EXCHANGE
from shared.contracts import seal
from shared.contracts.partners import Acknowledged, Diagnosis
from shared.identity import Role
from testkit.broker import EventTap
from testkit.escalations import accepted_fault, escalate, vendor_knows
from testkit.identities import bearer
from testkit.in_process import running
from testkit.partners import Partner, new_partner_code, onboarded
from testkit.sites import fresh_site
from testkit.waiting import eventually
from testkit.world import World

MANAGER = bearer("liu.yang", Role.MANAGER)


async def _status(vendor: object, case: str) -> str:
    return str((await vendor.get(f"/cases/{case}")).json()["status"])  # type: ignore[attr-defined]


async def test_a_case_waits_for_its_partner_is_sent_then_cancelled_and_refuses_later_replies(
    seeded: World, tap: EventTap
) -> None:
    site = await fresh_site(seeded)
    code = new_partner_code()
    async with running(seeded, "intake", "dispatch", "vendor") as suite:
        intake, dispatch, vendor = (suite[name].http for name in ("intake", "dispatch", "vendor"))
        await vendor_knows(vendor, site)
        ticket = await accepted_fault(intake, dispatch, tap, site)
        escalated = await escalate(dispatch, ticket, code, findings="Power supply hums")
        assert escalated.status_code == 200, escalated.text

        async def requested() -> str:
            cases = (await vendor.get("/cases", params={"ticket_id": ticket})).json()
            assert len(cases) == 1, cases
            [case] = cases
            assert case["status"] == "requested", case
            return str(case["case_number"])

        case = await eventually(requested, what="the case waiting for its partner")
        early = await vendor.post(f"/cases/{case}/send", headers=MANAGER)
        assert (early.status_code, early.json()["error"]) == (409, "partner_not_ready")

        async with onboarded(seeded, code=code) as partner:
            sent = await vendor.post(f"/cases/{case}/send", headers=MANAGER)
            assert sent.json() == {"case_number": case, "status": "sent"}, sent.text
            [request] = await partner.take_requests(1)
            assert request["payload"]["case_number"] == case
            again = await vendor.post(f"/cases/{case}/send", headers=MANAGER)
            assert (again.status_code, again.json()["error"]) == (409, "impossible_step")

            cancelled = await vendor.post(
                f"/cases/{case}/cancel", json={"reason": "our engineer found it"}, headers=MANAGER
            )
            assert cancelled.json()["status"] == "cancelled", cancelled.text
            [cancellation] = await partner.take_requests(1)
            assert (cancellation["type"], cancellation["payload"]["case_number"]) == (
                "vendor.escalation_cancelled",
                case,
            )

            async def back_with_its_engineer() -> bool:
                return (await dispatch.get(f"/tickets/{ticket}")).json()["status"] == "accepted"

            await eventually(back_with_its_engineer, what="the ticket resumed")
            late = await partner.reply(
                Acknowledged(case_number=case, acknowledged_at=datetime.now(UTC)), step="acknowledged"
            )
            [refused] = await partner.take_errors(1)
            assert (refused["payload"]["reason"], refused["payload"]["refused_message_id"]) == ("impossible_step", late)
            assert await _status(vendor, case) == "cancelled"


async def test_a_case_seen_fixed_on_site_ends_fixed_and_is_closed_once_checked(seeded: World, tap: EventTap) -> None:
    site = await fresh_site(seeded)
    async with onboarded(seeded) as partner, running(seeded, "intake", "dispatch", "vendor") as suite:
        intake, dispatch, vendor = (suite[name].http for name in ("intake", "dispatch", "vendor"))
        await vendor_knows(vendor, site)
        ticket = await accepted_fault(intake, dispatch, tap, site)
        assert (await escalate(dispatch, ticket, partner.code, findings="No output")).status_code == 200
        [request] = await partner.take_requests(1)
        case = request["payload"]["case_number"]
        unchecked = await vendor.post(f"/cases/{case}/close", headers=MANAGER)
        assert (unchecked.status_code, unchecked.json()["error"]) == (409, "impossible_step")  # not ended yet

        fixed = await vendor.post(f"/cases/{case}/fixed", json={"note": "partner's engineer fixed it on site"})
        assert fixed.json() == {"case_number": case, "status": "fixed"}, fixed.text
        await tap.wait_for("vendor.escalation.closed", ticket)
        closed = await vendor.post(f"/cases/{case}/close", headers=MANAGER)
        assert closed.json()["status"] == "closed", closed.text
        assert await _status(vendor, case) == "closed"
        twice = await vendor.post(f"/cases/{case}/close", headers=MANAGER)
        assert (twice.status_code, twice.json()["error"]) == (409, "impossible_step")


async def test_a_malformed_reply_is_dead_lettered_and_explained_to_its_partner(seeded: World) -> None:
    async with onboarded(seeded) as partner, running(seeded, "vendor"):
        not_an_envelope = await _publish(partner, b"{not json", step="acknowledged")
        envelope = json.loads(
            seal(
                Diagnosis(case_number="VC-000001", diagnosis="x"), producer=partner.user, correlation_id="VC-000001"
            ).model_dump_json()
        )
        envelope["payload"]["diagnosis"] = {"not": "a text"}
        bad_payload = await _publish(
            partner, json.dumps(envelope).encode(), step="diagnosis", message_id=envelope["message_id"]
        )
        refusals = {e["payload"]["refused_message_id"]: e["payload"] for e in await partner.take_errors(2)}
        assert refusals[not_an_envelope]["reason"] == "invalid_envelope"
        assert refusals[bad_payload]["reason"] == "invalid_payload"
        assert "diagnosis" in refusals[bad_payload]["detail"]  # which field, for the partner to fix


async def _publish(partner: Partner, body: bytes, *, step: str, message_id: str | None = None) -> str:
    message_id = message_id or str(uuid.uuid4())
    connection = await aio_pika.connect(partner.amqp_url)
    async with connection:
        channel = await connection.channel(publisher_confirms=True)
        exchange = await channel.get_exchange(REPLIES_EXCHANGE, ensure=False)
        message = aio_pika.Message(body, message_id=message_id, user_id=partner.user, content_type="application/json")
        await exchange.publish(message, routing_key=f"{partner.code}.{step}")
    return message_id
