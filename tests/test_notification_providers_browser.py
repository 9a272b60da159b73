"""In a real browser against the whole suite, notify sending its texts through the local Alibaba Cloud
SMS stand-in: the ticket's page says the engineer's text was sent and, once the carrier's receipt is
in, that it did not reach their phone, and why."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from playwright.async_api import Browser, expect

from services.console.domain.people import Person
from shared.identity import Role
from testkit.aliyun_fake import fake_aliyun_sms
from testkit.browser import DESK, chromium, keep_people, shot, signed_in
from testkit.identities import ADMIN, bearer
from testkit.sites import fresh_site
from testkit.waiting import eventually
from testkit.web import serving
from testkit.world import World

pytestmark = pytest.mark.timeout(300)
KEY = {"key_id": "LTAI5tBrowser", "secret": "browser-secret", "sign_name": "汇海售后"}


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    async with chromium() as launched:
        yield launched


async def test_a_tickets_page_says_the_engineers_text_did_not_reach_their_phone(world: World, browser: Browser) -> None:
    site = await fresh_site(world)
    await keep_people(world, Person("mgr.prv", "马经理 Ma", frozenset({Role.MANAGER})))
    async with fake_aliyun_sms(**KEY, templates={"SMS_1": {"subject", "site"}}) as aliyun:
        notify = {
            "sms_provider": "aliyun", "aliyun_access_key_id": KEY["key_id"], "aliyun_access_key_secret": KEY["secret"],
            "aliyun_sms_sign_name": KEY["sign_name"], "aliyun_sms_template_code": "SMS_1",
            "aliyun_sms_endpoint": aliyun.url, "notice_tick_seconds": 0.2, "sms_receipt_first_poll_seconds": 0.2,
        }  # fmt: skip
        aliyun.outcomes["13955550002"] = (2, "MOBILE_NOT_ON_SERVICE")
        async with serving(world, notify=notify) as urls, httpx.AsyncClient() as http:
            owner = f"{site.lower()}-e02.{site.lower()}"  # E02 owns av, and keeps no quiet hours
            contact = {"name": "二号工程师 E02", "roles": ["engineer"], "phone": "+86 139 5555 0002",
                       "channels": {"assigned": ["sms"]}}  # fmt: skip
            made = await http.put(f"{urls['notify']}/contacts/{owner}", json=contact, headers=ADMIN)
            assert made.status_code == 200, made.text
            request = {"site_code": site, "subsystem": "av", "description": "Atrium projector dark",
                       "channel": "hotline", "reporter": {"name": "Duty manager"}}  # fmt: skip
            opened = await http.post(f"{urls['intake']}/requests", json=request, headers=bearer("op", Role.OPERATOR))
            assert opened.status_code in (200, 201, 202), opened.text
            ticket = opened.json()["ticket_id"]

            async def receipt_in() -> dict:
                rows = (await http.get(f"{urls['notify']}/tickets/{ticket}/notifications", headers=ADMIN)).json()
                return next((r for r in rows if r["username"] == owner and r["delivery"] == "not_delivered"), {})

            await eventually(receipt_in, timeout=60, what="the engineer's text and its receipt")
            manager = await signed_in(browser, urls["console"], "mgr.prv", DESK)
            await manager.goto(f"/tickets/{ticket}")
            row = manager.locator("#notifications tr", has_text="二号工程师 E02")
            await expect(row).to_contain_text("短信")
            await expect(row).to_contain_text("已发送")
            await expect(row.locator(".delivery")).to_have_text("未送达: MOBILE_NOT_ON_SERVICE")
            await shot(manager, "notifications-3-not-delivered")
    [texted] = aliyun.to("13955550002")
    assert texted.params["subject"] == f"新派工 {ticket}"
