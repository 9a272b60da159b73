"""Notes on a ticket over the real broker and database: staff write them for each other or for the
customer (from a phone without a signal, later, with the moment they were written); both show in the
staff's history, the customer's history and timeline show theirs only, and the service report carries
the customer's."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from shared.identity import Role
from testkit.broker import EventTap
from testkit.identities import bearer
from testkit.in_process import running
from testkit.sites import fresh_site
from testkit.tickets import assigned_ticket
from testkit.waiting import eventually
from testkit.world import World


async def test_a_note_for_the_customer_reaches_them_and_an_internal_one_does_not(seeded: World, tap: EventTap) -> None:
    site = await fresh_site(seeded, names=("dispatch", "archive"))
    async with running(seeded, "dispatch", "archive") as suite:
        dispatch, archive = suite["dispatch"].http, suite["archive"].http
        ticket, engineer = await assigned_ticket(seeded, suite["dispatch"], site)
        internal = await dispatch.post(f"/tickets/{ticket}/notes", json={"text": "客户经理脾气急，先打电话"})
        assert (internal.status_code, internal.json()["action"]) == (201, "note"), internal.text
        shared = await dispatch.post(
            f"/tickets/{ticket}/notes",
            json={"text": "备件已订，预计明天上午到货", "for_customer": True},
            headers=engineer,
        )
        assert (shared.status_code, shared.json()["action"]) == (201, "note_for_customer"), shared.text
        noted = await tap.wait_for("ticket.noted", ticket, count=2)
        assert sorted(event["payload"]["for_customer"] for event in noted) == [False, True]

        for wrong in ({"text": ""}, {"text": "x" * 8001}, {}):
            assert (await dispatch.post(f"/tickets/{ticket}/notes", json=wrong)).status_code == 422
        # Written on a phone without a signal, sent later: the moment it was written, never one to come.
        reported = datetime.fromisoformat((await dispatch.get(f"/tickets/{ticket}")).json()["reported_at"])
        offline = {"text": "机房无信号", "written_at": (reported + timedelta(seconds=1)).isoformat()}
        late = await dispatch.post(f"/tickets/{ticket}/notes", json=offline, headers=engineer)
        assert late.status_code == 201, late.text
        assert datetime.fromisoformat(late.json()["at"]) == reported + timedelta(seconds=1)
        for when, error in ((datetime.now(UTC) + timedelta(hours=1), "in_the_future"), (reported, "before_report")):
            body = {"text": "?", "written_at": (when - timedelta(microseconds=1)).isoformat()}
            wrong_time = await dispatch.post(f"/tickets/{ticket}/notes", json=body, headers=engineer)
            assert (wrong_time.status_code, wrong_time.json()["error"]) == (422, error)
        unknown = await dispatch.post(f"/tickets/{site}-20200101-0001/notes", json={"text": "?"})
        assert (unknown.status_code, unknown.json()["error"]) == (404, "unknown_ticket")
        stranger = bearer("eng-x", Role.ENGINEER, engineer_id="E99")
        refused = await dispatch.post(
            f"/tickets/{ticket}/notes", json={"text": "hi", "for_customer": True}, headers=stranger
        )
        assert (refused.status_code, refused.json()["error"]) == (403, "not_your_ticket")
        customer = bearer("rep", Role.CUSTOMER, site_code=site)
        assert (
            await dispatch.post(f"/tickets/{ticket}/notes", json={"text": "hi"}, headers=customer)
        ).status_code == 403

        staff_notes = [
            h["note"] for h in (await dispatch.get(f"/tickets/{ticket}/history")).json() if "note" in h["action"]
        ]
        assert staff_notes == ["客户经理脾气急，先打电话", "备件已订，预计明天上午到货", "机房无信号"]
        theirs = (await dispatch.get(f"/tickets/{ticket}/history", headers=customer)).json()
        assert [h["note"] for h in theirs if h["action"].startswith("note")] == ["备件已订，预计明天上午到货"]

        async def timeline_has_all() -> list[dict]:
            found = (await archive.get(f"/tickets/{ticket}/timeline")).json()
            return found if sum(e["type"] == "ticket.noted" for e in found) == 3 else []

        await eventually(timeline_has_all, what="the three notes in the archive's timeline")
        seen = (await archive.get(f"/tickets/{ticket}/timeline", headers=customer)).json()
        assert [e["payload"]["text"] for e in seen if e["type"] == "ticket.noted"] == ["备件已订，预计明天上午到货"]

        for action, body in (("accept", {}), ("arrive", {}), ("resolve", {"summary": "更换功放 Amplifier replaced"})):
            moved = await dispatch.post(f"/tickets/{ticket}/{action}", json=body, headers=engineer)
            assert moved.status_code == 200, moved.text
        report = await tap.wait_for("document.archived", ticket, count=3)  # request, dispatch order, report
        code = next(e["payload"]["document_code"] for e in report if e["payload"]["category"] == "RPT")
        content = (await archive.get(f"/documents/{code}")).json()["content"]
        assert "备件已订，预计明天上午到货" in content
        assert "脾气急" not in content
