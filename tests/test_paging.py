"""The paging chain over the real broker, with two dispatch processes taking the steps: a ticket its
engineer has not accepted by the response clock's warning (delivered twice) wakes the backup on call (the
engineer with the subsystem's skill), then the engineer the chain names, then the service managers, once
each and in order, by text message at once (a page never waits); each step is on the ticket's history
and on the board's list of tickets at risk. A ticket accepted after the first page wakes nobody else."""

from __future__ import annotations

import itertools
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

import services
from shared.contracts import ClockKind, SlaWarning, seal
from shared.identity import Role
from shared.service import seed_site
from testkit.broker import EventTap, event_tap, send_envelopes
from testkit.identities import bearer
from testkit.in_process import RunningService, running
from testkit.machine import REPOSITORY
from testkit.samples import again, opened_envelope
from testkit.sites import site_file_copy
from testkit.waiting import eventually, stays
from testkit.world import World

SITE = REPOSITORY / "tests" / "sites" / "paging-test.toml"
STEP = timedelta(minutes=0.03)  # the site's minutes_between_steps


@pytest.fixture
async def site(seeded: World, tmp_path: Any) -> str:
    code, path = site_file_copy(tmp_path, like=SITE)
    for name in ("dispatch", "notify"):
        await seed_site(services.definition(name), seeded.database_url, path)
    return code


@pytest.fixture
async def two_dispatchers(seeded: World, site: str) -> AsyncIterator[tuple[RunningService, RunningService]]:
    fast = {"recurring_interval_seconds": 0.3, "notice_tick_seconds": 0.2}
    async with running(seeded, "dispatch", "notify", **fast) as first, running(seeded, "dispatch", **fast) as second:
        yield first["dispatch"], first["notify"]
        assert second["dispatch"].runtime is not first["dispatch"].runtime


async def _assigned_and_warned(world: World, dispatch: RunningService, site: str) -> tuple[str, datetime]:
    """A bgm fault at the site, given to its owner (P01) and not accepted; its response clock warns twice."""
    ticket_id = f"{site}-20261207-{uuid.uuid4().hex[:6]}"
    await send_envelopes(world.amqp_url, [opened_envelope(ticket_id, site_code=site, site_name="Paging test plaza")])

    async def assigned() -> str:
        ticket = (await dispatch.http.get(f"/tickets/{ticket_id}")).json()
        assert ticket.get("engineer_id") == f"{site}-P01", ticket
        return str(ticket["engineer_id"])

    await eventually(assigned, timeout=30, what="the ticket given to its owner")
    now = datetime.now(UTC)
    due = now + timedelta(minutes=8)
    warning = SlaWarning(
        ticket_id=ticket_id, clock=ClockKind.RESPONSE, cycle=1, fraction=0.75, due_at=due, remaining_minutes=8,
        warned_at=now,
    )  # fmt: skip
    warned = seal(warning, producer="sla", correlation_id=ticket_id)
    await send_envelopes(world.amqp_url, [warned, again(warned)])
    return ticket_id, due


def _pages(tap: EventTap, ticket_id: str) -> list[dict[str, Any]]:
    return sorted((e["payload"] for e in tap.events("ticket.paged", ticket_id)), key=lambda p: p["step"])


async def test_an_unaccepted_ticket_pages_the_backup_the_named_engineer_then_the_managers_once_each(
    seeded: World, site: str, two_dispatchers: tuple[RunningService, RunningService]
) -> None:
    dispatch, notify = two_dispatchers
    async with event_tap(seeded.amqp_url, "#") as tap:
        ticket_id, due = await _assigned_and_warned(seeded, dispatch, site)

        async def all_three() -> list[dict[str, Any]]:
            pages = _pages(tap, ticket_id)
            assert [(p["step"], p["to"], p["engineer_id"]) for p in pages] == [
                (1, "backup_on_call", f"{site}-P02"),
                (2, "engineer", f"{site}-P03"),
                (3, "service_managers", None),
            ], pages
            return pages

        pages = await eventually(all_three, timeout=30, what="the backup, the named engineer, then the managers")
        await stays(all_three, seconds=3 * STEP.total_seconds(), what="each step once, none after the last")
    assert {p["holder_engineer_id"] for p in pages} == {f"{site}-P01"}
    assert {datetime.fromisoformat(p["due_at"]) for p in pages} == {due}
    at = [datetime.fromisoformat(p["paged_at"]) for p in pages]
    assert [later - earlier >= STEP for earlier, later in itertools.pairwise(at)] == [True, True], at

    # Each step on the ticket's history, worded by the facts it keeps.
    history = (await dispatch.http.get(f"/tickets/{ticket_id}/history")).json()
    paged = [h["facts"] for h in history if h["action"] == "paged"]
    assert [(f["step"], f["to"], f.get("engineer_id")) for f in paged] == [
        (1, "backup_on_call", f"{site}-P02"),
        (2, "engineer", f"{site}-P03"),
        (3, "service_managers", None),
    ]
    # The board's tickets at risk show whom the chain woke.
    [at_risk] = (await dispatch.http.get("/queues/at-risk", params={"site_code": site})).json()
    assert [p["step"] for p in at_risk["pages"]] == [1, 2, 3]

    # A page is urgent: a text message to each woken, at once (their phones from the site file).
    async def texted() -> set[tuple[str, str]]:
        told = (await notify.http.get(f"/tickets/{ticket_id}/notifications")).json()
        paged = {(n["username"], n["channel"]) for n in told if n["kind"] == "paged" and n["status"] == "sent"}
        assert {channel for _, channel in paged} == {"sms"}, told
        assert len(paged) == 3, told  # P02, P03 and the manager, each once
        return paged

    await eventually(texted, timeout=30, what="each woken told by text message")


async def test_a_ticket_accepted_after_the_first_page_wakes_nobody_else(
    seeded: World, site: str, two_dispatchers: tuple[RunningService, RunningService]
) -> None:
    dispatch, _ = two_dispatchers
    async with event_tap(seeded.amqp_url, "ticket.paged") as tap:
        ticket_id, _ = await _assigned_and_warned(seeded, dispatch, site)

        async def first_page() -> list[dict[str, Any]]:
            pages = _pages(tap, ticket_id)
            assert len(pages) >= 1
            return pages

        await eventually(first_page, timeout=30, what="the first page")
        owner = bearer(f"{site.lower()}-p01", Role.ENGINEER, engineer_id=f"{site}-P01")
        accepted = await dispatch.http.post(f"/tickets/{ticket_id}/accept", json={}, headers=owner)
        assert accepted.status_code == 200, accepted.text
        pages_when_accepted = len(_pages(tap, ticket_id))

        async def no_more() -> bool:
            return len(_pages(tap, ticket_id)) == pages_when_accepted

        await stays(no_more, seconds=4 * STEP.total_seconds(), what="no step after the ticket was accepted")
    assert pages_when_accepted < 3
