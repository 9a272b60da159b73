"""The customer's representative on a 360 px phone, against the whole suite: reports a problem about a
device of their register with a photo, sees their ticket with its number, writes to the office on it,
and once the work is done answers the follow-up themselves; in Chinese, and the same pages in English."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from playwright.async_api import Browser, expect

from services.console.domain.people import Person
from shared.identity import Role
from testkit.browser import PHONE, chromium, keep_people, shot, signed_in
from testkit.documents import signature_png
from testkit.identities import bearer
from testkit.sites import fresh_site
from testkit.waiting import eventually
from testkit.web import serving
from testkit.world import World

pytestmark = pytest.mark.timeout(300)


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    async with chromium() as launched:
        yield launched


async def test_the_customer_reports_with_a_photo_writes_and_answers_on_a_phone(
    world: World, browser: Browser, tmp_path: Path
) -> None:
    site = await fresh_site(world)
    await keep_people(world, Person("rep.xu", "徐静 Xu Jing", frozenset({Role.CUSTOMER}), site_code=site))
    picture = tmp_path / "silent-speaker.png"
    picture.write_bytes(signature_png(640, 480))
    async with serving(world) as urls:
        customer = await signed_in(browser, urls["console"], "rep.xu", PHONE)
        await customer.click("nav a[href='/report']")
        await expect(customer.locator("h1")).to_have_text("我要报修")
        about = customer.locator("#about")
        await expect(about.locator("optgroup")).not_to_have_count(0)
        device = about.locator("option[value*='|']").first
        await about.select_option(await device.get_attribute("value"))
        await customer.fill("#description", "中庭一号音箱没有声音")
        await customer.fill("#contact_phone", "13800138000")
        await customer.set_input_files("#photos", str(picture))
        await shot(customer, "customer-reports-a-problem")
        await customer.click("#report button[type=submit]")
        await expect(customer).to_have_url(re.compile(rf"/tickets/{site}-\d{{8}}-\d{{4}}\?reported=opened"))
        await expect(customer.locator("#reported")).to_contain_text("报修已受理")
        ticket = (await customer.locator("#reported .number").text_content() or "").strip()

        async def photo_kept() -> bool:
            await customer.reload()
            return await customer.locator("#records").count() == 1

        await eventually(photo_kept, timeout=30, interval=0.5, what="the photo kept with the ticket")
        await expect(customer.locator("#records")).to_contain_text("客户报修照片")

        await customer.fill("#comment-text", "下午两点以后有人在现场")
        await customer.click("#comment button[type=submit]")
        await expect(customer.locator("#history")).to_contain_text("下午两点以后有人在现场")
        await expect(customer.locator("#history")).to_contain_text("客户留言")

        # The engineer does the work (as the phone would); then the customer is asked how it went.
        async with httpx.AsyncClient(base_url=urls["dispatch"], headers=bearer("m", Role.MANAGER)) as dispatch:

            async def holder() -> str:
                answer = (await dispatch.get(f"/tickets/{ticket}")).json()
                assert answer.get("engineer_id")
                return str(answer["engineer_id"])

            engineer = bearer("eng", Role.ENGINEER, engineer_id=await eventually(holder, timeout=30))
            for action, body in (("accept", {}), ("arrive", {}), ("resolve", {"summary": "更换音箱接线"})):
                moved = await dispatch.post(f"/tickets/{ticket}/{action}", json=body, headers=engineer)
                assert moved.status_code == 200, moved.text
        await customer.goto(f"/tickets/{ticket}")
        answer = customer.locator("#answer")
        await expect(answer).to_be_visible()
        await answer.locator("input[name=satisfaction][value='5']").check()
        await customer.fill("#answer-comments", "工程师很专业")
        await shot(customer, "customer-answers-the-follow-up")
        await answer.locator("button[type=submit]").click()
        await expect(customer.locator("#answered")).to_contain_text("您的评价已记录")
        await expect(customer.locator("h1 .tag")).to_have_text("已关闭")
        assert await customer.evaluate("document.documentElement.scrollWidth") <= 360  # nothing wider than the phone

        await customer.click("a[href^='/language/en']")
        await expect(customer.locator("h1 .tag")).to_have_text("Closed")
        await expect(customer.locator("#history")).to_contain_text("The customer wrote")
        await customer.goto("/report")
        await expect(customer.locator("h1")).to_have_text("Report a problem")
        await expect(customer.locator("#report button[type=submit]")).to_have_text("Send the report")
