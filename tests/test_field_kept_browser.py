"""The engineer's pages kept on the phone stay true to what was done (Debian's Chromium at 360 px, its
service worker allowed, a camera that shows a device label: testkit/camera.py): a note sent online is
on the ticket's kept page once the phone is offline (the page is fetched again after each action sent);
the manifest of the work answers 304 to the version the phone keeps; and with no signal at all, the
serial scanner reads the label with the WebAssembly reader the service worker kept at install. The scan
dialog is named by its heading, says its state politely, and each scan button names its input."""

from __future__ import annotations

import asyncio
import json
import re
import uuid
from collections.abc import AsyncIterator

import pytest
from playwright.async_api import Browser, Response, expect

from services.console.domain.people import Person
from shared.identity import Role
from testkit.browser import PHONE, chromium, keep_people, shot, signed_in
from testkit.camera import chromium_args, label_video
from testkit.sites import fresh_site
from testkit.web import serving
from testkit.world import World
from tests.test_field_browser import FAST_DISPATCH, NEAR_THE_ENTRANCE, _ticket_for
from tests.test_field_offline_browser import _kept

pytestmark = pytest.mark.timeout(300)
SERIAL = "SN-AMP-4711-0099"  # on the label the fake camera shows
WASM = "/static/vendor/zxing-wasm-3.1.8.reader.wasm"


@pytest.fixture
async def browser(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Browser]:
    video = label_video(tmp_path_factory.mktemp("camera"), SERIAL)
    async with chromium(*chromium_args(video)) as launched:
        yield launched


async def test_a_note_sent_online_is_kept_and_the_scanner_reads_with_no_signal(world: World, browser: Browser) -> None:
    site = await fresh_site(world)
    username = f"eng.{uuid.uuid4().hex[:6]}"
    await keep_people(world, Person(username, "周婷 Zhou Ting", frozenset({Role.ENGINEER}), engineer_id=f"{site}-E01"))
    async with serving(world, dispatch=FAST_DISPATCH) as urls:
        ticket, _ = await _ticket_for(urls, site, asset_tag=f"{site}-BGM-AMP-01")
        phone = await signed_in(
            browser,
            urls["console"],
            username,
            PHONE,
            geolocation=NEAR_THE_ENTRANCE,
            permissions=["geolocation", "camera"],
            service_workers="allow",
        )
        await expect(phone).to_have_url(re.compile(r"/field/$"))
        version = await _kept(phone)
        # Asked with the version it keeps, the console says nothing changed; another version, the list.
        asked = """tag => fetch('/field/offline-manifest', {headers: {'If-None-Match': tag}}).then(r => r.status)"""
        assert await phone.evaluate(asked, f'"{username}:{version}"') == 304
        assert await phone.evaluate(asked, '"someone.else:0000"') == 200

        await phone.goto(f"/field/tickets/{ticket}")  # from the network, under the service worker
        await phone.fill("#note-text", "现场已断电检修，明早复测")
        await phone.click("#note button[type=submit]")
        sent = phone.locator("#queue-log li[data-state=sent]")
        await expect(sent).to_have_count(1, timeout=20_000)
        key = await sent.get_attribute("data-key")
        # The ticket's kept page fetched again once the note was sent.
        await expect(phone.locator(f"html[data-offline-refreshed='{key}']")).to_have_count(1, timeout=20_000)

        await phone.context.set_offline(True)
        await phone.reload()
        await expect(phone.locator("#online-state")).to_have_text(re.compile("离线"))
        listed = phone.locator("#note-list li[data-action=note]")
        await expect(listed).to_have_count(1)  # the note is on the page as the service worker kept it
        await expect(listed).to_contain_text("现场已断电检修，明早复测")
        await expect(phone.locator("#note-list li[data-pending]")).to_have_count(0)

        await phone.click("#accept button")  # the swap form is an accepted ticket's: kept on the phone
        # The scan dialog and its buttons, for a screen reader.
        scanner = phone.locator("#scanner")
        await expect(scanner).to_have_attribute("aria-labelledby", "scanner-title")
        await expect(phone.locator("#scanner-title")).to_have_text("扫描序列号")
        await expect(scanner.locator("[data-state]")).to_have_attribute("role", "status")
        await expect(scanner.locator("[data-state]")).to_have_attribute("aria-live", "polite")
        button = phone.locator("button[data-scan-for=new_serial_number]")
        await expect(button).to_have_attribute("aria-label", "扫码：现装设备的序列号")
        await expect(phone.get_by_role("button", name="扫码：现装设备的序列号")).to_have_count(1)

        # No signal, the page opened from what was kept: the reader's WebAssembly is the worker's copy.
        served: list[Response] = []
        phone.on("response", lambda response: served.append(response) if response.url.endswith(WASM) else None)
        assert await phone.evaluate("!('BarcodeDetector' in window)")
        await button.click()
        await expect(phone.locator("#scanner")).to_have_attribute("open", "")
        serial = phone.locator("#new_serial_number")
        await expect(serial).to_have_value(SERIAL, timeout=20_000)
        await expect(serial).to_have_attribute("data-scanned-by", "zxing")
        await expect(phone.locator("#scanner")).not_to_have_attribute("open", "")
        assert served, "the reader's WebAssembly was asked for"
        assert all(response.from_service_worker and response.ok for response in served)
        await shot(phone, "16-engineer-scan-offline-from-the-kept-reader")
        queued = json.loads(await phone.evaluate(f"localStorage.getItem('aftercare.field.queue.{username}')"))
        assert [action["action"] for action in queued] == ["accept"]  # still offline: kept, not sent
        await asyncio.wait_for(phone.context.close(), timeout=30)
