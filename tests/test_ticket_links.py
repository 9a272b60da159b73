"""Tickets that belong together, over the real broker and database: a repeat report merged into the open
ticket of its problem ends there (closed, its engineer freed, its clocks cancelled, closed in the
archive's list), a complaint is linked to the job it is about; both sides show the link in dispatch's
tickets and histories and in the archive's timelines, and the customer sees the links without who made
them or why."""

from __future__ import annotations

import uuid

from shared.identity import Role
from testkit.broker import EventTap, send_envelopes
from testkit.identities import bearer
from testkit.in_process import RunningService, running
from testkit.samples import opened_envelope
from testkit.sites import fresh_site
from testkit.tickets import assigned_ticket
from testkit.waiting import eventually
from testkit.world import World

OPERATOR = bearer("op", Role.OPERATOR)


async def _opened(world: World, dispatch: RunningService, site: str, **changes: object) -> str:
    opened = opened_envelope(f"{site}-20261207-{uuid.uuid4().hex[:4]}", site_code=site, **changes)
    await send_envelopes(world.amqp_url, [opened])
    ticket = opened.payload.ticket_id

    async def placed() -> bool:
        answer = await dispatch.http.get(f"/tickets/{ticket}")
        return answer.status_code == 200 and answer.json()["status"] != "new"

    await eventually(placed, what=f"{ticket} routed")
    return ticket


async def test_a_repeat_report_joins_the_open_ticket_and_a_complaint_names_its_job(
    seeded: World, tap: EventTap
) -> None:
    site = await fresh_site(seeded, names=("dispatch", "sla", "archive"))
    async with running(seeded, "dispatch", "sla", "archive") as suite:
        dispatch, sla, archive = suite["dispatch"].http, suite["sla"].http, suite["archive"].http
        job, _ = await assigned_ticket(seeded, suite["dispatch"], site)
        repeat = await _opened(seeded, suite["dispatch"], site, description="中庭还是没有声音，第二次报修")
        complaint = await _opened(seeded, suite["dispatch"], site, kind="complaint", description="工程师迟到一小时")
        await eventually(lambda: _clocks_running(sla, repeat), what=f"{repeat}'s clocks started")

        merged = await dispatch.post(
            f"/tickets/{repeat}/links",
            json={"ticket_id": job, "relation": "merged_into", "reason": "同一故障，物业第二次来电"},
            headers=OPERATOR,
        )
        assert (merged.status_code, merged.json()["new"]) == (201, True), merged.text
        again = await dispatch.post(f"/tickets/{repeat}/links", json={"ticket_id": job, "relation": "merged_into"})
        assert again.json()["new"] is False
        about = await dispatch.post(f"/tickets/{complaint}/links", json={"ticket_id": job, "relation": "about"})
        assert about.status_code == 201, about.text

        async def both_sides_told() -> list[dict]:
            told = [e for e in tap.events("ticket.linked") if e["payload"]["site_code"] == site]
            return told if len(told) >= 4 else []

        linked = await eventually(both_sides_told, what="ticket.linked from each side of both links")
        assert sorted((e["payload"]["ticket_id"], e["payload"]["relation"]) for e in linked) == sorted(
            [(repeat, "merged_into"), (job, "joined_by"), (complaint, "about"), (job, "complained_of")]
        )

        ended = (await dispatch.get(f"/tickets/{repeat}")).json()
        assert (ended["status"], ended["engineer_id"]) == ("closed", None)
        assert [(link["relation"], link["linked_ticket_id"]) for link in ended["links"]] == [("merged_into", job)]
        carrying = (await dispatch.get(f"/tickets/{job}")).json()
        assert [(link["relation"], link["linked_ticket_id"]) for link in carrying["links"]] == [
            ("joined_by", repeat),
            ("complained_of", complaint),
        ]
        assert carrying["links"][0]["reason"] == "同一故障，物业第二次来电"
        history = (await dispatch.get(f"/tickets/{job}/history")).json()
        assert [(h["action"], h["note"]) for h in history[-2:]] == [("joined_by", repeat), ("complained_of", complaint)]

        async def clocks_cancelled() -> list[str]:
            outcomes = [clock["outcome"] for clock in (await sla.get(f"/tickets/{repeat}/clocks")).json()]
            return outcomes if outcomes and all(outcome == "cancelled" for outcome in outcomes) else []

        await eventually(clocks_cancelled, what=f"{repeat}'s clocks cancelled")
        running_now = (await sla.get("/clocks", params={"site_code": site})).json()
        assert repeat not in {clock["ticket_id"] for clock in running_now}
        assert job in {clock["ticket_id"] for clock in running_now}

        async def listed_closed() -> dict:
            lines = (await archive.get("/tickets", params={"site_code": site, "status": "closed"})).json()
            return next((line for line in lines["items"] if line["ticket_id"] == repeat), {})

        line = await eventually(listed_closed, what=f"{repeat} closed in the archive's list")
        assert line["next_due_at"] is None

        async def job_timeline_has_both() -> list[dict]:
            found = (await archive.get(f"/tickets/{job}/timeline")).json()
            return found if sum(e["type"] == "ticket.linked" for e in found) == 2 else []

        await eventually(job_timeline_has_both, what=f"both links in {job}'s timeline")

        customer = bearer("rep", Role.CUSTOMER, site_code=site)
        seen = (await dispatch.get(f"/tickets/{job}", headers=customer)).json()
        assert seen["links"] == [
            {k: v for k, v in link.items() if k in ("linked_ticket_id", "relation", "linked_at")}
            for link in carrying["links"]
        ]
        theirs = (await archive.get(f"/tickets/{job}/timeline", headers=customer)).json()
        shown = [e["payload"] for e in theirs if e["type"] == "ticket.linked"]
        assert len(shown) == 2
        assert all("reason" not in p and "actor" not in p for p in shown)


