"""The reports page in a real browser, against the whole suite: the manager reads a site's service in
Chinese and then in English, changes the period, sees the ECharts charts drawn and the tables, and
downloads the XLSX and the customer's PDF 服务月报; the customer's representative reaches their own
site's report from the menu."""

from __future__ import annotations

import io
import re
import uuid
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import httpx
import pytest
from openpyxl import load_workbook
from playwright.async_api import Page, expect

from services.console.domain.people import Person
from shared.identity import Role
from testkit.browser import ARTIFACTS, DESK, PHONE, chromium, keep_people, shot, signed_in
from testkit.documents import pdf_text
from testkit.identities import bearer
from testkit.sites import fresh_site
from testkit.waiting import eventually
from testkit.web import serving
from testkit.world import World

pytestmark = pytest.mark.timeout(300)


async def _download(page: Page, link: str) -> tuple[str, bytes]:
    async with page.expect_download() as started:
        await page.click(link)
    download = await started.value
    path = await download.path()
    return download.suggested_filename, path.read_bytes()


async def test_the_reports_page_charts_exports_and_hands_on_the_service_report(world: World) -> None:
    site = await fresh_site(world)
    await keep_people(
        world,
        Person("mgr.report", "刘洋 Liu Yang", frozenset({Role.MANAGER})),
        Person("rep.report", "徐静 Xu Jing", frozenset({Role.CUSTOMER}), site_code=site),
    )
    amplifier = f"{site}-BGM-AMP-01"
    month = datetime.now(UTC).astimezone(ZoneInfo("Asia/Shanghai")).strftime("%Y-%m")
    async with chromium() as browser, serving(world) as urls:
        tickets = []
        async with httpx.AsyncClient(base_url=urls["intake"], headers=bearer("op", Role.OPERATOR)) as intake:
            for n, words in enumerate(("中庭背景音乐没有声音", "功放指示灯不亮")):
                answer = await intake.post(
                    "/requests",
                    json={
                        "site_code": site, "subsystem": "bgm", "asset_tag": amplifier, "channel": "hotline",
                        "description": f"{words} {uuid.uuid4().hex[:6]}", "reported_at": datetime.now(UTC).isoformat(),
                        "reporter": {"name": "徐女士", "phone": f"+86 138 0013 800{n}"},
                    },
                )  # fmt: skip
                assert answer.status_code == 201, answer.text
                tickets.append(answer.json()["ticket_id"])
        manager_token = bearer("mgr.report", Role.MANAGER)
        async with httpx.AsyncClient(base_url=urls["dispatch"], headers=manager_token) as dispatch:

            async def engineer_of() -> str | None:
                found = (await dispatch.get(f"/tickets/{tickets[0]}")).json()
                return found.get("engineer_id") if isinstance(found, dict) else None

            await eventually(engineer_of, timeout=30, interval=0.5, what="the ticket assigned")
            engineer = await engineer_of()
            field = bearer("eng", Role.ENGINEER, engineer_id=engineer)
            for action, body in (("accept", {}), ("arrive", {}), ("resolve", {"summary": "更换功放保险丝"})):
                moved = await dispatch.post(f"/tickets/{tickets[0]}/{action}", json=body, headers=field)
                assert moved.status_code == 200, moved.text

            async def called() -> bool:
                answer = await dispatch.post(
                    f"/tickets/{tickets[0]}/follow-up", json={"reached": True, "satisfaction": 4, "comments": "满意"}
                )
                return answer.status_code == 200

            await eventually(called, timeout=30, interval=0.5, what="the follow-up call recorded")

        manager = await signed_in(browser, urls["console"], "mgr.report", DESK)

        async def reported() -> bool:
            await manager.goto(f"/reports?site_code={site}")
            scores = manager.locator("#satisfaction tbody td").nth(3)
            return await scores.count() == 1 and (await scores.text_content() or "").strip() == "1"

        await eventually(reported, timeout=40, interval=1, what="the ticket, its work and its call in the report")
        # Chinese: the tables in words, and every chart drawn by ECharts.
        await expect(manager.locator("h1")).to_contain_text("近六个月")
        await expect(manager.locator("#tickets-by-subsystem tbody tr").first).to_contain_text("BGM背景音乐系统")
        await expect(manager.locator("#tickets-by-subsystem tbody tr").first).to_contain_text("故障")
        await expect(manager.locator("#tickets-by-subsystem tr.total")).to_contain_text("2")
        await expect(manager.locator("#devices tbody tr").first).to_contain_text(amplifier)
        await expect(manager.locator("#devices tbody tr td").last).to_have_text("2")
        await expect(manager.locator("#compliance")).to_contain_text("到场")
        for chart in ("months", "tickets", "compliance", "satisfaction", "devices"):
            await expect(manager.locator(f"[data-chart={chart}][data-drawn] canvas")).to_have_count(1)
        await shot(manager, "reports-chinese")
        await manager.screenshot(path=ARTIFACTS / "reports-chinese-top.png")  # the README's: what a screen shows

        # Another period: this month alone, then days that hold nothing.
        await manager.fill("#month", month)
        await manager.click("#show-month")
        await expect(manager.locator("#period-shown")).to_contain_text(month)
        await expect(manager.locator("#tickets-by-subsystem tr.total")).to_contain_text("2")
        await manager.fill("#from", "2020-01-01")
        await manager.fill("#to", "2020-01-31")
        await manager.click("#show-range")
        await expect(manager.locator("#period-shown")).to_contain_text("2020-01-01 – 2020-01-31")
        await expect(manager.locator("#devices")).to_contain_text("本期无设备故障")
        await manager.goto(f"/reports?site_code={site}&period=month&month={month}")

        # The XLSX: a sheet per table, in Chinese.
        name, content = await _download(manager, "#export-xlsx")
        assert re.fullmatch(rf"{site}-report-\d{{8}}-\d{{8}}\.xlsx", name), name
        book = load_workbook(io.BytesIO(content))
        assert book.sheetnames[:3] == ["工单", "时限", "超时"]
        rows = [[cell.value for cell in row] for row in book["工单"].iter_rows()]
        assert rows[0][:3] == ["子系统", "类型", "新开"]
        assert rows[1][:3] == ["BGM背景音乐系统", "故障", 2]
        devices = [[cell.value for cell in row] for row in book["设备"].iter_rows()]
        assert devices[1][0] == amplifier
        assert devices[1][-1] == 2

        # The customer's PDF: Chinese, the same figures.
        name, pdf = await _download(manager, "#export-pdf")
        assert name.endswith(".pdf")
        text = pdf_text(pdf)
        for said in ("服务月报", "背景音乐系统", amplifier, "4 / 5"):  # pdftotext spaces latin runs inside Chinese
            assert said in text, said

        # English: the same page in the reader's other language.
        await manager.click("a[href^='/language/en']")
        await manager.goto(f"/reports?site_code={site}&period=month&month={month}")
        await expect(manager.locator("#tickets-by-subsystem h2")).to_have_text("Tickets by subsystem and kind")
        await expect(manager.locator("#tickets-by-subsystem tbody tr").first).to_contain_text("Fault")
        await expect(manager.locator("#compliance")).to_contain_text("On site")
        for chart in ("months", "tickets", "compliance", "satisfaction", "devices"):
            await expect(manager.locator(f"[data-chart={chart}][data-drawn] canvas")).to_have_count(1)
        _, content = await _download(manager, "#export-xlsx")
        assert load_workbook(io.BytesIO(content)).sheetnames[0] == "Tickets"
        await shot(manager, "reports-english")

        # The customer's representative reaches their own site's report from the menu, whatever the link asks.
        customer = await signed_in(browser, urls["console"], "rep.report", PHONE)
        await customer.goto(f"/tickets/{tickets[0]}")
        await customer.click("header a[href='/reports']")
        await expect(customer.locator("#site_code")).to_have_count(0)
        await expect(customer.locator("#devices")).to_contain_text(amplifier)
        await customer.goto("/reports?site_code=HH138")
        await expect(customer.locator("#exports")).to_contain_text(site)
        await shot(customer, "reports-customer-on-a-phone")
