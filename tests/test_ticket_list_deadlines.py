"""The ticket list's deadlines follow the SLA service's, over the real broker: a pause moves a ticket's
deadlines, which the SLA service announces (`sla.clock_changed`) and the archive's list shows."""

from __future__ import annotations

from datetime import datetime

from testkit.broker import EventTap
from testkit.in_process import running
from testkit.sites import fresh_site
from testkit.tickets import assigned_ticket
from testkit.waiting import eventually
from testkit.world import World


async def test_a_paused_and_resumed_tickets_deadline_in_the_list_is_the_sla_services(
    seeded: World, tap: EventTap
) -> None:
    site = await fresh_site(seeded, names=("dispatch", "sla", "archive"))
    async with running(seeded, "dispatch", "sla", "archive") as suite:
        dispatch, sla, archive = (suite[name].http for name in ("dispatch", "sla", "archive"))
        ticket, engineer = await assigned_ticket(seeded, suite["dispatch"], site)

        async def line() -> dict:
            items = (await archive.get("/tickets", params={"site_code": site, "q": ticket})).json()["items"]
            return items[0] if items else {}

        async def sla_on_site_due() -> datetime | None:
            clocks = (await sla.get(f"/tickets/{ticket}/clocks")).json()
            due = next(c["due_at"] for c in clocks if c["clock"] == "on_site")
            return datetime.fromisoformat(due) if due else None

        async def listed_as_the_sla_service_says() -> bool:
            shown = (await line()).get("clocks", {}).get("on_site#1")
            if shown is None:
                return False
            due = await sla_on_site_due()
            return (datetime.fromisoformat(shown["due_at"]) if shown["due_at"] else None) == due

        await eventually(listed_as_the_sla_service_says, what="the on_site deadline in the list")
        before = await sla_on_site_due()
        paused = await dispatch.post(
            f"/tickets/{ticket}/pause", json={"reason": "waiting_for_customer"}, headers=engineer
        )
        assert paused.status_code == 200, paused.text
        await tap.wait_for("sla.clock_changed", ticket)

        async def paused_in_the_list() -> bool:
            return await sla_on_site_due() is None and await listed_as_the_sla_service_says()

        await eventually(paused_in_the_list, what="the paused on_site clock without a deadline")
        assert (await line())["clocks"]["on_site#1"]["due_at"] is None

        resumed = await dispatch.post(f"/tickets/{ticket}/resume", headers=engineer)
        assert resumed.status_code == 200, resumed.text
        after = await eventually(sla_on_site_due, what="the on-site deadline again once resumed")
        await eventually(listed_as_the_sla_service_says, what="the moved on_site deadline in the list")
        assert before is not None
        assert after is not None
        assert after > before
