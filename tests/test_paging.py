"""The paging chain over the real broker, with two dispatch processes taking the steps: a ticket its
engineer has not accepted by the response clock's warning (delivered twice) wakes the backup on call (the
engineer with the subsystem's skill), then the engineer the chain names, then the service managers, once
each and in order, by text message at once (a page never waits); each step is on the ticket's history
and, in the manager's words, on the board's list of tickets at risk. A ticket accepted after the first page wakes nobody else."""

from __future__ import annotations

import itertools
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from playwright.async_api import expect

import services
from services.console.domain.people import Person
from shared.contracts import ClockKind, SlaWarning, seal
from shared.identity import Role
from shared.service import seed_site
from testkit.broker import EventTap, event_tap, send_envelopes
from testkit.browser import DESK, chromium, keep_people, signed_in
from testkit.identities import ADMIN, bearer
from testkit.in_process import RunningService, running
from testkit.machine import REPOSITORY
from testkit.samples import again, opened_envelope
from testkit.sites import site_file_copy
from testkit.waiting import eventually, stays
from testkit.web import serving
from testkit.world import World

pytestmark = pytest.mark.timeout(300)
SITE = REPOSITORY / "tests" / "sites" / "paging-test.toml"
STEP = timedelta(minutes=0.03)  # the site's minutes_between_steps
SLOW = timedelta(seconds=6)  # between the steps of a chain a test acts on in between


@pytest.fixture
async def site(seeded: World, tmp_path: Any, request: pytest.FixtureRequest) -> str:
    """The test site under a code of its own, its steps `request.param` minutes apart if given."""
    code, path = site_file_copy(tmp_path, like=SITE)
    minutes = getattr(request, "param", None)
    if minutes is not None:
        path.write_text(path.read_text().replace("minutes_between_steps = 0.03", f"minutes_between_steps = {minutes}"))
    for name in ("dispatch", "notify"):
        await seed_site(services.definition(name), seeded.database_url, path)
    return code


@pytest.fixture
async def two_dispatchers(seeded: World, site: str) -> AsyncIterator[tuple[dict[str, str], RunningService]]:
    """The whole suite over HTTP, and a second dispatch process beside its own (in this process)."""
    fast = {"recurring_interval_seconds": 0.3}
    async with (
        serving(seeded, dispatch=fast, notify={"notice_tick_seconds": 0.2}) as urls,
        running(seeded, "dispatch", **fast) as second,
    ):
        yield urls, second["dispatch"]


async def _assigned_and_warned(world: World, dispatch: httpx.AsyncClient, site: str) -> tuple[str, datetime]:
    """A bgm fault at the site, given to its owner (P01) and not accepted; its response clock warns twice."""
    ticket_id = f"{site}-20261207-{uuid.uuid4().hex[:6]}"
    await send_envelopes(world.amqp_url, [opened_envelope(ticket_id, site_code=site, site_name="Paging test plaza")])

    async def assigned() -> str:
        ticket = (await dispatch.get(f"/tickets/{ticket_id}")).json()
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
    seeded: World, site: str, two_dispatchers: tuple[dict[str, str], RunningService]
) -> None:
    urls, _ = two_dispatchers
    async with (
        event_tap(seeded.amqp_url, "ticket.paged") as tap,
        httpx.AsyncClient(base_url=urls["dispatch"], headers=ADMIN) as dispatch,
        httpx.AsyncClient(base_url=urls["notify"], headers=ADMIN) as notify,
    ):
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
        history = (await dispatch.get(f"/tickets/{ticket_id}/history")).json()
        assert [(h["facts"]["step"], h["facts"]["to"], h["facts"].get("engineer_id"))
                for h in history if h["action"] == "paged"] == [
            (1, "backup_on_call", f"{site}-P02"), (2, "engineer", f"{site}-P03"), (3, "service_managers", None),
        ]  # fmt: skip

        # A page is urgent: a text message to each woken, at once (their phones from the site file).
        async def texted() -> set[tuple[str, str]]:
            told = (await notify.get(f"/tickets/{ticket_id}/notifications")).json()
            paged = {(n["username"], n["channel"]) for n in told if n["kind"] == "paged" and n["status"] == "sent"}
            assert {channel for _, channel in paged} == {"sms"}, told
            assert len(paged) == 3, told  # P02, P03 and the manager, each once
            return paged

        await eventually(texted, timeout=30, what="each woken told by text message")

    # The board's tickets at risk show whom the chain woke, in the manager's words.
    await keep_people(seeded, Person(f"{site.lower()}.mgr", "刘洋 Liu Yang", frozenset({Role.MANAGER})))
    async with chromium() as browser:
        board = await signed_in(browser, urls["console"], f"{site.lower()}.mgr", DESK)
        await board.goto(f"/board?site_code={site}")
        pages_shown = board.locator(f'li[data-ticket="{ticket_id}"] .page')
        await expect(pages_shown).to_have_count(3)
        await expect(pages_shown.nth(0)).to_contain_text("已呼叫 Backup Two（备班值班工程师）")
        await expect(pages_shown.nth(1)).to_contain_text("已呼叫 Named Three（项目呼叫链指定）")
        await expect(pages_shown.nth(2)).to_contain_text("已呼叫服务经理")


