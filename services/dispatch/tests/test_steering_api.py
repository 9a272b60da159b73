"""What the service manager does through dispatch's API, over the real broker and database: the duty
roster, a ticket's candidates, assigning by hand, tickets nobody can take (announced, listed, assigned
as soon as someone can, once however many replicas look), and tickets at risk."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from shared.contracts import ClockKind, SlaWarning, seal
from shared.identity import Role
from testkit.broker import EventTap, send_envelopes
from testkit.identities import bearer
from testkit.in_process import RunningService, running
from testkit.samples import opened_envelope
from testkit.sites import fresh_site
from testkit.waiting import eventually, stays
from testkit.world import World

MANAGER = bearer("liu.yang", Role.MANAGER)


@pytest.fixture
async def dispatch(seeded: World) -> AsyncIterator[RunningService]:
    async with running(seeded, "dispatch", recurring_interval_seconds=0.5) as suite:
        yield suite["dispatch"]


@pytest.fixture
async def site(seeded: World) -> str:
    return await fresh_site(seeded, names=("dispatch",))


async def _leave_now(dispatch: RunningService, site: str, *engineers: str) -> list[int]:
    """Put engineers on leave from an hour ago to an hour from now (site time); the periods' ids."""
    now = datetime.now(ZoneInfo("Asia/Shanghai")).replace(tzinfo=None, microsecond=0)
    ids = []
    for engineer in engineers:
        response = await dispatch.http.post(
            f"/engineers/{engineer}/duty",
            json={
                "kind": "leave",
                "site_code": site,
                "starts": (now - timedelta(hours=1)).isoformat(),
                "ends": (now + timedelta(hours=1)).isoformat(),
                "note": "sick",
            },
            headers=MANAGER,
        )
        assert response.status_code == 201, response.text
        ids.append(response.json()["id"])
    return ids


async def _opened(seeded: World, dispatch: RunningService, site: str, subsystem: str = "bgm", **changes) -> str:
    envelope = opened_envelope(f"{site}-20261127-{subsystem}", site_code=site, subsystem=subsystem, **changes)
    await send_envelopes(seeded.amqp_url, [envelope])

    async def known() -> bool:
        return (await dispatch.http.get(f"/tickets/{envelope.payload.ticket_id}")).status_code == 200

    await eventually(known)
    return envelope.payload.ticket_id


async def test_the_roster_says_who_is_where_and_refuses_nonsense(dispatch: RunningService, site: str) -> None:
    # Wednesday 25 November 2026, 10:00 in Shanghai: owners on shift, the floater too.
    wednesday = datetime(2026, 11, 25, 2, 0, tzinfo=UTC).isoformat()
    roster = (await dispatch.http.get(f"/sites/{site}/roster", params={"at": wednesday})).json()
    assert {e["engineer_id"].split("-")[-1]: e["duty"] for e in roster} == dict.fromkeys(
        ["E01", "E02", "E03", "E04", "E05"], "on_shift"
    )
    sunday_night = datetime(2026, 11, 29, 15, 0, tzinfo=UTC).isoformat()  # 23:00 Sunday
    roster = (await dispatch.http.get(f"/sites/{site}/roster", params={"at": sunday_night})).json()
    assert {e["engineer_id"].split("-")[-1]: e["duty"] for e in roster}["E05"] == "off"
    assert {e["duty"] for e in roster if not e["engineer_id"].endswith("E05")} == {"on_call"}

    bad = {"kind": "shift", "site_code": site, "starts": "2026-12-01T08:30", "ends": "2026-12-01T18:00"}
    rule = await dispatch.http.post(f"/engineers/{site}-E01/duty", json=bad | {"repeat": "MONDAYS"})
    assert (rule.status_code, rule.json()["error"]) == (422, "invalid_period")
    backwards = await dispatch.http.post(f"/engineers/{site}-E01/duty", json=bad | {"ends": "2026-12-01T07:00"})
    assert (backwards.status_code, backwards.json()["error"]) == (422, "invalid_period")
    nobody = await dispatch.http.post("/engineers/NOBODY/duty", json=bad)
    assert (nobody.status_code, nobody.json()["error"]) == (404, "unknown_engineer")
    nowhere = await dispatch.http.post(f"/engineers/{site}-E01/duty", json=bad | {"site_code": "NOWHERE"})
    assert (nowhere.status_code, nowhere.json()["error"]) == (404, "unknown_site")


