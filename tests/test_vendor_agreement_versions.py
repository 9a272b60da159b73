"""A partner's agreement changed while a case is with it, over the real broker and database: `PUT
/partners/{code}/agreement` saves the next version; the case already sent keeps its version and its
deadlines, in the vendor service and in the SLA service's clocks for it, even as it moves on after the
change; a case escalated after the change is sent under the new version, with the new deadlines, in
the request the partner receives and in the SLA service's clocks."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from shared.calendar import FALLBACK_SITE_CALENDAR
from shared.contracts import Agreement
from shared.contracts.partners import Acknowledged, EscalationReason
from shared.contracts.sla import VendorClock
from shared.vendor_agreements import vendor_deadlines
from testkit.broker import EventTap
from testkit.escalations import case_sent_to, partner_clocks
from testkit.in_process import running
from testkit.partners import AGREEMENT, onboarded
from testkit.waiting import eventually
from testkit.world import World

ClockTerms = dict[str, tuple[str, str, datetime | None]]  # clock: (agreement version, promise, deadline)
# Tighter on every term than the one the partner was onboarded with (4 hours, 10 working days).
RENEGOTIATED = Agreement(acknowledge_hours=2, on_site_hours=12, repair_working_days=3, replacement_days=2)


async def test_a_new_agreement_version_applies_to_cases_escalated_after_it_only(seeded: World, tap: EventTap) -> None:
    async with onboarded(seeded) as partner, running(seeded, "intake", "dispatch", "sla", "vendor") as suite:
        sla, vendor = suite["sla"].http, suite["vendor"].http
        before = (await case_sent_to(seeded, suite, tap, partner))["payload"]
        assert before["agreement_version"] == 1
        assert _deadlines(before) == _expected(AGREEMENT, before)
        clocks_before = await _clocks_once_started(sla, before)
        assert _clock_terms(clocks_before) == _terms(partner.code, AGREEMENT, before, version=1)

        saved = await vendor.put(f"/partners/{partner.code}/agreement", json=RENEGOTIATED.model_dump())
        assert saved.json() == {"partner": partner.code, "version": 2}, saved.text
        versions = (await vendor.get(f"/partners/{partner.code}/agreement")).json()
        assert [(v["version"], Agreement.model_validate(v["terms"])) for v in versions] == [
            (1, AGREEMENT),
            (2, RENEGOTIATED),
        ]

        # The case sent before moves on after the change: its clocks are planned again, on its own terms.
        ack = Acknowledged(case_number=before["case_number"], acknowledged_at=datetime.now(UTC))
        await partner.reply(ack, step="acknowledged")

        async def acknowledged_in_time() -> dict[str, dict[str, Any]]:
            clocks = await partner_clocks(sla, before["ticket_id"])
            assert clocks["vendor_acknowledge"]["outcome"] == "met", clocks["vendor_acknowledge"]
            return clocks

        clocks_after = await eventually(acknowledged_in_time, what="the old case's acknowledgement met")
        assert _clock_terms(clocks_after) == _terms(partner.code, AGREEMENT, before, version=1)

        after = (await case_sent_to(seeded, suite, tap, partner))["payload"]
        assert after["agreement_version"] == 2
        assert _deadlines(after) == _expected(RENEGOTIATED, after)
        assert _deadlines(after) != _expected(AGREEMENT, after)  # the renegotiation shows in the request
        assert _clock_terms(await _clocks_once_started(sla, after)) == _terms(
            partner.code, RENEGOTIATED, after, version=2
        )

        for payload, version in ((before, 1), (after, 2)):
            case = (await vendor.get(f"/cases/{payload['case_number']}")).json()
            assert case["agreement_version"] == version
            assert case["request"]["deadlines"] == payload["deadlines"]  # what the partner was told, kept
        assert _clock_terms(await partner_clocks(sla, before["ticket_id"])) == _terms(
            partner.code, AGREEMENT, before, version=1
        )


def _deadlines(request: dict[str, Any]) -> dict[str, datetime | None]:
    deadlines = request["deadlines"]
    return {name: datetime.fromisoformat(at) if at else None for name, at in deadlines.items()}


def _expected(terms: Agreement, request: dict[str, Any]) -> dict[str, datetime | None]:
    """The deadlines of a repair sent when the request was: hours on the wall clock, the turnaround in
    the site's working days (the rule itself is tested in services/sla/tests/test_vendor_clocks.py)."""
    sent_at = datetime.fromisoformat(request["sent_at"])
    calendar = FALLBACK_SITE_CALENDAR  # the site's policy is the standard one: China's calendar, 18:00
    repair = vendor_deadlines(
        terms,
        EscalationReason.REPAIR,
        sent_at,
        request["site"]["timezone"],
        calendar.business_calendar(),
        calendar.business_end,
    )
    return {
        "acknowledge_by": sent_at + timedelta(hours=terms.acknowledge_hours),
        "on_site_by": None,
        "repaired_by": repair[VendorClock.REPAIR],
        "replaced_by": None,
    }


async def _clocks_once_started(sla: Any, request: dict[str, Any]) -> dict[str, dict[str, Any]]:
    async def started() -> dict[str, dict[str, Any]]:
        clocks = await partner_clocks(sla, request["ticket_id"])
        assert set(clocks) == {"vendor_acknowledge", "vendor_repair"}, clocks
        return clocks

    return await eventually(started, what=f"the partner's clocks of {request['case_number']} started")


def _clock_terms(clocks: dict[str, dict[str, Any]]) -> ClockTerms:
    """Each clock's agreement version, promise and deadline, as the SLA service shows them."""
    return {
        kind: (clock["policy"], clock["target"], datetime.fromisoformat(clock["due_at"]))
        for kind, clock in clocks.items()
    }


def _terms(partner: str, terms: Agreement, request: dict[str, Any], *, version: int) -> ClockTerms:
    """What the SLA service should show for a case sent under this version of the agreement."""
    deadlines = _expected(terms, request)
    policy = f"{partner} agreement v{version}"
    return {
        "vendor_acknowledge": (policy, f"{terms.acknowledge_hours:g} hours", deadlines["acknowledge_by"]),
        "vendor_repair": (policy, f"{terms.repair_working_days} working days", deadlines["repaired_by"]),
    }


async def test_terms_no_deadline_can_be_worked_out_from_are_refused_when_saved(seeded: World) -> None:
    """A term of a hundred million hours would overflow every later case's deadline (each escalation to
    the partner dead-lettered, its ticket waiting for ever): refused with what is allowed, nothing saved."""
    async with onboarded(seeded) as partner, running(seeded, "vendor") as suite:
        vendor = suite["vendor"].http
        endless = {**RENEGOTIATED.model_dump(), "acknowledge_hours": 1e8, "repair_working_days": 200_000}
        refused = await vendor.put(f"/partners/{partner.code}/agreement", json=endless)
        assert (refused.status_code, refused.json()["error"]) == (422, "agreement_out_of_range"), refused.text
        assert "acknowledge_hours at most 8784" in refused.json()["message"]
        assert "repair_working_days at most 260" in refused.json()["message"]
        versions = (await vendor.get(f"/partners/{partner.code}/agreement")).json()
        assert [v["version"] for v in versions] == [1]
