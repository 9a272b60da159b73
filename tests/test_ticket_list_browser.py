"""The ticket list in a real browser, against the whole suite: the manager finds tickets by words and
the reporter's phone, filters them, keeps the list under a name and exports it as XLSX and CSV in
Chinese (and in English); the customer's representative, on a phone, lists their own site's only."""

from __future__ import annotations

import re
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import httpx
import pytest
from playwright.async_api import Browser, Page, expect

from services.console.domain.people import Person
from shared.identity import Role
from shared.spreadsheets import SheetFormat, read_sheet
from testkit.browser import DESK, PHONE, chromium, keep_people, shot, signed_in
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


async def _report(intake: httpx.AsyncClient, site: str, words: str, phone: str, priority: str) -> str:
    answer = await intake.post(
        "/requests",
        json={
            "site_code": site, "subsystem": "bgm", "description": words, "channel": "hotline", "priority": priority,
            "reporter": {"name": "徐女士", "phone": phone}, "reported_at": datetime.now(UTC).isoformat(),
        },
    )  # fmt: skip
    assert answer.status_code == 201, answer.text
    return str(answer.json()["ticket_id"])


async def _download(page: Page, link: str) -> tuple[str, bytes]:
    async with page.expect_download() as started:
        await page.click(link)
    download = await started.value
    path = await download.path()
    return download.suggested_filename, path.read_bytes()


async def test_the_office_finds_filters_keeps_and_exports_tickets(world: World, browser: Browser) -> None:
    site, elsewhere = await fresh_site(world), await fresh_site(world)
    await keep_people(
        world,
        Person("mgr.liu", "刘洋 Liu Yang", frozenset({Role.MANAGER})),
        Person("rep.xu", "徐静 Xu Jing", frozenset({Role.CUSTOMER}), site_code=site),
    )
    mark = uuid.uuid4().hex[:6]
    digits = f"{uuid.uuid4().int % 10**8:08d}"  # a phone no other test of the session reports from
    phone = f"+86 138 {digits[:4]} {digits[4:]}"
    async with serving(world) as urls:
        async with httpx.AsyncClient(base_url=urls["intake"], headers=bearer("op", Role.OPERATOR)) as intake:
            music = await _report(intake, site, f"中庭背景音乐没有声音 {mark}", phone, "high")
            await _report(intake, site, f"B1 广播有杂音 {mark}", "+86 139 0000 0001", "normal")
            await _report(intake, elsewhere, f"中庭背景音乐没有声音 {mark}", "+86 137 0000 0002", "high")

        manager = await signed_in(browser, urls["console"], "mgr.liu", DESK)
        lines = manager.locator("#ticket-list tbody tr[id^=line-]")

        async def listed() -> bool:
            await manager.goto(f"/tickets?q={mark}&site_code={site}")
            return await lines.count() == 2

        await eventually(listed, timeout=30, interval=0.5, what="both tickets in the list")
        await expect(manager.locator("#found")).to_contain_text("共 2 张工单")
        await expect(lines.first).to_contain_text("已派工")  # words, not codes (assigned by dispatch meanwhile)

        # Found by a word of the description, then by the reporter's phone typed without spaces.
        await manager.fill("#q", f"背景音乐 {mark}")
        await manager.select_option("#site_code", "")
        await manager.click("#ticket-filter button[type=submit]")
        await expect(lines).to_have_count(2)  # this site's and the other's: every site
        await manager.fill("#q", f"138{digits}")
        await manager.click("#ticket-filter button[type=submit]")
        await expect(lines).to_have_count(1)
        await expect(lines.first).to_have_id(f"line-{music}")

        # Filtered by site and priority, then kept under a name and opened again from it.
        await manager.goto(f"/tickets?q={mark}")
        await manager.select_option("#site_code", site)
        await manager.click("#more-filters summary")
        await manager.select_option("#priority", "high")
        await manager.click("#ticket-filter button[type=submit]")
        await expect(lines).to_have_count(1)
        await manager.fill("#view-name", "高优先级")
        await manager.click("#save-view button[type=submit]")
        await manager.goto("/tickets")
        await manager.click("#views a:text('高优先级')")
        await expect(lines).to_have_count(1)
        await expect(manager.locator("#priority")).to_have_value("high")
        await shot(manager, "ticket-list-filtered-and-kept")

        # Exported in Chinese as XLSX, and in English as CSV.
        await manager.goto(f"/tickets?q={mark}&site_code={site}")
        name, content = await _download(manager, "#export-xlsx")
        assert re.fullmatch(r"tickets-\d{8}-\d{4}\.xlsx", name), name
        header, rows = read_sheet(content, SheetFormat.XLSX)
        assert header[:5] == ["工单", "报修时间", "项目", "子系统", "类型"]
        assert (len(rows), music in [row[0] for row in rows], {row[4] for row in rows}) == (2, True, {"故障"})
        assert {row[11] for row in rows} == {phone, "+86 139 0000 0001"}  # not formulas
        await manager.click("a[href^='/language/en']")
        await manager.goto(f"/tickets?q={mark}&site_code={site}&priority=high")
        _, content = await _download(manager, "#export-csv")
        header, rows = read_sheet(content, SheetFormat.CSV)
        assert (header[0], header[4], [row[0] for row in rows], rows[0][4]) == ("Ticket", "Kind", [music], "Fault")

        # The board pages and narrows the open tickets: the site's two, none of the other site's.
        await manager.goto(f"/board?site_code={site}")
        board_rows = manager.locator("#board-rows tr[id^=row-]")
        await expect(board_rows).to_have_count(2)
        await expect(manager.locator("#board-rows")).not_to_contain_text(elsewhere)
        await manager.select_option("#board-risk", "breached")
        await manager.click("#board-filter button[type=submit]")
        await expect(board_rows).to_have_count(0)  # both clocks have hours left

        # Notes on the ticket: one for the office only, one the customer reads too.
        await manager.goto(f"/tickets/{music}")
        await manager.fill("#note-text", "客户经理脾气急，先打电话")
        await manager.click("#note button[type=submit]")
        await manager.fill("#note-text", "备件已订，明天上午到货")
        await manager.check("#note input[name=for_customer]")
        await manager.click("#note button[type=submit]")
        notes = manager.locator("#history tr[data-action^=note]")
        await expect(notes).to_have_count(2)
        await expect(notes.last).to_contain_text("for the customer")

        # The customer's representative lists their own site's tickets only, whatever the link asks.
        customer = await signed_in(browser, urls["console"], "rep.xu", PHONE)
        await customer.goto(f"/tickets?q={mark}&site_code={elsewhere}")
        await expect(customer.locator("#ticket-list tbody tr[id^=line-]")).to_have_count(2)
        await expect(customer.locator("#ticket-list")).not_to_contain_text(elsewhere)
        await expect(customer.locator("#site_code")).to_have_count(0)
        await shot(customer, "ticket-list-customer-on-a-phone")
        await customer.goto(f"/tickets/{music}")
        await expect(customer.locator("#history")).to_contain_text("备件已订，明天上午到货")
        await expect(customer.locator("#history")).to_contain_text("给客户的说明")
        await expect(customer.locator("#history")).not_to_contain_text("脾气急")
        await expect(customer.locator("#note")).to_have_count(0)
