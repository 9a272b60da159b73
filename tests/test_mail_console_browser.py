"""The operator triages the e-mail hotline in a real browser against the whole suite, its mailbox a real
IMAP server: a stranger's mail and one whose words name no system wait on the hotline's page with why, in
Chinese; the operator makes a ticket of the first at the site and system they choose (and lands on it),
adds the second to that ticket, and sets a third aside with why; each leaves the waiting list and the
list of mails lately received says what each became."""

from __future__ import annotations

import re
import uuid
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest
from playwright.async_api import Browser, expect

from services.console.domain.people import Person
from shared.identity import Role
from testkit.browser import DESK, chromium, keep_people, signed_in
from testkit.dovecot import Dovecot, dovecot
from testkit.identities import bearer
from testkit.mailboxes import mailbox_of
from testkit.mails import build_mail
from testkit.sites import fresh_site
from testkit.waiting import eventually
from testkit.web import serving
from testkit.world import World

pytestmark = pytest.mark.timeout(300)


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    async with chromium() as launched:
        yield launched


@pytest.fixture
def imap() -> Iterator[Dovecot]:
    with dovecot() as server:
        yield server


async def _waiting(intake: str, message_ids: list[str]) -> dict[str, dict[str, Any]]:
    async with httpx.AsyncClient(base_url=intake, headers=bearer("op", Role.OPERATOR)) as client:

        async def taken() -> dict[str, dict[str, Any]]:
            listed = (await client.get("/mail", params={"status": "unmatched", "limit": 500})).json()
            found = {m["message_id"]: m for m in listed if m["message_id"] in message_ids}
            assert len(found) == len(message_ids), found
            return found

        return await eventually(taken, timeout=90, what="the mails waiting for the operator")


async def test_the_operator_makes_a_ticket_adds_to_it_and_sets_aside(
    world: World, browser: Browser, imap: Dovecot
) -> None:
    site = await fresh_site(world)
    operator = f"op{uuid.uuid4().hex[:6]}"
    await keep_people(world, Person(operator, "赵敏 Zhao Min", frozenset({Role.OPERATOR})))
    stranger = f"s{uuid.uuid4().hex[:6]}@qq.com"
    ids = [f"<{uuid.uuid4().hex}@qq.com>" for _ in range(3)]
    mark = uuid.uuid4().hex[:6]  # the subjects are this test's own in the list of mails lately received
    await imap.deliver(
        build_mail(sender=("陌生人", stranger), subject=f"商场三楼的音响有杂音 {mark}", words="三楼音响一直有杂音。", message_id=ids[0]),
        build_mail(sender=("陌生人", stranger), subject=f"补充 {mark}", words="四楼也有杂音。", message_id=ids[1]),
        build_mail(sender=("推销", f"ad{uuid.uuid4().hex[:6]}@163.com"), subject=f"优惠活动 {mark}", words="低价出售", message_id=ids[2]),
    )  # fmt: skip
    async with serving(world, intake={"mailboxes": [mailbox_of(imap, name="service")]}) as urls:
        mails = await _waiting(urls["intake"], ids)
        page = await signed_in(browser, urls["console"], operator, DESK)
        await page.goto("/mail")
        first = page.locator(f'article.mail[data-mail-id="{mails[ids[0]]["mail_id"]}"]')
        await expect(first.locator(".why")).to_have_text("未登记的发件人，标题中也没有项目代码")
        await first.locator("select[name=site_code]").select_option(site)
        await first.locator("select[name=subsystem]").select_option("av")
        await first.get_by_role("button", name="建工单").click()
        await expect(page).to_have_url(re.compile(rf"/tickets/{site}-\d{{8}}-\d{{4,}}$"))
        ticket_id = page.url.rsplit("/", 1)[1]

        await page.goto("/mail")
        second = page.locator(f'article.mail[data-mail-id="{mails[ids[1]]["mail_id"]}"]')
        await second.locator("input[name=ticket_id]").fill(ticket_id)
        await second.get_by_role("button", name="并入工单").click()
        await expect(page).to_have_url(re.compile(rf"/tickets/{ticket_id}$"))

        await page.goto("/mail")
        third = page.locator(f'article.mail[data-mail-id="{mails[ids[2]]["mail_id"]}"]')
        await third.locator("input[name=reason]").fill("广告")
        await third.get_by_role("button", name="搁置").click()
        await expect(page).to_have_url(re.compile(r"/mail$"))
        for mail_id in (mails[i]["mail_id"] for i in ids):
            await expect(page.locator(f'#mail-waiting article[data-mail-id="{mail_id}"]')).to_have_count(0)
        recent = page.locator("#mail-recent tbody tr")
        await expect(recent.filter(has_text=f"商场三楼的音响有杂音 {mark}")).to_contain_text("已建工单")
        await expect(recent.filter(has_text=f"补充 {mark}")).to_contain_text("作为客户留言")
        await expect(recent.filter(has_text=f"优惠活动 {mark}")).to_contain_text("搁置")
