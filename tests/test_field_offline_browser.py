"""The engineer's phone from a cold start with no signal (Debian's Chromium at 360 px): signed in, the
phone keeps the engineer's work by itself (it says when it is done); offline at once, the home list
opens in a new tab, and a ticket and a visit never opened before open from what was kept. The moves
queued there show as waiting, the page offers only the moves that then apply, and back online each
becomes sent (or refused, with why in Chinese) and the services hold what was done. The app installs
to the home screen: its manifest is valid, its icons exist, and Chromium finds nothing against it.
Signing out empties what was kept."""

from __future__ import annotations

import io
import re
from collections.abc import AsyncIterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
import pytest
from PIL import Image
from playwright.async_api import Browser, Page, async_playwright, expect

from services.console.domain.people import Person
from shared.identity import Role
from testkit.browser import CHROMIUM, PASSWORD, PHONE, chromium, keep_people, shot, signed_in
from testkit.sites import fresh_site
from testkit.waiting import eventually
from testkit.web import serving
from testkit.world import World
from tests.test_field_browser import FAST_DISPATCH, MANAGER, NEAR_THE_ENTRANCE, _ticket_for

pytestmark = pytest.mark.timeout(300)
KEPT_MS = 30_000  # the phone keeps a few pages at sign-in: bounded, never waited for by a sleep
PAGES = "aftercare-field-pages"


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    async with chromium() as launched:
        yield launched


async def _plan_with_a_visit(urls: dict[str, str], site: str) -> str:
    """A daily inspection of the site's background music: today's visit, the engineer's."""
    today = datetime.now(ZoneInfo("Asia/Shanghai")).date().isoformat()
    plan = {
        "subsystem": "bgm",
        "title": "Daily check",
        "repeat": "FREQ=DAILY",
        "starts_on": today,
        "window_working_days": 2,
        "checklist": [{"code": "amp", "text": "Amplifier on, no fault indicator", "asset_tag": f"{site}-BGM-AMP-01"}],
    }
    async with httpx.AsyncClient(base_url=urls["dispatch"], headers=MANAGER) as dispatch:
        # The plan's code is the test's own: codes are unique across sites, and so are the visits named after them.
        answer = await dispatch.put(f"/sites/{site}/inspection-plans/D{site}", json=plan)
        assert answer.status_code == 200, answer.text

        async def opened() -> str | None:
            visits = (await dispatch.get("/inspections/visits", params={"site_code": site})).json()
            return str(visits[0]["visit_id"]) if visits else None

        return str(await eventually(opened, timeout=20, what="today's visit opened"))


async def _kept(phone: Page) -> str:
    """Wait until the phone says all of the engineer's work is kept; the work's version."""
    await expect(phone.locator("html[data-offline-ready]")).to_have_count(1, timeout=KEPT_MS)
    await expect(phone.locator("#offline-state")).to_have_attribute("data-state", "ready")
    return str(await phone.locator("html").get_attribute("data-offline-ready"))


async def _kept_anew(phone: Page, before: str) -> str:
    """Wait until the phone keeps the work's version as the console tells it now, a new one: not merely
    another value (the home list reloads on a new version, and has none for a moment)."""

    async def caught_up() -> str | None:
        told = await phone.context.request.get("/field/offline-manifest")
        assert told.status == 200, told.status
        version = str((await told.json())["version"])
        kept = await phone.locator("html").get_attribute("data-offline-ready", timeout=KEPT_MS)
        return version if version != before and kept == version else None

    version = await eventually(caught_up, timeout=KEPT_MS / 1000, what="the work's new version kept")
    await expect(phone.locator("#offline-state")).to_have_attribute("data-state", "ready")
    return str(version)


