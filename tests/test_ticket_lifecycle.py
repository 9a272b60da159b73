"""A ticket's whole life through the API: the engineer accepts, arrives, waits for the customer,
resolves; the follow-up call finds the customer satisfied and closes it (closing it before the call
is refused); dispatch records every move and the SLA service stops each clock and says it was met."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from shared.identity import Role
from testkit.broker import EventTap
from testkit.identities import bearer
from testkit.in_process import running
from testkit.waiting import eventually
from testkit.world import World


async def test_a_ticket_worked_in_time_meets_every_clock(seeded: World, tap: EventTap) -> None:
    async with running(seeded, "intake", "dispatch", "sla") as suite:
        dispatch, sla = suite["dispatch"].http, suite["sla"].http
        # Reported 20 minutes ago and worked since: every move lies in the past, and no deadline (the
        # 30-minute answer is the first) has passed before the moves are known.
        reported = datetime.now(UTC) - timedelta(minutes=20)
        response = await suite["intake"].http.post(
            "/requests",
            json={
                "site_code": "HH138",
                "subsystem": "control",
                "description": f"Central control touch panel frozen ({uuid.uuid4().hex[:6]})",
                "channel": "hotline",
                "reporter": {"name": "Duty manager"},
                "reported_at": reported.isoformat(),
            },
        )
        ticket = response.json()["ticket_id"]
        await tap.wait_for("ticket.assigned", ticket)

        async def moved(action: str, minutes_after_report: int, **body: str) -> dict:
            at = (reported + timedelta(minutes=minutes_after_report)).isoformat()
            answer = await dispatch.post(f"/tickets/{ticket}/{action}", json={"at": at, **body})
            assert answer.status_code == 200, answer.text
            return answer.json()

        assert (await moved("accept", 2))["status"] == "accepted"
        assert (await moved("pause", 4, reason="waiting_for_customer"))["status"] == "paused"
        assert (await moved("resume", 7))["status"] == "accepted"
        assert (await moved("arrive", 12))["status"] == "on_site"
        assert (await moved("resolve", 15, summary="Panel rebooted, firmware patched"))["status"] == "resolved"
        [due] = await tap.wait_for("followup.due", ticket)
        assert (due["payload"]["desk"], due["payload"]["reporter"]["name"]) == ("service_manager", "Duty manager")
        early = await dispatch.post(f"/tickets/{ticket}/close")
        assert (early.status_code, early.json()["error"]) == (409, "follow_up_pending")
        call = {"reached": True, "satisfaction": 5, "comments": "Fixed before the lunch rush"}
        answered = await dispatch.post(
            f"/tickets/{ticket}/follow-up", json=call, headers=bearer("liu.yang", Role.MANAGER)
        )
        assert answered.json() == {"ticket_id": ticket, "outcome": "satisfied"}
        assert (await dispatch.get(f"/tickets/{ticket}")).json()["status"] == "closed"

        met = await tap.wait_for("sla.met", ticket, count=3)
        by_clock = {e["payload"]["clock"]: e["payload"] for e in met}
        assert set(by_clock) == {"response", "on_site", "resolution"}
        assert by_clock["response"]["elapsed_minutes"] == 2
        assert by_clock["on_site"]["elapsed_minutes"] == 9  # 12 minutes, 3 of them waiting for the customer
        assert tap.of_type("sla.breached", ticket) == []

        async def all_stopped() -> bool:
            clocks = (await sla.get(f"/tickets/{ticket}/clocks")).json()
            assert {(c["clock"], c["status"], c["outcome"]) for c in clocks} == {
                ("response", "stopped", "met"),
                ("on_site", "stopped", "met"),
                ("resolution", "stopped", "met"),
            }
            return True

        await eventually(all_stopped)
        history = (await dispatch.get(f"/tickets/{ticket}/history")).json()
        assert [h["action"] for h in history] == ["assign", "accept", "pause", "resume", "arrive", "resolve", "close"]
        assert history[2]["note"] == "waiting_for_customer"
        # routed by rule; moved by whoever signed in (the test's admin); closed by the follow-up call
        assert [h["actor"] for h in history] == ["dispatch", *["admin"] * 5, "liu.yang"]


async def test_moves_that_do_not_apply_are_refused_with_a_reason(seeded: World) -> None:
    async with running(seeded, "intake", "dispatch") as suite:
        dispatch = suite["dispatch"].http
        response = await suite["intake"].http.post(
            "/requests",
            json={
                "site_code": "HH138",
                "subsystem": "signage",
                "description": f"Lobby screen shows yesterday's menu ({uuid.uuid4().hex[:6]})",
                "channel": "email",
                "reporter": {"name": "Food court"},
            },
        )
        ticket = response.json()["ticket_id"]

        async def assigned() -> bool:
            return (await dispatch.get(f"/tickets/{ticket}")).json().get("status") == "assigned"

        await eventually(assigned)
        resume = await dispatch.post(f"/tickets/{ticket}/resume")
        assert resume.status_code == 409
        assert resume.json()["message"] == "cannot resume a ticket that is assigned; resume applies to: paused"
        pause = await dispatch.post(f"/tickets/{ticket}/pause", json={})
        assert (pause.status_code, pause.json()["error"]) == (422, "reason_required")
        future = (datetime.now(UTC) + timedelta(hours=1)).isoformat()
        early = await dispatch.post(f"/tickets/{ticket}/arrive", json={"at": future})
        assert (early.status_code, early.json()["error"]) == (422, "in_the_future")
        unknown = await dispatch.post(f"/tickets/{ticket}/teleport")
        assert unknown.status_code == 422
        assert "accept" in unknown.json()["message"]
        missing = await dispatch.post("/tickets/HH138-20000101-0001/accept")
        assert missing.status_code == 404
        history = (await dispatch.get(f"/tickets/{ticket}/history")).json()
        assert [h["action"] for h in history] == ["assign"]  # no refused move left a trace
