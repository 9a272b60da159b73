"""Escalation to a vendor partner across the services, over the real broker and database: the engineer
escalates, the ticket waits for the vendor (its resolution clock paused), the partner gets a
self-contained request on its own queue and replies; the partner's clocks run nested in the ticket and
stop at its steps; a duplicated reply counts once; a reply that makes no sense is dead-lettered and
explained on the partner's error queue; when the case ends the ticket and its resolution clock resume.
Two vendor processes share the work."""

from __future__ import annotations

from datetime import UTC, datetime

from shared.contracts.partners import Acknowledged, Diagnosis, Repaired
from testkit.broker import EventTap, queue_depth
from testkit.in_process import running
from testkit.partners import onboarded
from testkit.sites import fresh_site
from testkit.waiting import eventually, stays
from testkit.world import World

ENGINEER = {"X-Aftercare-Actor": "wang.lei"}


async def test_a_repair_escalated_to_a_partner_from_request_to_fixed(seeded: World, tap: EventTap) -> None:
    site = await fresh_site(seeded)
    async with (
        onboarded(seeded, repair_working_days=5) as partner,
        running(seeded, "intake", "dispatch", "sla", "vendor") as suite,
        running(seeded, "vendor") as second_vendor,
    ):
        intake, dispatch, sla, vendor = (suite[name].http for name in ("intake", "dispatch", "sla", "vendor"))

        async def site_known() -> bool:
            return (await vendor.get(f"/directory/sites/{site}")).status_code == 200

        await eventually(site_known, what="the vendor service heard of the site")
        opened = await intake.post(
            "/requests",
            json={
                "site_code": site,
                "subsystem": "av",
                "asset_tag": f"{site}-AV-DSP-01",
                "description": "DSP in the event hall reboots every few minutes",
                "channel": "hotline",
                "reporter": {"name": "Event hall manager"},
            },
        )
        ticket = opened.json()["ticket_id"]
        await tap.wait_for("ticket.assigned", ticket)
        assert (await dispatch.post(f"/tickets/{ticket}/accept")).status_code == 200
        escalated = await dispatch.post(
            f"/tickets/{ticket}/escalate",
            json={
                "reason": "repair",
                "findings": "Power supply board hums, reboots under load",
                "vendor_code": partner.code,
            },
            headers=ENGINEER,
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
            f"{site}-BLU100-22A07716",
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

        ack = Acknowledged(case_number=case, estimate="engineer tomorrow 10:00", acknowledged_at=datetime.now(UTC))
        await partner.reply(ack, step="acknowledged", copies=2)  # a duplicate delivery
        await partner.reply(Diagnosis(case_number=case, diagnosis="PSU capacitor"), step="diagnosis")
        [progressed, _] = await tap.wait_for("vendor.escalation.progressed", ticket, count=2)
        assert progressed["payload"]["step"] == "acknowledged"
        await stays(lambda: _count(tap, "vendor.escalation.progressed", ticket, 2), what="the duplicate ignored")

        await partner.reply(Repaired(case_number=case, summary="PSU replaced", parts=["PSU-100"]), step="repaired")
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

        # A reply for a case that ended, and one for a case that does not exist: refused and explained.
        late = await partner.reply(Diagnosis(case_number=case, diagnosis="also the fan"), step="diagnosis")
        await partner.reply(Diagnosis(case_number="VC-999999", diagnosis="?"), step="diagnosis")
        errors = await partner.take_errors(2)
        assert (errors[0]["payload"]["reason"], errors[0]["payload"]["refused_message_id"]) == ("impossible_step", late)
        assert errors[1]["payload"]["reason"] == "unknown_case"
        assert await queue_depth(seeded.amqp_url, "vendor.replies.dead") >= 2
        assert second_vendor["vendor"].runtime.started


async def _count(tap: EventTap, message_type: str, ticket: str, expected: int) -> bool:
    return len(tap.events(message_type, ticket)) == expected
