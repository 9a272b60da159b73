"""Escalation to a vendor partner across the services, over the real broker and database: the engineer
escalates, the ticket waits for the vendor (its resolution clock paused), the partner gets a
self-contained request on its own queue and replies; the partner's clocks run nested in the ticket and
stop at its steps; a duplicated reply counts once; a reply that makes no sense (a step the case is
past, a type other than its routing key's step, a date ahead of our clock) is dead-lettered and
explained on the partner's error queue, one overtaken by a later step is kept as late; when the case
ends the ticket and its resolution clock resume. Two vendor processes share the work."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from shared.contracts.partners import Acknowledged, Diagnosis, Repaired, Visited
from testkit.broker import EventTap, queue_depth
from testkit.escalations import accepted_fault, escalate, event_hall_dsp, vendor_knows
from testkit.in_process import running
from testkit.partners import onboarded
from testkit.sites import fresh_site
from testkit.waiting import eventually, stays
from testkit.world import World


async def test_a_repair_escalated_to_a_partner_from_request_to_fixed(seeded: World, tap: EventTap) -> None:
    site = await fresh_site(seeded)
    async with (
        onboarded(seeded, repair_working_days=5) as partner,
        running(seeded, "intake", "dispatch", "sla", "vendor") as suite,
        running(seeded, "vendor") as second_vendor,
    ):
        intake, dispatch, sla, vendor = (suite[name].http for name in ("intake", "dispatch", "sla", "vendor"))

        await vendor_knows(vendor, site)
        ticket = await accepted_fault(intake, dispatch, tap, site)
        escalated = await escalate(
            dispatch, ticket, partner.code, findings="Power supply board hums, reboots under load"
        )
        assert escalated.json() == {"ticket_id": ticket, "escalation_id": f"{ticket}-V1", "status": "paused"}

        [request] = await partner.take_requests(1)
        payload = request["payload"]
        assert (request["type"], payload["ticket_id"], payload["reason"]) == (
            "vendor.escalation_request",
            ticket,
            "repair",
        )
        assert payload["site"]["address"] == "138 Huaihai Middle Road, Huangpu District, Shanghai"
        assert (payload["device"]["serial_number"], payload["device"]["warranty_until"]) == (
            event_hall_dsp(site)[1],
            "2026-03-31",
        )
        assert payload["fault"] == "Power supply board hums, reboots under load"
        assert payload["contact_on_site"]["name"] == "Li Na"  # the engineer holding the ticket
        assert payload["deadlines"]["repaired_by"] is not None
        case = payload["case_number"]

        async def resolution_paused() -> bool:
            clocks = {c["clock"]: c for c in (await sla.get(f"/tickets/{ticket}/clocks")).json()}
            return clocks["resolution"]["status"] == "paused"

        await eventually(resolution_paused, what="the resolution clock paused while the vendor works")
        started = await tap.wait_for("sla.vendor_clock_started", ticket, count=2)
        assert {(e["payload"]["clock"], e["payload"]["partner"]) for e in started} == {
            ("acknowledge", partner.code),
            ("repair", partner.code),
        }

        still_open = (await vendor.get("/cases", params={"ticket_id": ticket, "open": "true"})).json()
        assert [c["case_number"] for c in still_open] == [case]  # with the partner: on the manager's board
        ack = Acknowledged(case_number=case, estimate="engineer tomorrow 10:00", acknowledged_at=datetime.now(UTC))
        await partner.reply(ack, step="acknowledged", copies=2)  # a duplicate delivery
        await partner.reply(Diagnosis(case_number=case, diagnosis="PSU capacitor"), step="diagnosis")
        [progressed, _] = await tap.wait_for("vendor.escalation.progressed", ticket, count=2)
        assert progressed["payload"]["step"] == "acknowledged"
        await stays(lambda: _count(tap, "vendor.escalation.progressed", ticket, 2), what="the duplicate ignored")

        # A reply is what its routing key says, and not dated ahead of our clock: neither closes the case.
        premature = Repaired(case_number=case, summary="fixed, says the key of another step", parts=[])
        mislabelled = await partner.reply(premature, step="acknowledged")
        from_the_future = await partner.reply(premature, step="repaired", sent_at=datetime(2099, 1, 1, tzinfo=UTC))
        refusals = {e["payload"]["reason"]: e["payload"] for e in await partner.take_errors(2)}  # either process
        assert {reason: refusal["refused_message_id"] for reason, refusal in refusals.items()} == {
            "type_and_key_differ": mislabelled,
            "occurred_in_the_future": from_the_future,
        }
        assert "publish each reply under" in refusals["type_and_key_differ"]["detail"]
        assert (await vendor.get(f"/cases/{case}")).json()["status"] == "acknowledged"

        repaired_at = datetime.now(UTC)
        repaired = Repaired(case_number=case, summary="PSU replaced", parts=["PSU-100"])
        await partner.reply(repaired, step="repaired", sent_at=repaired_at)
        [closed] = await tap.wait_for("vendor.escalation.closed", ticket)
        assert (closed["payload"]["outcome"], closed["payload"]["escalation_id"]) == ("fixed", f"{ticket}-V1")

        async def resumed() -> bool:
            return (await dispatch.get(f"/tickets/{ticket}")).json()["status"] == "accepted"

        await eventually(resumed, what="the ticket back with its engineer")
        met = await tap.wait_for("sla.vendor_met", ticket, count=2)
        assert {e["payload"]["clock"] for e in met} == {"acknowledge", "repair"}

        async def nested_clocks_settled() -> bool:
            clocks = {c["clock"]: c for c in (await sla.get(f"/tickets/{ticket}/clocks")).json()}
            assert (clocks["vendor_acknowledge"]["outcome"], clocks["vendor_repair"]["outcome"]) == ("met", "met")
            assert clocks["resolution"]["status"] == "running"  # resumed with the ticket
            return True

        await eventually(nested_clocks_settled)
        shown = (await vendor.get(f"/cases/{case}")).json()
        assert [h["step"] for h in shown["history"]] == [
            "requested",
            "sent",
            "acknowledged",
            "diagnosis",
            "repaired",
            "fixed",
        ]
        of_ticket = {"ticket_id": ticket}
        assert [c["case_number"] for c in (await vendor.get("/cases", params=of_ticket)).json()] == [case]
        assert (await vendor.get("/cases", params={**of_ticket, "open": "true"})).json() == []  # fixed: not open

        # A reply for a case that ended, and one for a case that does not exist: refused and explained.
        after_end = await partner.reply(Diagnosis(case_number=case, diagnosis="also the fan"), step="diagnosis")
        await partner.reply(Diagnosis(case_number="VC-999999", diagnosis="?"), step="diagnosis")
        errors = await partner.take_errors(2)
        assert (errors[0]["payload"]["reason"], errors[0]["payload"]["refused_message_id"]) == (
            "impossible_step",
            after_end,
        )
        assert errors[1]["payload"]["reason"] == "unknown_case"
        assert await queue_depth(seeded.amqp_url, "vendor.replies.dead") >= 2
        assert second_vendor["vendor"].runtime.started

        # A reply the partner sent before its repair report but that arrives after it: kept, as late.
        visited = Visited(case_number=case, visited_at=repaired_at - timedelta(minutes=5), findings="PSU hums")
        await partner.reply(visited, step="visited", sent_at=repaired_at - timedelta(minutes=1))

        async def kept_as_late() -> bool:
            history = (await vendor.get(f"/cases/{case}")).json()["history"]
            return bool(history[-1]["step"] == "visited" and history[-1]["detail"]["late"] == "true")

        await eventually(kept_as_late, what="the late visit report recorded")
        assert (await vendor.get(f"/cases/{case}")).json()["status"] == "fixed"


async def _count(tap: EventTap, message_type: str, ticket: str, expected: int) -> bool:
    return len(tap.events(message_type, ticket)) == expected
