"""Administering sites in a real browser against the whole suite: the administrator adds a site by its
site file; the service manager uploads its equipment register (a changed device and a file with a
mistake, refused whole in Chinese) and draws up the acceptance register of its handover, which opens
for both parties to sign; the same pages in English."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from playwright.async_api import Browser, expect

from services.console.domain.people import Person
from shared.identity import Role
from testkit.browser import DESK, chromium, keep_people, shot, signed_in
from testkit.documents import pdf_text
from testkit.identities import bearer
from testkit.sites import site_file_copy
from testkit.web import serving
from testkit.world import World

pytestmark = pytest.mark.timeout(300)


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    async with chromium() as launched:
        yield launched


async def test_a_site_added_its_register_uploaded_and_its_handover_drawn_up(
    world: World, browser: Browser, tmp_path: Path
) -> None:
    code, site_file = site_file_copy(tmp_path)
    await keep_people(
        world,
        Person("adm.zhou", "周强 Zhou Qiang", frozenset({Role.ADMIN})),
        Person("mgr.liu", "刘洋 Liu Yang", frozenset({Role.MANAGER})),
    )
    async with serving(world) as urls:
        admin = await signed_in(browser, urls["console"], "adm.zhou", DESK)
        await admin.goto("/admin")
        await admin.set_input_files("#site-file-input", str(site_file))
        await admin.click("#site-file button[type=submit]")
        await expect(admin.locator("#site-loaded")).to_contain_text(f"项目 {code} 已载入")
        await expect(admin.locator("#site-loaded")).to_contain_text("intake")
        await expect(admin.locator("#sites")).to_contain_text(code)

        # The register as intake exports it, one device moved, and a copy with a device of no subsystem.
        async with httpx.AsyncClient(base_url=urls["intake"], headers=bearer("m", Role.MANAGER)) as intake:
            exported = await intake.get(f"/sites/{code}/equipment/export", params={"format": "csv"})
        rows = list(csv.reader(io.StringIO(exported.text)))
        header, first = rows[0], rows[1]
        first[header.index("location")] = "B2 机房 2 号机柜"
        register = tmp_path / "register.csv"
        register.write_text(_csv([header, first]), encoding="utf-8")
        broken = tmp_path / "broken.csv"
        first_broken = list(first)
        first_broken[header.index("subsystem")] = "nosuch"
        broken.write_text(_csv([header, first_broken]), encoding="utf-8")

        manager = await signed_in(browser, urls["console"], "mgr.liu", DESK)
        await manager.goto(f"/site?site_code={code}")
        await manager.set_input_files("#register-file", str(broken))
        await manager.click("#register-upload button[type=submit]")
        await expect(manager.locator(".problem")).to_be_visible()
        await expect(manager.locator(".problem")).to_contain_text("未完成")
        await manager.goto(f"/site?site_code={code}")
        await manager.set_input_files("#register-file", str(register))
        await manager.click("#register-upload button[type=submit]")
        await expect(manager.locator("#imported")).to_contain_text("修改 1 台")
        await expect(manager.locator("#equipment")).to_contain_text("B2 机房 2 号机柜")

        await manager.click("a[href$='/acceptance']")
        await expect(manager.locator("h1")).to_contain_text("前期接收登记表")
        await manager.fill("input[name=item-0]", "背景音乐各分区试播正常")
        await manager.fill("input[name=item-1]", "信息发布屏显示正常")
        await manager.select_option("select[name=result-1]", "failed")
        await manager.fill("input[name=remark-1]", "B1 入口屏有坏点，已报厂商")
        await manager.fill("#customer_present", "徐静\n物业工程部 王工")
        await shot(manager, "manager-draws-up-the-acceptance-register")
        await manager.click("#acceptance button[type=submit]")
        await expect(manager).to_have_url(re.compile(rf"/registers/{code}-"))
        await expect(manager.locator("#sign")).to_be_visible()  # signed at the handover, not after a period
        register_code = manager.url.rsplit("/", 1)[1]
        async with httpx.AsyncClient(base_url=urls["archive"], headers=bearer("m", Role.MANAGER)) as archive:
            pdf = (await archive.get(f"/documents/{register_code}/pdf")).content
        text = pdf_text(pdf)
        assert "背景音乐各分区试播正常" in text
        assert "B1 入口屏有坏点" in text

        await manager.click("a[href^='/language/en']")
        await manager.goto(f"/sites/{code}/acceptance")
        await expect(manager.locator("h1")).to_contain_text("Acceptance register")
        await expect(manager.locator("select[name=result-0] option[value=failed]")).to_have_text("Failed")


def _csv(rows: list[list[str]]) -> str:
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue()