async def test_links_that_make_no_sense_are_refused_with_what_to_change(seeded: World) -> None:
    site = await fresh_site(seeded, names=("dispatch",))
    other_site = await fresh_site(seeded, names=("dispatch",))
    async with running(seeded, "dispatch") as suite:
        dispatch = suite["dispatch"].http
        job, engineer = await assigned_ticket(seeded, suite["dispatch"], site)
        elsewhere, _ = await assigned_ticket(seeded, suite["dispatch"], other_site)
        repeat = await _opened(seeded, suite["dispatch"], site)
        assert (await dispatch.post(f"/tickets/{job}/accept", json={}, headers=engineer)).status_code == 200

        async def refused(ticket: str, body: dict, headers: dict | None = None) -> tuple[int, str]:
            answer = await dispatch.post(f"/tickets/{ticket}/links", json=body, headers=headers or {})
            return answer.status_code, answer.json().get("error", "")

        assert await refused(repeat, {"ticket_id": elsewhere, "relation": "merged_into"}) == (422, "sites_differ")
        assert await refused(repeat, {"ticket_id": repeat, "relation": "merged_into"}) == (422, "same_ticket")
        assert await refused(repeat, {"ticket_id": job, "relation": "about"}) == (422, "not_a_complaint")
        assert await refused(job, {"ticket_id": repeat, "relation": "merged_into"}) == (409, "report_worked_on")
        assert await refused(repeat, {"ticket_id": f"{site}-20200101-0001", "relation": "merged_into"}) == (
            404,
            "unknown_ticket",
        )
        assert (await refused(repeat, {"ticket_id": job, "relation": "joined_by"}))[0] == 422
        assert (await refused(repeat, {"ticket_id": job, "relation": "merged_into"}, engineer))[0] == 403
        customer = bearer("rep", Role.CUSTOMER, site_code=site)
        assert (await refused(repeat, {"ticket_id": job, "relation": "merged_into"}, customer))[0] == 403


async def _clocks_running(sla: object, ticket: str) -> bool:
    answer = await sla.get(f"/tickets/{ticket}/clocks")  # type: ignore[attr-defined]
    return answer.status_code == 200 and bool(answer.json())
