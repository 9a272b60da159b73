"""The monthly report per vendor partner, from real cases over the real broker and database: two partners'
cases escalated, replied to and one cancelled; one partner's acknowledgement comes after its deadline ran
out (its agreement was tightened to a second before that case was sent). `GET /reports/vendors` counts
each partner's clocks of the month by kind, met and breached apart from those still running, the
compliance of each, and names the case that broke the agreement; a cancelled case's clocks count in
neither, since its partner neither kept nor broke them."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from shared.contracts.partners import Acknowledged, Repaired
from shared.identity import Role
from testkit.broker import EventTap
from testkit.escalations import case_sent_to
from testkit.identities import bearer
from testkit.in_process import running
from testkit.partners import AGREEMENT, Partner, onboarded
from testkit.waiting import eventually
from testkit.world import World

MANAGER = bearer("liu.yang", Role.MANAGER)
A_SECOND = 1 / 3600  # in hours: the deadline runs out while the test waits for it, not for hours


async def test_the_vendor_report_counts_each_partners_clocks_and_names_the_case_that_broke_its_agreement(
    seeded: World, tap: EventTap
) -> None:
    async with (
        onboarded(seeded) as steady,
        onboarded(seeded) as slow,
        running(seeded, "intake", "dispatch", "sla", "vendor") as suite,
    ):
        sla, vendor = suite["sla"].http, suite["vendor"].http
        repaired, in_repair, cancelled = [(await case_sent_to(seeded, suite, tap, steady))["payload"] for _ in range(3)]
        await _acknowledge(steady, tap, repaired)
        await _repair(steady, repaired)
        await _acknowledge(steady, tap, in_repair)
        withdrawn = await vendor.post(
            f"/cases/{cancelled['case_number']}/cancel", json={"reason": "our engineer found it"}, headers=MANAGER
        )
        assert withdrawn.status_code == 200, withdrawn.text

        in_time = (await case_sent_to(seeded, suite, tap, slow))["payload"]
        await _acknowledge(slow, tap, in_time)
        tightened = AGREEMENT.model_copy(update={"acknowledge_hours": A_SECOND})
        saved = await vendor.put(f"/partners/{slow.code}/agreement", json=tightened.model_dump())
        assert saved.status_code == 200, saved.text
        late = (await case_sent_to(seeded, suite, tap, slow))["payload"]
        breaches = await tap.wait_for("sla.vendor_breached", late["ticket_id"])  # the deadline ran out
        assert {breach["payload"]["clock"] for breach in breaches} == {"acknowledge"}
        await _acknowledge(slow, tap, late)
        await _repair(slow, late)

        month = _month_of(repaired, in_repair, cancelled, in_time, late)
        expected = {
            steady.code: {
                "acknowledge": _counts(clocks=2, met=2, breached=[], compliance=100.0),
                "repair": _counts(clocks=2, met=1, breached=[], compliance=100.0),  # one still in repair
            },
            slow.code: {
                "acknowledge": _counts(clocks=2, met=1, breached=[late["case_number"]], compliance=50.0),
                "repair": _counts(clocks=2, met=1, breached=[], compliance=100.0),
            },
        }

        async def reported() -> bool:
            answer = await sla.get("/reports/vendors", params={"month": month})
            assert answer.status_code == 200, answer.text
            partners = answer.json()["partners"]
            assert {code: partners.get(code) for code in expected} == expected
            return True

        await eventually(reported, what="the report of both partners' settled clocks")


async def _acknowledge(partner: Partner, tap: EventTap, request: dict[str, Any]) -> None:
    """The partner acknowledges the case, and the vendor service has taken it: a repair report sent at
    once could otherwise be taken first, and the acknowledgement then kept as late."""
    reply = Acknowledged(case_number=request["case_number"], acknowledged_at=datetime.now(UTC))
    await partner.reply(reply, step="acknowledged")
    await tap.wait_for("vendor.escalation.progressed", request["ticket_id"])


async def _repair(partner: Partner, request: dict[str, Any]) -> None:
    reply = Repaired(case_number=request["case_number"], summary="DSP board replaced", parts=["DSP-MAIN"])
    await partner.reply(reply, step="repaired")


def _counts(*, clocks: int, met: int, breached: list[str], compliance: float) -> dict[str, Any]:
    return {
        "clocks": clocks,
        "met": met,
        "breached": len(breached),
        "breached_cases": breached,
        "compliance_percent": compliance,
    }


def _month_of(*requests: dict[str, Any]) -> str:
    """The month (site time) every case was sent in: a clock counts in the month it started."""
    months = {
        datetime.fromisoformat(r["sent_at"]).astimezone(ZoneInfo(r["site"]["timezone"])).strftime("%Y-%m")
        for r in requests
    }
    assert len(months) == 1, f"the cases were sent across a month's end, in {sorted(months)}: run the test again"
    return months.pop()
