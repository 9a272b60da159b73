"""What the engineer's phone shows of what it sends, in Debian's Chromium at 360 px: escalating and
swapping a device are offered only where dispatch takes them (its table, GET /lifecycle); an escalation
kept offline pauses the ticket on the page at once (Resume offered, Pause and Resolve not), and back
online the status is dispatch's answer; a note written offline on a ticket reassigned meanwhile says it
was refused, and why, in Chinese; the ticket's page and the visit's give the site's address and the map
links to it."""

from __future__ import annotations

import re
import uuid
from collections.abc import AsyncIterator

import httpx
import pytest
from playwright.async_api import Browser, expect

from services.console.domain.people import Person
from shared.identity import Role
from testkit.browser import PHONE, chromium, keep_people, shot, signed_in
from testkit.sites import fresh_site
from testkit.web import serving
from testkit.world import World
from tests.test_field_browser import FAST_DISPATCH, MANAGER, NEAR_THE_ENTRANCE, _ticket_for
from tests.test_field_offline_browser import _plan_with_a_visit

pytestmark = pytest.mark.timeout(300)
ADDRESS = "138 Huaihai Middle Road, Huangpu District, Shanghai"  # the demo site's (deploy/demo/huaihai-138.toml)


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    async with chromium() as launched:
        yield launched


async def test_an_escalation_pauses_the_ticket_and_a_refused_note_says_why(world: World, browser: Browser) -> None:
    site = await fresh_site(world)
    username = f"eng.{uuid.uuid4().hex[:6]}"
    await keep_people(world, Person(username, "孙涛 Sun Tao", frozenset({Role.ENGINEER}), engineer_id=f"{site}-E01"))
    async with serving(world, dispatch=FAST_DISPATCH) as urls:
        ticket, held_by = await _ticket_for(urls, site, asset_tag=f"{site}-BGM-AMP-01")  # bosch's amplifier
        assert held_by == f"{site}-E01"
        visit = await _plan_with_a_visit(urls, site)
        phone = await signed_in(
            browser,
            urls["console"],
            username,
            PHONE,
            geolocation=NEAR_THE_ENTRANCE,
            permissions=["geolocation"],
            service_workers="block",
        )
        status, waiting = phone.locator("#status"), phone.locator("#queue-state")
        await phone.goto(f"/field/tickets/{ticket}")
        await expect(phone.locator("#site-address")).to_contain_text(ADDRESS)  # the address as text
        await expect(phone.locator("#map-geo")).to_have_attribute("href", re.compile(r"^geo:31\.2196"))
        # Assigned, not accepted yet: dispatch takes no escalation and no swap.
        await expect(status).to_have_attribute("data-status", "assigned")
        await expect(phone.locator("#escalate")).to_be_hidden()
        await expect(phone.locator("#swap")).to_be_hidden()
        await expect(phone.locator("#field-work")).to_be_hidden()

        await phone.click("#accept button")
        await expect(status).to_have_attribute("data-status", "accepted", timeout=20_000)
        await expect(phone.locator("#escalate")).to_be_visible()
        await expect(phone.locator("#swap")).to_be_visible()

        await phone.context.set_offline(True)  # the escalation kept on the phone: the ticket will pause
        await phone.fill("#findings", "功放输出级烧毁，需返厂维修")
        await phone.click("#escalate button[type=submit]")
        await expect(waiting).to_have_attribute("data-waiting", "1")
        await expect(status).to_have_attribute("data-expected", "paused")
        await expect(phone.locator("#resume")).to_be_visible()
        await expect(phone.locator("#pause")).to_be_hidden()
        await expect(phone.locator("#resolve")).to_be_hidden()
        await expect(phone.locator("#swap")).to_be_visible()  # a paused ticket takes a swap still
        await shot(phone, "14-engineer-escalation-kept-pauses-the-ticket")

        await phone.context.set_offline(False)
        await phone.evaluate("window.dispatchEvent(new Event('online'))")
        await expect(waiting).to_have_attribute("data-waiting", "0", timeout=20_000)
        await expect(phone.locator("#queue-log li").first).to_have_attribute("data-state", "sent")
        await expect(status).to_have_attribute("data-status", "paused")  # dispatch's answer
        await expect(status).to_have_attribute("data-paused-from", "accepted")
        await expect(phone.locator("#resume")).to_be_visible()
        await expect(phone.locator("#pause")).to_be_hidden()
        async with httpx.AsyncClient(base_url=urls["dispatch"], headers=MANAGER) as dispatch:
            told = (await dispatch.get(f"/tickets/{ticket}")).json()
            assert (told["status"], told["paused_from"]) == ("paused", "accepted")
            lifecycle = (await dispatch.get("/lifecycle")).json()
            assert lifecycle["field_work"]["escalate"] == ["accepted", "on_site", "paused"]

            # A note written offline while the manager gives the ticket to someone else.
            await phone.context.set_offline(True)
            await phone.fill("#note-text", "已联系博世，等待返修单号")
            await phone.click("#note button[type=submit]")
            note = phone.locator("#note-list li[data-key]").last
            await expect(note).to_have_attribute("data-pending", "true")
            moved = await dispatch.post(
                f"/tickets/{ticket}/assign", json={"engineer_id": f"{site}-E02", "reason": "the vendor's specialist"}
            )
            assert moved.status_code == 200, moved.text
            await phone.context.set_offline(False)
            await phone.evaluate("window.dispatchEvent(new Event('online'))")
            await expect(waiting).to_have_attribute("data-waiting", "0", timeout=20_000)
            await expect(note).to_have_attribute("data-state", "refused")
            await expect(note).to_contain_text("被拒绝")
            await expect(note).to_contain_text("该工单现已派给其他工程师")  # why, in the reader's language
            await expect(note).not_to_contain_text("已发送")
            await shot(phone, "15-engineer-note-refused-says-why")
            history = (await dispatch.get(f"/tickets/{ticket}/history")).json()
            assert "note" not in [row["action"] for row in history]  # refused: not written

        await phone.goto(f"/field/visits/{visit}")  # the visit's page: the site's address and the map too
        await expect(phone.locator("#site-address")).to_contain_text(ADDRESS)
        await expect(phone.locator("#map-amap")).to_have_attribute("href", re.compile(r"uri\.amap\.com/marker"))
        await expect(phone.locator("#arrival-flag")).to_have_count(0)
        await phone.context.close()