async def test_signed_in_then_offline_at_once_the_engineer_works_pages_never_opened(
    world: World, browser: Browser
) -> None:
    site = await fresh_site(world)
    engineer = f"{site}-E01"
    await keep_people(world, Person("zhao.min", "赵敏 Zhao Min", frozenset({Role.ENGINEER}), engineer_id=engineer))
    async with serving(world, dispatch=FAST_DISPATCH) as urls:
        ticket, held_by = await _ticket_for(urls, site, asset_tag=f"{site}-BGM-AMP-01")
        taken_back, _ = await _ticket_for(urls, site)  # reassigned while the phone is offline
        assert held_by == engineer
        visit = await _plan_with_a_visit(urls, site)

        phone = await signed_in(
            browser,
            urls["console"],
            "zhao.min",
            PHONE,
            geolocation=NEAR_THE_ENTRANCE,
            permissions=["geolocation"],
            service_workers="allow",
        )
        await expect(phone).to_have_url(re.compile(r"/field/$"))
        version = await _kept(phone)
        kept = await phone.evaluate("fetch('/field/offline-manifest').then(r => r.json())")
        assert {f"/field/tickets/{ticket}", f"/field/tickets/{taken_back}", f"/field/visits/{visit}"} <= set(
            kept["urls"]
        )
        assert kept["version"] == version

        context = phone.context
        await context.set_offline(True)
        await phone.close()  # from cold: a new tab on the home list, with no signal
        phone = await context.new_page()
        await phone.goto("/field/")
        await expect(phone.locator("#online-state")).to_have_text(re.compile("离线"))
        await phone.click(f"a[href='/field/tickets/{ticket}']")  # never opened online
        await expect(phone.locator("#status")).to_have_text("已派工")
        await expect(phone.locator("#device")).to_contain_text("PLE-2MA240")  # the device and its history
        await expect(phone.locator("#device-history li").first).to_be_visible()
        await expect(phone.locator("#resume")).to_be_hidden()  # only the moves that apply
        await phone.click("#accept button")
        log = phone.locator("#queue-log li")
        await expect(log).to_have_count(1)
        await expect(log.first).to_have_attribute("data-state", "waiting")
        await expect(phone.locator("#status")).to_have_text("已接单")
        await expect(phone.locator("#accept")).to_be_hidden()
        await phone.click("#arrive button")
        await expect(phone.locator("#queue-log li[data-state=waiting]")).to_have_count(2)
        await expect(phone.locator("#status")).to_have_text("到场")
        await expect(phone.locator("#arrive")).to_be_hidden()
        await expect(phone.locator("#pause")).to_be_visible()
        await shot(phone, "13-engineer-offline-ticket-never-opened-online")

        await phone.goto(f"/field/tickets/{taken_back}")  # never opened either
        await phone.click("#accept button")
        await phone.goto(f"/field/visits/{visit}")  # never opened either
        await phone.check("input[name='item:amp:passed'][value=yes]")
        await phone.click("#checklist button[type=submit]")
        await expect(phone.locator("#checklist .queued")).to_have_attribute("data-state", "waiting")
        await phone.goto("/field/")
        await expect(phone.locator("#queue-log li[data-state=waiting]")).to_have_count(4)
        await expect(phone.locator("#queue-state")).to_have_attribute("data-waiting", "4")
        await shot(phone, "11-engineer-offline-from-a-cold-start")

        async with httpx.AsyncClient(base_url=urls["dispatch"], headers=MANAGER) as dispatch:
            moved = await dispatch.post(
                f"/tickets/{taken_back}/assign", json={"engineer_id": f"{site}-E02", "reason": "closer to the site"}
            )
            assert moved.status_code == 200, moved.text
            await context.set_offline(False)
            await phone.evaluate("window.dispatchEvent(new Event('online'))")
            await expect(phone.locator("#queue-state")).to_have_attribute("data-waiting", "0", timeout=20_000)
            await expect(phone.locator("#queue-log li[data-state=sent]")).to_have_count(3)
            refused = phone.locator("#queue-log li[data-state=refused]")
            await expect(refused).to_have_attribute("data-error", "not_your_ticket")
            await expect(refused).to_contain_text("该工单现已派给其他工程师")  # why, in the reader's language
            await shot(phone, "12-engineer-back-online-each-action-sent-or-refused")

            assert (await dispatch.get(f"/tickets/{ticket}")).json()["status"] == "on_site"
            history = [h["action"] for h in (await dispatch.get(f"/tickets/{ticket}/history")).json()]
            assert history.count("accept") == history.count("arrive") == 1
            assert "accept" not in [h["action"] for h in (await dispatch.get(f"/tickets/{taken_back}/history")).json()]
            visits = (await dispatch.get("/inspections/visits", params={"site_code": site})).json()
            assert next(v for v in visits if v["visit_id"] == visit)["completed_at"]

        # The work changed: the phone keeps it anew, and offline the ticket reads as the services have it.
        await _kept_anew(phone, version)
        await context.set_offline(True)
        await phone.goto(f"/field/tickets/{ticket}")
        await expect(phone.locator("#status")).to_have_attribute("data-status", "on_site")
        await expect(phone.locator("#arrive")).to_be_hidden()
        await expect(phone.locator("#resolve")).to_be_visible()
        await phone.goto(f"/field/tickets/{taken_back}")  # no longer theirs: let go of, the offline page instead
        await expect(phone.locator("#not-kept")).to_be_visible()
        await context.close()


