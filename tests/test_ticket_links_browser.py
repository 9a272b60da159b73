"""Tickets that belong together, in a real browser against the whole suite: the operator takes a second
call about a problem already open and merges it from the receipt; the quality desk links a complaint to
the job it is about and is told in Chinese why a wrong link is refused; both tickets show their links,
in Chinese and in English."""

from __future__ import annotations

import re
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import httpx
import pytest
from playwright.async_api import Browser, expect

from services.console.domain.people import Person
from shared.identity import Role
from testkit.browser import DESK, chromium, keep_people, signed_in
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


async def test_a_repeat_call_is_merged_and_a_complaint_names_its_job(world: World, browser: Browser) -> None:
    site = await fresh_site(world)
    await keep_people(
        world,
        Person("op.zhao", "赵敏 Zhao Min", frozenset({Role.OPERATOR})),
        Person("qa.sun", "孙丽 Sun Li", frozenset({Role.QUALITY})),
    )
    words = f"中庭背景音乐没有声音 {uuid.uuid4().hex[:6]}"
    async with serving(world) as urls:
        async with httpx.AsyncClient(base_url=urls["intake"], headers=bearer("op", Role.OPERATOR)) as intake:
            first = await intake.post(
                "/requests",
                json={
                    "site_code": site, "subsystem": "bgm", "description": words, "channel": "hotline",
                    "reporter": {"name": "徐女士", "phone": "+86 138 0013 8000"},
                    "reported_at": datetime.now(UTC).isoformat(),
                },
            )  # fmt: skip
            job = first.json()["ticket_id"]
            complained = await intake.post(
                "/requests",
                json={
                    "site_code": site, "subsystem": "bgm", "description": "工程师迟到一个小时，态度也不好",
                    "channel": "hotline", "kind": "complaint", "reporter": {"name": "陈经理"},
                },
            )  # fmt: skip
            complaint = complained.json()["ticket_id"]

        # A second caller, other words about the same place: the receipt offers to merge it.
        operator = await signed_in(browser, urls["console"], "op.zhao", DESK)
        await operator.select_option("#site_code", site)
        await operator.select_option("#subsystem", "bgm")
        await operator.fill("#reporter_name", "物业值班 王先生")
        await operator.fill("#description", f"{words}，第二次来电")
        await operator.click("#call button[type=submit]")
        number = operator.locator("#ticket-number")
        await expect(number).to_have_text(re.compile(rf"^{site}-\d{{8}}-\d{{4}}$"))
        repeat = (await number.text_content() or "").strip()
        offer = operator.locator("#merge-offer")
        await expect(offer).to_contain_text(job)
        await offer.get_by_role("button", name=f"同一问题：合并到 {job}").click()
        await expect(operator).to_have_url(re.compile(rf"/tickets/{repeat}#links$"))
        await expect(operator.locator("h1 .tag")).to_have_text("已关闭")
        await expect(operator.locator("#links [data-relation=merged_into]")).to_contain_text(f"已合并到 {job}")
        await expect(operator.locator("#history")).to_contain_text("已合并到未结工单")

        # A complaint about the service itself names no system of the site.
        await operator.goto("/calls/new")
        await operator.select_option("#site_code", site)
        await expect(operator.locator("#subsystem option[value=service]")).to_have_text("服务（综合）")
        await operator.select_option("#subsystem", "service")
        await operator.select_option("#kind", "complaint")
        await operator.fill("#reporter_name", "陈经理")
        await operator.fill("#description", "上次来的工程师态度不好")
        await operator.click("#call button[type=submit]")
        await expect(operator.locator("#ticket-number")).to_have_text(re.compile(rf"^{site}-\d{{8}}-\d{{4}}$"))
        await expect(operator.locator("#receipt .tag").first).to_have_text("投诉")

        # The quality desk names the job the complaint is about; a wrong number is refused in Chinese.
        quality = await signed_in(browser, urls["console"], "qa.sun", DESK)

        async def routed() -> bool:
            await quality.goto(f"/tickets/{complaint}")
            return await quality.locator("#link-relation option[value=about]").count() == 1

        await eventually(routed, timeout=30, interval=0.5, what=f"{complaint} known to dispatch")
        await quality.select_option("#link-relation", "about")
        await quality.fill("#link-ticket", complaint)
        await quality.click("#link button[type=submit]")
        await expect(quality.locator(".problem, [role=alert]").first).to_contain_text("工单不能与自身关联")
        await quality.goto(f"/tickets/{complaint}")
        await quality.select_option("#link-relation", "about")
        await quality.fill("#link-ticket", job)
        await quality.fill("#link-reason", "客户投诉的是这次维修的工程师")
        await quality.click("#link button[type=submit]")
        await expect(quality.locator("#links [data-relation=about]")).to_contain_text(f"投诉针对 {job}")

        await quality.goto(f"/tickets/{job}")
        links = quality.locator("#links")
        await expect(links.locator("[data-relation=joined_by]")).to_contain_text(f"并入的重复报修 {repeat}")
        await expect(links.locator("[data-relation=complained_of]")).to_contain_text(f"被投诉于 {complaint}")
        await quality.click("a[href^='/language/en']")
        await expect(links.locator("[data-relation=joined_by]")).to_contain_text(f"Repeat report joined {repeat}")
        await expect(links.locator("[data-relation=complained_of]")).to_contain_text(f"Complained of in {complaint}")
        await links.get_by_role("link", name=repeat).click()
        await expect(quality.locator("#links [data-relation=merged_into]")).to_contain_text(f"Merged into {job}")
