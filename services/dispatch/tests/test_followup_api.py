"""After the work, through dispatch's API over the real broker and database: the follow-up call closes
a ticket, reopens it (and the SLA service starts a new resolution cycle), or closes it unreached; a
call not made in time is missed and can still be made; complaints and low scores become quality desk
cases, handled, reported upwards and answered; each site's periodic review."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import update

from services.dispatch.followups.tables import follow_ups
from shared.identity import Role
from testkit.broker import EventTap, send_envelopes
from testkit.database import fetch_all
from testkit.identities import bearer
from testkit.in_process import RunningService, running
from testkit.samples import opened_envelope
from testkit.sites import fresh_site
from testkit.waiting import eventually
from testkit.world import World

CALLER = bearer("liu.yang", Role.MANAGER)
DESK = bearer("quality.zhou", Role.QUALITY)


@pytest.fixture
async def suite(seeded: World) -> AsyncIterator[dict[str, RunningService]]:
    async with running(seeded, "dispatch", "sla", recurring_interval_seconds=0.3) as services:
        yield services


@pytest.fixture
async def site(seeded: World) -> str:
    return await fresh_site(seeded, names=("dispatch", "sla"))


async def _resolved(seeded: World, dispatch: RunningService, tap: EventTap, site: str, **changes) -> str:
    """A fault at the site, reported an hour ago, accepted, on site and resolved."""
    reported = datetime.now(UTC) - timedelta(hours=1)
    envelope = opened_envelope(site_code=site, reported_at=reported, **changes)
    ticket = envelope.payload.ticket_id
    await send_envelopes(seeded.amqp_url, [envelope])
    await tap.wait_for("ticket.assigned", ticket)
    for action, minutes, body in (("accept", 5, {}), ("arrive", 40, {}), ("resolve", 50, {"summary": "Fuse replaced"})):
        at = (reported + timedelta(minutes=minutes)).isoformat()
        answer = await dispatch.http.post(f"/tickets/{ticket}/{action}", json={"at": at, **body})
        assert answer.status_code == 200, answer.text
    await tap.wait_for("followup.due", ticket)
    return ticket


async def test_a_dissatisfied_customer_reopens_the_ticket_and_the_sla_starts_a_new_resolution_cycle(
    seeded: World, suite: dict[str, RunningService], site: str, tap: EventTap
) -> None:
    dispatch = suite["dispatch"]
    ticket = await _resolved(seeded, dispatch, tap, site)
    call = {"reached": True, "satisfaction": 2, "comments": "Still crackling in zone B"}
    answered = await dispatch.http.post(f"/tickets/{ticket}/follow-up", json=call, headers=CALLER)
    assert answered.json() == {"ticket_id": ticket, "outcome": "dissatisfied"}

    [reopened] = await tap.wait_for("ticket.reopened", ticket)
    assert reopened["payload"]["reason"] == "follow-up call, satisfaction 2/5: Still crackling in zone B"
    # Opened: response, on-site and resolution 1 in one event; reopened: resolution 2 alone, in another.
    started = await tap.wait_for("sla.clocks_started", ticket, count=2)
    assert sorted([(c["clock"], c["cycle"]) for c in e["payload"]["clocks"]] for e in started) == [
        [("resolution", 2)],
        [("response", 1), ("on_site", 1), ("resolution", 1)],
    ]
    [recorded] = await tap.wait_for("followup.recorded", ticket)
    assert (recorded["payload"]["outcome"], recorded["payload"]["caller"], recorded["payload"]["late"]) == (
        "dissatisfied",
        "liu.yang",
        False,
    )
    [case] = await tap.wait_for("quality.case_opened", ticket)
    assert (case["payload"]["origin"], case["payload"]["severity"]) == ("low_follow_up_score", "medium")
    assert (await dispatch.http.get(f"/tickets/{ticket}")).json()["status"] == "assigned"


async def test_an_unreached_customer_is_called_again_then_the_ticket_closes_noted(
    seeded: World, suite: dict[str, RunningService], site: str, tap: EventTap
) -> None:
    dispatch = suite["dispatch"]
    ticket = await _resolved(seeded, dispatch, tap, site)
    outcomes = []
    for _ in range(3):
        answer = await dispatch.http.post(
            f"/tickets/{ticket}/follow-up", json={"reached": False, "comments": "no answer"}
        )
        outcomes.append(answer.json()["outcome"])
    assert outcomes == ["try_again", "try_again", "unreached"]
    ticket_now = (await dispatch.http.get(f"/tickets/{ticket}")).json()
    assert ticket_now["status"] == "closed"
    history = (await dispatch.http.get(f"/tickets/{ticket}/history")).json()
    assert history[-1]["note"] == "customer not reached after 3 follow-up calls"
    late = await dispatch.http.post(f"/tickets/{ticket}/follow-up", json={"reached": True, "satisfaction": 5})
    assert (late.status_code, late.json()["error"]) == (409, "no_follow_up_due")


async def test_a_follow_up_not_made_in_time_is_missed_and_can_still_be_made(
    seeded: World, suite: dict[str, RunningService], site: str, tap: EventTap
) -> None:
    dispatch = suite["dispatch"]
    ticket = await _resolved(seeded, dispatch, tap, site)
    async with dispatch.runtime.engine.begin() as connection:
        await connection.execute(
            update(follow_ups)
            .where(follow_ups.c.ticket_id == ticket)
            .values(due_at=datetime.now(UTC) - timedelta(hours=1))
        )
    [missed] = await tap.wait_for("followup.missed", ticket, timeout=5)
    assert missed["payload"]["cycle"] == 1
    listed = (await dispatch.http.get("/follow-ups", params={"status": "missed", "site_code": site})).json()
    assert [f["ticket_id"] for f in listed] == [ticket]

    answer = await dispatch.http.post(f"/tickets/{ticket}/follow-up", json={"reached": True, "satisfaction": 4})
    assert answer.json()["outcome"] == "satisfied"
    [recorded] = await tap.wait_for("followup.recorded", ticket)
    assert recorded["payload"]["late"] is True
    rows = await fetch_all(seeded, follow_ups.select().where(follow_ups.c.ticket_id == ticket))
    assert [(row.status, row.outcome, row.attempts) for row in rows] == [("done", "satisfied", 1)]


@pytest.mark.parametrize(
    ("call", "error"),
    [
        ({"reached": True}, "invalid_call"),
        ({"reached": True, "satisfaction": 9}, "invalid_call"),
        ({"reached": False, "satisfaction": 4}, "invalid_call"),
    ],
)
async def test_a_call_that_makes_no_sense_is_refused_and_nothing_recorded(
    seeded: World, suite: dict[str, RunningService], site: str, tap: EventTap, call: dict, error: str
) -> None:
    dispatch = suite["dispatch"]
    ticket = await _resolved(seeded, dispatch, tap, site)
    answer = await dispatch.http.post(f"/tickets/{ticket}/follow-up", json=call)
    assert (answer.status_code, answer.json()["error"]) == (422, error)
    assert (await dispatch.http.get(f"/tickets/{ticket}/follow-up")).json() == []


async def test_a_complaint_goes_through_the_quality_desk_to_its_answer_and_the_desks_own_call(
    seeded: World, suite: dict[str, RunningService], site: str, tap: EventTap
) -> None:
    dispatch = suite["dispatch"]
    envelope = opened_envelope(site_code=site, kind="complaint", priority="high", description="The engineer was rude")
    ticket = envelope.payload.ticket_id
    await send_envelopes(seeded.amqp_url, [envelope])
    [opened] = await tap.wait_for("quality.case_opened", ticket)
    case_id = opened["payload"]["case_id"]
    assert (opened["payload"]["severity"], opened["payload"]["summary"]) == ("high", "The engineer was rude")

    about_themselves = {"owner": f"{site}-E01", "subject_engineer_id": f"{site}-E01"}
    refused = await dispatch.http.post(f"/quality/cases/{case_id}/take", json=about_themselves, headers=DESK)
    assert (refused.status_code, refused.json()["error"]) == (409, "case_refused")
    taken = await dispatch.http.post(
        f"/quality/cases/{case_id}/take", json={"owner": "quality.zhou", "subject_engineer_id": f"{site}-E01"}
    )
    assert taken.status_code == 200, taken.text
    escalated = await dispatch.http.post(
        f"/quality/cases/{case_id}/escalate", json={"reason": "second complaint this month"}
    )
    assert escalated.json()["escalated_to"] == "general_manager"  # high severity goes to the top
    answer = {"handling": "Spoke with E01; visit rescheduled with E05", "answer": "Apologised; new visit Friday 10:00"}
    assert (await dispatch.http.post(f"/quality/cases/{case_id}/answer", json=answer, headers=DESK)).status_code == 200

    [answered] = await tap.wait_for("quality.case_answered", ticket)
    assert (answered["payload"]["owner"], answered["payload"]["escalated_to"]) == ("quality.zhou", "general_manager")
    [due] = await tap.wait_for("followup.due", ticket)
    assert due["payload"]["desk"] == "quality"
    assert (await dispatch.http.get(f"/tickets/{ticket}")).json()["status"] == "resolved"
    case = (await dispatch.http.get(f"/quality/cases/{case_id}")).json()
    assert [h["action"] for h in case["history"]] == ["opened", "taken", "escalated", "answered"]
    again = await dispatch.http.post(f"/quality/cases/{case_id}/answer", json=answer)
    assert (again.status_code, again.json()["error"]) == (409, "case_refused")
    assert (await dispatch.http.get("/quality/cases/999999999")).status_code == 404


async def test_each_site_is_reviewed_every_quarter_and_a_low_score_goes_to_the_quality_desk(
    suite: dict[str, RunningService], site: str, tap: EventTap
) -> None:
    dispatch = suite["dispatch"]
    review = {
        "channel": "visit",
        "reached": True,
        "satisfaction": 2,
        "comments": "Too many repeat visits",
        "period": "2026-Q3",
    }
    recorded = await dispatch.http.post(f"/sites/{site}/reviews", json=review, headers=CALLER)
    assert recorded.json() == {"site_code": site, "period": "2026-Q3"}
    await tap.wait_for("site.reviewed", f"{site}-review-2026-Q3")

    async def case_opened() -> list:
        cases = (await dispatch.http.get("/quality/cases", params={"site_code": site})).json()
        return [c for c in cases if c["origin"] == "low_review_score"]

    [case] = await eventually(case_opened)
    assert case["severity"] == "high"
    year = {
        q["period"]: q["status"]
        for q in (await dispatch.http.get(f"/sites/{site}/reviews", params={"year": 2026})).json()
    }
    assert (year["2026-Q3"], year["2026-Q2"]) == ("done", "missed")
    bad = await dispatch.http.post(f"/sites/{site}/reviews", json=review | {"period": "2026-Q5"})
    assert (bad.status_code, bad.json()["error"]) == (422, "invalid_review")
    nowhere = await dispatch.http.post("/sites/NOWHERE/reviews", json=review)
    assert nowhere.status_code == 404
