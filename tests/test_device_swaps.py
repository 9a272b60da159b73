"""Repair and replacement by serial number, across dispatch, vendor and intake over the real broker and
database: a loaner stands in while the faulty device is away for repair, the repaired device comes
back, and later a replacement shipped under an RMA takes its place for good and ends the vendor case.
The register's place follows every swap with its history; the faulty, the loaner and the replacement
serials all stay on record; what stood at the site at any moment can be told; a swap that cannot apply
is dead-lettered with its reason."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import httpx

from shared.contracts.partners import Acknowledged, Repaired, ReplacementShipped, RmaIssued
from shared.messaging.dead_letters import list_dead_letters
from testkit.broker import EventTap
from testkit.escalations import accepted_fault, av_engineer, escalate, event_hall_dsp, vendor_knows
from testkit.in_process import running
from testkit.partners import Partner, onboarded
from testkit.sites import fresh_site
from testkit.waiting import eventually
from testkit.world import World


async def test_a_loaner_a_repair_and_a_replacement_by_serial_number(seeded: World, tap: EventTap) -> None:
    site = await fresh_site(seeded)
    dsp, faulty = event_hall_dsp(site)
    loaner, replacement = f"{site}-LOAN-01", f"{site}-BLU100-NEW-01"
    async with onboarded(seeded) as partner, running(seeded, "intake", "dispatch", "vendor") as suite:
        intake, dispatch, vendor = (suite[name].http for name in ("intake", "dispatch", "vendor"))
        await vendor_knows(vendor, site)
        ticket = await accepted_fault(intake, dispatch, tap, site)

        # The partner takes the device in for repair under an RMA; a loaner stands in meanwhile.
        case = await _escalated(dispatch, partner, ticket, "repair")
        await partner.reply(Acknowledged(case_number=case, acknowledged_at=datetime.now(UTC)), step="acknowledged")
        await partner.reply(RmaIssued(case_number=case, rma_number="RMA-1"), step="rma_issued")
        await eventually(lambda: _case_status(vendor, case, "in_repair"))
        await _swap(dispatch, ticket, new_serial_number=loaner, loaner=True, rma_number="RMA-1")
        [changed] = await _register_changes(tap, site, 1)
        assert (changed["device"]["serial_number"], changed["device"]["warranty_until"]) == (loaner, None)
        during_loan = datetime.now(UTC)
        shown = (await vendor.get(f"/cases/{case}")).json()
        assert (shown["status"], shown["history"][-1]["step"]) == ("in_repair", "loaner_installed")

        # Repaired: the case ends by the partner's word, the ticket resumes, the device comes back.
        await partner.reply(Repaired(case_number=case, summary="PSU board replaced"), step="repaired")
        await eventually(lambda: _ticket_status(dispatch, ticket, "accepted"), what="the ticket resumed")
        await _swap(dispatch, ticket, new_serial_number=faulty)
        [_, back] = await _register_changes(tap, site, 2)
        assert (back["device"]["serial_number"], back["device"]["install_date"]) == (faulty, "2024-04-01")
        assert back["device"]["warranty_until"] == "2026-03-31"  # its own warranty, back with it

        # It fails again and is replaced for good; installing the replacement ends the vendor case.
        second = await _escalated(dispatch, partner, ticket, "replacement")
        await partner.reply(Acknowledged(case_number=second, acknowledged_at=datetime.now(UTC)), step="acknowledged")
        shipped = ReplacementShipped(
            case_number=second, new_serial_number=replacement, carrier="SF", tracking_number="SF1", rma_number="RMA-2"
        )
        await partner.reply(shipped, step="replacement_shipped")
        await eventually(lambda: _case_status(vendor, second, "replacement_shipped"))
        await _swap(
            dispatch, ticket, new_serial_number=replacement, rma_number="RMA-2", new_warranty_until="2028-11-30"
        )
        closed = await tap.wait_for("vendor.escalation.closed", ticket, count=2)
        assert (closed[1]["payload"]["case_number"], closed[1]["payload"]["outcome"]) == (second, "fixed")
        await eventually(lambda: _ticket_status(dispatch, ticket, "accepted"), what="the ticket resumed again")

        device = (await intake.get(f"/sites/{site}/equipment/{dsp}")).json()
        assert (device["serial_number"], device["warranty_until"]) == (replacement, "2028-11-30")
        assert [h["action"] for h in device["history"]][-3:] == ["swapped", "swapped", "swapped"]
        assert "RMA RMA-2" in device["history"][-1]["reason"]
        assert ticket in device["history"][-1]["reason"]
        # Dispatch followed the ticket's device through the swaps: each started from the serial in place.
        assert not [h["reason"] for h in device["history"] if "the register had" in (h["reason"] or "")]
        notes = [h["note"] for h in (await dispatch.get(f"/tickets/{ticket}/history")).json()]
        assert f"{dsp}: {loaner} out, new device {faulty} in" in notes
        assert [(s["serial_number"], s["arrival"], s["departure"]) for s in device["serials"]] == [
            (faulty, "registered", "sent_for_repair"),
            (loaner, "loaner", "loaner_returned"),
            (faulty, "returned", "returned_to_vendor"),
            (replacement, "replacement", None),
        ]
        life = (await intake.get(f"/serials/{faulty}")).json()
        assert [s["departure_details"]["rma_number"] for s in life] == ["RMA-1", "RMA-2"]
        assert {s["departure_details"]["ticket_id"] for s in life} == {ticket}
        then = (await intake.get(f"/sites/{site}/serials", params={"at": during_loan.isoformat()})).json()
        assert [s["serial_number"] for s in then if s["asset_tag"] == dsp] == [loaner]
        assert (await intake.get("/serials/NEVER-SEEN")).status_code == 404

        # A swap of a device the register does not have: dead-lettered with the reason.
        await _swap(dispatch, ticket, new_serial_number="X-1", asset_tag=f"{site}-AV-NOPE")

        async def dead() -> list[Any]:
            return [d for d in await list_dead_letters(seeded.amqp_url, "intake.inbox") if d.reason == "unknown_device"]

        [letter] = await eventually(dead, what="the impossible swap dead-lettered")
        assert f"{site}-AV-NOPE" in letter.detail


async def _escalated(dispatch: httpx.AsyncClient, partner: Partner, ticket: str, reason: str) -> str:
    escalated = await escalate(dispatch, ticket, partner.code, reason=reason, findings="Reboots under load")
    assert escalated.status_code == 200, escalated.text
    [request] = await partner.take_requests(1)
    case: str = request["payload"]["case_number"]
    return case


async def _swap(dispatch: httpx.AsyncClient, ticket: str, **report: Any) -> None:
    swapped = await dispatch.post(f"/tickets/{ticket}/swaps", json=report, headers=av_engineer(ticket))
    assert swapped.status_code == 201, swapped.text


async def _register_changes(tap: EventTap, site: str, count: int) -> list[dict[str, Any]]:
    async def swapped() -> list[dict[str, Any]]:
        found = [e["payload"] for e in tap.events("equipment.changed") if e["payload"]["action"] == "swapped"]
        found = [payload for payload in found if payload["site_code"] == site]
        return found if len(found) >= count else []

    return await eventually(swapped, what=f"{count} swap(s) in the register")


async def _case_status(vendor: httpx.AsyncClient, case: str, status: str) -> bool:
    return bool((await vendor.get(f"/cases/{case}")).json()["status"] == status)


async def _ticket_status(dispatch: httpx.AsyncClient, ticket: str, status: str) -> bool:
    return bool((await dispatch.get(f"/tickets/{ticket}")).json()["status"] == status)


async def test_a_swap_on_an_entry_standing_for_many_units_is_refused_before_anything_moves(
    seeded: World, tap: EventTap
) -> None:
    """The register would refuse it (one serial cannot replace one of 48 speakers): dispatch refuses it
    first, so that no vendor case is closed on a swap the register never takes."""
    site = await fresh_site(seeded)
    speakers = f"{site}-BGM-SPK-L1"  # 48 ceiling speakers in one entry (deploy/demo/huaihai-138.toml)
    async with running(seeded, "intake", "dispatch") as suite:
        intake, dispatch = suite["intake"].http, suite["dispatch"].http
        opened = await intake.post(
            "/requests",
            json={
                "site_code": site, "subsystem": "bgm", "asset_tag": speakers, "channel": "hotline",
                "description": "Two ceiling speakers crackle on L1", "reporter": {"name": "Ms. Xu"},
            },
        )  # fmt: skip
        assert opened.status_code in (200, 201), opened.text
        ticket = opened.json()["ticket_id"]
        await tap.wait_for("ticket.assigned", ticket)
        assert (await dispatch.post(f"/tickets/{ticket}/accept", json={})).status_code == 200
        refused = await dispatch.post(f"/tickets/{ticket}/swaps", json={"new_serial_number": f"{site}-SPK-NEW-1"})
        assert (refused.status_code, refused.json()["error"]) == (422, "not_a_single_device"), refused.text
        assert "stands for 48 devices" in refused.json()["message"]
        history = (await dispatch.get(f"/tickets/{ticket}/history")).json()
        assert "swap_device" not in [row["action"] for row in history]
        assert not [e for e in tap.events("device.swapped") if e["payload"]["ticket_id"] == ticket]


async def test_a_swap_naming_a_case_on_another_entry_of_many_units_leaves_the_case_open(
    seeded: World, tap: EventTap
) -> None:
    """Dispatch cannot tell that another asset tag the engineer names stands for many units; the
    register refuses the swap (dead-lettered with its reason) and the vendor service does not end the
    partner's case on a swap of another device than the case's: the case notes why and stays open until
    its own device is swapped."""
    site = await fresh_site(seeded)
    dsp, _ = event_hall_dsp(site)
    speakers = f"{site}-BGM-SPK-L1"  # 48 ceiling speakers in one entry (deploy/demo/huaihai-138.toml)
    async with onboarded(seeded) as partner, running(seeded, "intake", "dispatch", "vendor") as suite:
        intake, dispatch, vendor = (suite[name].http for name in ("intake", "dispatch", "vendor"))
        await vendor_knows(vendor, site)
        ticket = await accepted_fault(intake, dispatch, tap, site)
        case = await _escalated(dispatch, partner, ticket, "replacement")
        await partner.reply(Acknowledged(case_number=case, acknowledged_at=datetime.now(UTC)), step="acknowledged")
        await eventually(lambda: _case_status(vendor, case, "acknowledged"))

        await _swap(dispatch, ticket, new_serial_number=f"{site}-SPK-NEW-1", asset_tag=speakers, case_number=case)

        async def noted() -> list[dict[str, Any]]:
            history = (await vendor.get(f"/cases/{case}")).json()["history"]
            return [step for step in history if step["step"] == "swap_not_taken"]

        [note] = await eventually(noted, what="the vendor case noting the swap it did not take")
        assert note["detail"]["reason"] == f"the swap is on {speakers}, the case's device is {dsp}"
        assert (await vendor.get(f"/cases/{case}")).json()["status"] == "acknowledged"

        async def refused_by_the_register() -> list[Any]:
            letters = await list_dead_letters(seeded.amqp_url, "intake.inbox")
            return [d for d in letters if d.reason == "not_a_single_device" and speakers in d.detail]

        await eventually(refused_by_the_register, what="the register refusing the swap")

        await _swap(dispatch, ticket, new_serial_number=f"{site}-BLU100-NEW-9", case_number=case)
        closed = await tap.wait_for("vendor.escalation.closed", ticket)
        assert (closed[0]["payload"]["case_number"], closed[0]["payload"]["outcome"]) == (case, "fixed")