async def test_a_ticket_nobody_can_take_waits_announced_and_is_assigned_once_someone_can(
    seeded: World, site: str, tap: EventTap
) -> None:
    """Everyone who knows bgm is on leave: the ticket waits, announced and listed. When one leave is
    cancelled, the ticket goes to that engineer within the waiting interval, once, with two replicas
    looking."""
    async with (
        running(seeded, "dispatch", recurring_interval_seconds=0.5) as first,
        running(seeded, "dispatch", recurring_interval_seconds=0.5) as second,
    ):
        dispatch = first["dispatch"]
        leaves = await _leave_now(dispatch, site, f"{site}-E01", f"{site}-E02", f"{site}-E05")
        ticket = await _opened(seeded, dispatch, site)

        [waiting] = await tap.wait_for("ticket.awaiting_assignment", ticket)
        assert "E01 on leave" in waiting["payload"]["why"]
        queue = (await dispatch.http.get("/queues/awaiting-assignment", params={"site_code": site})).json()
        assert [(t["ticket_id"], t["status"]) for t in queue] == [(ticket, "awaiting_assignment")]
        candidates = (await dispatch.http.get(f"/tickets/{ticket}/candidates")).json()
        assert not any(c["eligible"] for c in candidates)
        assert "on leave" in candidates[0]["reasons"]

        assert (await second["dispatch"].http.delete(f"/engineers/{site}-E02/duty/{leaves[1]}")).status_code == 204
        [assigned] = await tap.wait_for("ticket.assigned", ticket, timeout=5)
        assert (assigned["payload"]["engineer_id"], assigned["payload"]["rule"]) == (f"{site}-E02", "least_loaded")
        await stays(lambda: _once(tap, "ticket.assigned", ticket), what="assigned once")
        assert (await dispatch.http.get("/queues/awaiting-assignment", params={"site_code": site})).json() == []


async def _once(tap: EventTap, message_type: str, ticket: str) -> bool:
    return len(tap.events(message_type, ticket)) == 1


async def test_the_manager_reassigns_by_hand_with_a_reason(
    seeded: World, dispatch: RunningService, site: str, tap: EventTap
) -> None:
    ticket = await _opened(seeded, dispatch, site, subsystem="av")
    await tap.wait_for("ticket.assigned", ticket)
    assert (await dispatch.http.post(f"/tickets/{ticket}/accept")).status_code == 200

    moved = await dispatch.http.post(
        f"/tickets/{ticket}/assign",
        json={"engineer_id": f"{site}-E05", "reason": "E02 is stuck at another mall"},
        headers=MANAGER,
    )
    assert moved.json() == {"ticket_id": ticket, "engineer_id": f"{site}-E05", "status": "assigned"}
    [_, by_hand] = await tap.wait_for("ticket.assigned", ticket, count=2)
    assert {k: by_hand["payload"][k] for k in ("engineer_id", "rule", "previous_engineer_id", "actor")} == {
        "engineer_id": f"{site}-E05",
        "rule": "manual",
        "previous_engineer_id": f"{site}-E02",
        "actor": "liu.yang",
    }
    history = (await dispatch.http.get(f"/tickets/{ticket}/history")).json()
    assert (history[-1]["action"], history[-1]["actor"], history[-1]["note"]) == (
        "assign",
        "liu.yang",
        "E02 is stuck at another mall",
    )
    again = await dispatch.http.post(f"/tickets/{ticket}/assign", json={"engineer_id": f"{site}-E05", "reason": "x"})
    assert (again.status_code, again.json()["error"]) == (409, "already_assigned")
    stranger = await dispatch.http.post(f"/tickets/{ticket}/assign", json={"engineer_id": "E01", "reason": "x"})
    assert (stranger.status_code, stranger.json()["error"]) == (404, "unknown_engineer")
    assert (
        await dispatch.http.post("/tickets/NOPE/assign", json={"engineer_id": "E01", "reason": "x"})
    ).status_code == 404


async def test_a_complaint_is_not_given_to_an_engineer_by_hand(
    seeded: World, dispatch: RunningService, site: str
) -> None:
    ticket = await _opened(seeded, dispatch, site, kind="complaint")
    refused = await dispatch.http.post(f"/tickets/{ticket}/assign", json={"engineer_id": f"{site}-E01", "reason": "x"})
    assert (refused.status_code, refused.json()["error"]) == (409, "not_assignable")
    assert "quality desk" in refused.json()["message"]


async def test_a_response_warning_before_anyone_accepted_flags_the_ticket_at_risk_once(
    seeded: World, dispatch: RunningService, site: str, tap: EventTap
) -> None:
    ticket = await _opened(seeded, dispatch, site, subsystem="signage")
    await tap.wait_for("ticket.assigned", ticket)
    due = datetime.now(UTC) + timedelta(minutes=7)
    warnings = [
        seal(
            SlaWarning(
                ticket_id=ticket,
                clock=clock,
                cycle=1,
                fraction=0.75,
                due_at=due,
                remaining_minutes=7.5,
                warned_at=datetime.now(UTC),
            ),
            producer="sla",
            correlation_id=ticket,
        )
        for clock in (ClockKind.RESPONSE, ClockKind.ON_SITE, ClockKind.RESPONSE)
    ]
    await send_envelopes(seeded.amqp_url, warnings)

    [flagged] = await tap.wait_for("ticket.at_risk", ticket)
    assert flagged["payload"]["engineer_id"] == f"{site}-E03"
    await stays(lambda: _once(tap, "ticket.at_risk", ticket), what="flagged once")
    listed = (await dispatch.http.get("/queues/at-risk", params={"site_code": site})).json()
    assert [t["ticket_id"] for t in listed] == [ticket]

    assert (await dispatch.http.post(f"/tickets/{ticket}/accept")).status_code == 200
    assert (await dispatch.http.get("/queues/at-risk", params={"site_code": site})).json() == []