@pytest.mark.parametrize("site", [SLOW.total_seconds() / 60], indirect=True)
async def test_a_ticket_accepted_after_the_first_page_wakes_nobody_else(
    seeded: World, site: str, two_dispatchers: tuple[dict[str, str], RunningService]
) -> None:
    _, dispatch = two_dispatchers
    async with event_tap(seeded.amqp_url, "ticket.paged") as tap:
        ticket_id, _ = await _assigned_and_warned(seeded, dispatch.http, site)
        await eventually(lambda: _paged_count(tap, ticket_id, 1), timeout=30, what="the first page")
        owner = bearer(f"{site.lower()}-p01", Role.ENGINEER, engineer_id=f"{site}-P01")
        accepted = await dispatch.http.post(f"/tickets/{ticket_id}/accept", json={}, headers=owner)
        assert accepted.status_code == 200, accepted.text
        await stays(lambda: _paged_count(tap, ticket_id, 1), seconds=1.5 * SLOW.total_seconds(),
                    what="no step after the ticket was accepted")  # fmt: skip


@pytest.mark.parametrize("site", [SLOW.total_seconds() / 60], indirect=True)
async def test_a_ticket_given_to_someone_else_unaccepted_pages_anew_for_them(
    seeded: World, site: str, two_dispatchers: tuple[dict[str, str], RunningService]
) -> None:
    _, dispatch = two_dispatchers
    async with event_tap(seeded.amqp_url, "ticket.paged") as tap:
        ticket_id, _ = await _assigned_and_warned(seeded, dispatch.http, site)
        await eventually(lambda: _paged_count(tap, ticket_id, 1), timeout=30, what="the first page")
        given = await dispatch.http.post(
            f"/tickets/{ticket_id}/assign", json={"engineer_id": f"{site}-P03", "reason": "P01 unreachable"}
        )
        assert given.status_code == 200, given.text
        await eventually(lambda: _paged_count(tap, ticket_id, 2), timeout=30, what="P03's own chain")
    first, again = _pages_in_order(tap, ticket_id)
    assert (first["holder_engineer_id"], first["step"]) == (f"{site}-P01", 1)
    # P03's chain begins with its first step, a step's wait after the chain saw them hold it.
    assert (again["holder_engineer_id"], again["step"], again["to"]) == (f"{site}-P03", 1, "backup_on_call")
    assert again["engineer_id"] != f"{site}-P03"
    assert datetime.fromisoformat(again["paged_at"]) - datetime.fromisoformat(first["paged_at"]) >= SLOW


async def _paged_count(tap: EventTap, ticket_id: str, count: int) -> bool:
    pages = _pages_in_order(tap, ticket_id)
    assert len(pages) == count, pages
    return True


def _pages_in_order(tap: EventTap, ticket_id: str) -> list[dict[str, Any]]:
    return sorted((e["payload"] for e in tap.events("ticket.paged", ticket_id)), key=lambda p: p["paged_at"])