async def test_the_phone_installs_to_the_home_screen_and_signing_out_forgets_the_work(
    world: World, tmp_path: Path
) -> None:
    site = await fresh_site(world)
    await keep_people(world, Person("qian.li", "钱立 Qian Li", frozenset({Role.ENGINEER}), engineer_id=f"{site}-E01"))
    async with serving(world) as urls:
        async with httpx.AsyncClient(base_url=urls["console"]) as console:
            answer = await console.get("/field/manifest.webmanifest")
            assert answer.status_code == 200
            assert answer.headers["content-type"].startswith("application/manifest+json")
            manifest = answer.json()
            assert manifest["name"] == "售后运维·现场"
            assert manifest["display"] == "standalone"
            assert manifest["start_url"].startswith(manifest["scope"])
            assert manifest["scope"] == "/field/"
            for icon in manifest["icons"]:
                picture = await console.get(icon["src"])
                assert picture.headers["content-type"] == "image/png"
                width, height = Image.open(io.BytesIO(picture.content)).size
                assert f"{width}x{height}" == icon["sizes"]
            assert {i["purpose"] for i in manifest["icons"]} == {"any", "maskable"}
            worker = await console.get("/field/sw.js")
            assert "/static/vendor/workbox-7.4.1/workbox-precaching.prod.js" in worker.text

        # Installability is not offered to an incognito window: a profile on disk, as a phone has.
        async with async_playwright() as playwright:
            context = await playwright.chromium.launch_persistent_context(
                str(tmp_path / "profile"),
                executable_path=CHROMIUM,
                args=["--no-sandbox"],
                viewport=PHONE,
                base_url=urls["console"],
                locale="zh-CN",
                service_workers="allow",
            )
            try:
                phone = context.pages[0] if context.pages else await context.new_page()
                await phone.goto("/sign-in?next=/field/")
                await phone.fill("#username", "qian.li")
                await phone.fill("#password", PASSWORD)
                await phone.click("button[type=submit]")
                await expect(phone).to_have_url(re.compile(r"/field/$"))
                await _kept(phone)
                cdp = await context.new_cdp_session(phone)
                installable = await cdp.send("Page.getInstallabilityErrors")
                assert installable["installabilityErrors"] == []
                parsed = await cdp.send("Page.getAppManifest")
                assert parsed["url"].endswith("/field/manifest.webmanifest")
                assert not parsed["errors"]

                assert PAGES in await phone.evaluate("caches.keys()")
                await phone.click("form[action='/sign-out'] button")
                await expect(phone).to_have_url(re.compile(r"/sign-in"))
                # The next person on this phone sees none of it.
                await phone.wait_for_function(f"caches.keys().then(k => !k.includes('{PAGES}'))", timeout=10_000)
            finally:
                await context.close()
