"""Notifications in the console, in a real browser against the whole suite served over HTTP: the
manager sets their own quiet hours, language and channels on their notifications page, and notify
keeps them; a ticket's page shows who was told of it, how, and whether it went."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from playwright.async_api import Browser, expect

from services.console.domain.people import Person
from shared.identity import Role
from testkit.browser import DESK, chromium, keep_people, shot, signed_in
from testkit.identities import ADMIN, bearer
from testkit.sites import fresh_site
from testkit.waiting import eventually
from testkit.web import serving
from testkit.world import World

pytestmark = pytest.mark.timeout(300)


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    async with chromium() as launched:
        yield launched


async def test_a_manager_chooses_how_to_be_told_and_sees_who_was_told_of_a_ticket(
    world: World, browser: Browser
) -> None:
    site = await fresh_site(world)
    await keep_people(world, Person("mgr.ntf", "马经理 Ma", frozenset({Role.MANAGER})))
    async with serving(world) as urls, httpx.AsyncClient() as http:
        contact = {"name": "马经理 Ma", "roles": ["manager"], "site_codes": [site], "email": "ma@ntf.example"}
        made = await http.put(f"{urls['notify']}/contacts/mgr.ntf", json=contact, headers=ADMIN)
        assert made.status_code == 200, made.text

        manager = await signed_in(browser, urls["console"], "mgr.ntf", DESK)
        await manager.click("nav >> text=我的通知")
        await expect(manager.locator("h1")).to_have_text("我的通知")
        await expect(manager.get_by_text("ma@ntf.example")).to_be_visible()
        await manager.select_option("#language", "en")
        await manager.fill("#quiet_hours", "23:00-06:30")
        await manager.uncheck("input[name='sla_warning:default']")  # and tick nothing: not told of warnings
        await manager.uncheck("input[name='follow_up_due:default']")
        await manager.check("input[name='follow_up_due:email']")
        await shot(manager, "notifications-1-choices")
        await manager.click("#choices button[type=submit]")
        await expect(manager.locator("#quiet_hours")).to_have_value("23:00-06:30")
        await expect(manager.locator("input[name='sla_warning:default']")).not_to_be_checked()
        await expect(manager.locator("input[name='sla_breached:default']")).to_be_checked()
        kept = await http.get(f"{urls['notify']}/me/notifications", headers=bearer("mgr.ntf", Role.MANAGER))
        assert kept.json()["contact"]["channels"] == {"sla_warning": [], "follow_up_due": ["email"]}
        assert kept.json()["contact"]["language"] == "en"

        request = {"site_code": site, "subsystem": "av", "description": "Atrium projector dark",
                   "channel": "hotline", "reporter": {"name": "Duty manager"}}  # fmt: skip
        opened = await http.post(f"{urls['intake']}/requests", json=request, headers=bearer("op", Role.OPERATOR))
        assert opened.status_code in (200, 201, 202), opened.text
        ticket = opened.json()["ticket_id"]
        owner = f"{site.lower()}-e02.{site.lower()}"  # E02 owns av, and keeps no quiet hours

        async def told() -> dict:
            rows = (await http.get(f"{urls['notify']}/tickets/{ticket}/notifications", headers=ADMIN)).json()
            return next((r for r in rows if r["username"] == owner and r["status"] == "sent"), {})

        sent = await eventually(told, timeout=30, what="the engineer told of the assignment")
        assert sent["name"]  # the page names the person, as their contact has them
        await manager.goto(f"/tickets/{ticket}")
        row = manager.locator("#notifications tr", has_text=sent["name"])
        await expect(row).to_contain_text("短信")
        await expect(row).to_contain_text("已派工")
        await expect(row).to_contain_text("已发送")
        await shot(manager, "notifications-2-ticket")
