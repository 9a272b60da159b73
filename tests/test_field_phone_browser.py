"""What the engineer does from the phone besides the moves, in Debian's Chromium at 360 px with a camera
that shows a device label (testkit/camera.py): notes written offline are sent once, with the moment they
were written, listed on the phone, and the internal one is not the customer's to read; an arrival far
from the site is said on the phone as the manager sees it; the map links carry the site's coordinates;
the scan button reads the label's serial number into the swap form, with the vendored reader and with
the browser's own; the home list shows each ticket's fault words and deadline, and the day's visits
only (an overdue one too)."""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import httpx
import pytest
from playwright.async_api import Browser, Page, expect
from sqlalchemy import text

from services.console.domain.people import Person
from shared.identity import Role
from shared.persistence.database import create_engine
from testkit.browser import PHONE, chromium, keep_people, shot, signed_in
from testkit.camera import chromium_args, label_video
from testkit.identities import bearer
from testkit.sites import fresh_site
from testkit.waiting import eventually
from testkit.web import serving
from testkit.world import World

pytestmark = pytest.mark.timeout(300)
MANAGER = bearer("mgr", Role.MANAGER)
FAST_DISPATCH = {"recurring_interval_seconds": 0.5}
SERIAL = "SN-AMP-4711-0042"  # on the label the fake camera shows
A_KILOMETRE_NORTH = {"latitude": 31.2286, "longitude": 121.4733, "accuracy": 20}  # the site: 31.2196, 121.4733
WASM = "/static/vendor/zxing-wasm-3.1.8.reader.wasm"
# A browser that has its own reader (as Android's Chrome has): it answers with what it read, and says
# it was asked, about the video itself.
STAND_IN_READER = """window.BarcodeDetector = class {
  static async getSupportedFormats() { return ["code_128", "qr_code"]; }
  constructor(options) { window.askedFormats = options.formats; }
  async detect(source) { window.askedAbout = source.tagName; return [{rawValue: "SN-NATIVE-0001", format: "code_128"}]; }
};"""


@pytest.fixture(scope="module")
async def browser(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Browser]:
    video = label_video(tmp_path_factory.mktemp("camera"), SERIAL)
    async with chromium(*chromium_args(video)) as launched:
        yield launched


async def _ticket_for(urls: dict[str, str], site: str, description: str) -> str:
    """A bgm fault reported at the site, once dispatch has given it to the subsystem's owner."""
    async with httpx.AsyncClient(base_url=urls["intake"], headers=bearer("op", Role.OPERATOR)) as intake:
        request = {"site_code": site, "subsystem": "bgm", "description": description, "channel": "hotline"}
        opened = await intake.post("/requests", json={**request, "reporter": {"name": "值班经理"}})
        ticket = str(opened.json()["ticket_id"])
    async with httpx.AsyncClient(base_url=urls["dispatch"], headers=MANAGER) as dispatch:

        async def assigned() -> bool:
            answer = await dispatch.get(f"/tickets/{ticket}")
            return answer.status_code == 200 and answer.json().get("engineer_id") == f"{site}-E01"

        await eventually(assigned, timeout=20, what="the ticket assigned to the bgm owner")
    return ticket


async def _phone(browser: Browser, urls: dict[str, str], username: str, **context: object) -> Page:
    permissions = ["geolocation", "camera"]
    return await signed_in(browser, urls["console"], username, PHONE, permissions=permissions, **context)


async def _waiting(phone: Page, count: int) -> None:
    await expect(phone.locator("#queue-state")).to_have_attribute("data-waiting", str(count), timeout=20_000)


async def test_notes_offline_the_flagged_arrival_the_map_and_the_scan(world: World, browser: Browser) -> None:
    site = await fresh_site(world)
    username = f"eng.{uuid.uuid4().hex[:6]}"
    await keep_people(world, Person(username, "赵敏 Zhao Min", frozenset({Role.ENGINEER}), engineer_id=f"{site}-E01"))
    queue = f"aftercare.field.queue.{username}"
    async with serving(world, dispatch=FAST_DISPATCH) as urls:
        ticket = await _ticket_for(urls, site, "B1 背景音乐无声")
        phone = await _phone(browser, urls, username, geolocation=A_KILOMETRE_NORTH, service_workers="block")
        await phone.goto(f"/field/tickets/{ticket}")
        await expect(phone.locator("#arrival-flag")).to_have_count(0)  # not arrived yet: nothing flagged
        geo, amap = phone.locator("#map-geo"), phone.locator("#map-amap")
        await expect(geo).to_have_attribute("href", re.compile(r"^geo:31\.219600,121\.473300\?q="))
        await expect(amap).to_have_attribute(
            "href", re.compile(r"uri\.amap\.com/marker\?position=121\.473300%2C31\.2196")
        )

        await phone.click("#arrive button")  # a kilometre from the entrance the site file gives
        async with httpx.AsyncClient(base_url=urls["dispatch"], headers=MANAGER) as dispatch:

            async def arrived() -> dict:
                found = (await dispatch.get("/arrivals", params={"ticket_id": ticket})).json()
                return dict(found[0]) if found else {}

            arrival = await eventually(arrived, timeout=20, what="the arrival recorded")
        assert arrival["doubt"] == "too_far"
        flag = phone.locator("#arrival-flag")
        for _ in ("at once, from the arrival's answer", "as the page reads it"):
            await expect(flag).to_have_attribute("data-doubt", "too_far")
            await expect(flag).to_contain_text(f"距现场 {round(arrival['distance_m'])} 米")  # the manager's words
            await expect(flag).to_contain_text("服务经理")
            await phone.reload()

        await phone.context.set_offline(True)
        await phone.fill("#note-text", "功放风扇异响，下次巡检更换")
        await phone.click("#note button[type=submit]")
        await phone.fill("#note-text", "配件已订购，预计周三到货")
        await phone.check("#note input[name=for][value=customer]")
        await phone.click("#note button[type=submit]")
        await _waiting(phone, 2)
        await expect(phone.locator("#note-list li[data-pending]")).to_have_count(2)  # shown at once, waiting
        await expect(phone.locator("#note-text")).to_have_value("")
        notes = [a for a in json.loads(await phone.evaluate(f"localStorage.getItem('{queue}')")) if a["kind"] == "note"]
        assert [(n["fields"]["for"], n["fields"]["text"]) for n in notes] == [
            ("staff", "功放风扇异响，下次巡检更换"),
            ("customer", "配件已订购，预计周三到货"),
        ]
        last = datetime.fromisoformat(notes[-1]["at"])

        async def a_while_after() -> bool:  # the network back well after the notes were written
            return datetime.now(last.tzinfo) - last >= timedelta(seconds=1.5)

        await eventually(a_while_after, timeout=10, what="the notes 1.5 s old")
        await phone.context.set_offline(False)
        await _waiting(phone, 0)
        await expect(phone.locator("#note-list li[data-pending]")).to_have_count(0)  # each now says it was sent
        await expect(phone.locator("#note-list li[data-key]").nth(1)).to_contain_text("已发送")

        async with httpx.AsyncClient(base_url=urls["dispatch"], headers=MANAGER) as dispatch:
            written = [h for h in (await dispatch.get(f"/tickets/{ticket}/history")).json() if "note" in h["action"]]
            assert [(h["action"], h["note"], h["actor"]) for h in written] == [
                ("note", "功放风扇异响，下次巡检更换", f"赵敏 Zhao Min ({username})"),
                ("note_for_customer", "配件已订购，预计周三到货", f"赵敏 Zhao Min ({username})"),
            ]
            for row, sent in zip(written, notes, strict=True):  # the phone's moments, not the sending's
                assert datetime.fromisoformat(row["at"]) == datetime.fromisoformat(sent["at"])
            # Its answer lost, the phone sends the first note again: answered, not written twice.
            await phone.evaluate(f"localStorage.setItem('{queue}', JSON.stringify([{json.dumps(notes[0])}]))")
            await phone.evaluate("window.dispatchEvent(new Event('online'))")
            await _waiting(phone, 0)
            again = [h["action"] for h in (await dispatch.get(f"/tickets/{ticket}/history")).json()]
            assert again.count("note") == 1
            customer = bearer("xu.jing", Role.CUSTOMER, site_code=site)
            theirs = (await dispatch.get(f"/tickets/{ticket}/history", headers=customer)).json()
            said = [h.get("note") for h in theirs]
            assert "配件已订购，预计周三到货" in said
            assert "功放风扇异响，下次巡检更换" not in said  # internal: the staff's alone

        await phone.reload()
        listed = phone.locator("#note-list li")
        await expect(listed).to_have_count(2)
        await expect(listed.nth(0)).to_have_attribute("data-action", "note")
        await expect(listed.nth(0)).to_contain_text("内部备注")
        await expect(listed.nth(1)).to_contain_text("给客户的说明")
        await expect(listed.nth(1)).to_contain_text(username)
        await shot(phone, "11-engineer-notes-and-flagged-arrival")

        # Scanning: this Chromium has no reader of its own, so the vendored one reads the camera's label.
        assert await phone.evaluate("!('BarcodeDetector' in window)")
        await phone.context.set_offline(True)  # its WebAssembly not fetched yet: said, and typing is the way
        await phone.click("button[data-scan-for=new_serial_number]")
        await expect(phone.locator("#scanner [data-state]")).to_contain_text("无法加载条码识别")
        await phone.click("#scanner [data-close]")
        await phone.context.set_offline(False)
        await phone.click("button[data-scan-for=new_serial_number]")  # asked for again, and read
        serial = phone.locator("#new_serial_number")
        await expect(serial).to_have_value(SERIAL, timeout=20_000)
        await expect(serial).to_have_attribute("data-scanned-by", "zxing")
        await expect(phone.locator("#scanner")).not_to_have_attribute("open", "")
        await serial.fill("SN-TYPED-0001")  # typing stays possible
        await expect(serial).to_have_value("SN-TYPED-0001")

        native = await _phone(browser, urls, username, service_workers="block")
        await native.add_init_script(STAND_IN_READER)
        fetched: list[str] = []
        native.on("request", lambda request: fetched.append(request.url))
        await native.goto(f"/field/tickets/{ticket}")
        await native.click("button[data-scan-for=old_serial_number]")
        old = native.locator("#old_serial_number")
        await expect(old).to_have_value("SN-NATIVE-0001", timeout=20_000)
        await expect(old).to_have_attribute("data-scanned-by", "native")
        assert await native.evaluate("window.askedAbout") == "VIDEO"
        assert "code_128" in await native.evaluate("window.askedFormats")
        assert not [url for url in fetched if url.endswith(WASM)]  # the browser's reader: no WebAssembly


async def test_the_home_list_shows_fault_words_deadlines_and_the_days_visits(world: World, browser: Browser) -> None:
    site = await fresh_site(world)
    username = f"eng.{uuid.uuid4().hex[:6]}"
    await keep_people(world, Person(username, "钱伟 Qian Wei", frozenset({Role.ENGINEER}), engineer_id=f"{site}-E01"))
    words = "中庭吊顶扬声器间歇性爆音，影响商场广播 " + "并伴有嗡嗡声 " * 10
    async with serving(world, dispatch=FAST_DISPATCH) as urls:
        ticket = await _ticket_for(urls, site, words)
        zone = ZoneInfo("Asia/Shanghai")
        today = datetime.now(zone).date()
        async with httpx.AsyncClient(base_url=urls["dispatch"], headers=MANAGER) as dispatch:
            for plan in ("TODAY", "LATER", "LATE"):  # three visits open today, the bgm owner's
                terms: dict[str, object] = {"subsystem": "bgm", "title": f"{plan} check", "repeat": "FREQ=DAILY"}
                terms |= {"starts_on": today.isoformat(), "window_working_days": 2}
                terms["checklist"] = [{"code": "amp", "text": "Amplifier on"}]
                answer = await dispatch.put(f"/sites/{site}/inspection-plans/{site}-{plan}", json=terms)
                assert answer.status_code == 200, answer.text

            async def opened() -> dict[str, str]:
                visits = (await dispatch.get("/inspections/visits", params={"site_code": site})).json()
                assert len(visits) == 3
                return {v["plan_code"].removeprefix(f"{site}-"): v["visit_id"] for v in visits}

            visits = await eventually(opened, timeout=20, what="three visits opened")
            tomorrow = datetime.combine(today + timedelta(days=1), datetime.min.time(), zone) + timedelta(hours=22)
            booked = {"starts_at": tomorrow.isoformat(), "ends_at": (tomorrow + timedelta(hours=2)).isoformat()}
            for plan in ("LATER", "LATE"):  # agreed with the mall for tomorrow night: not today's
                answer = await dispatch.post(
                    f"/inspections/visits/{visits[plan]}/appointment", json={**booked, "agreed_with": "物业"}
                )
                assert answer.status_code == 200, answer.text
        # Overdue as dispatch's watch flags a visit past its window (which no visit opened today is yet).
        engine = create_engine(world.database_url, pool_size=1)
        try:
            async with engine.begin() as connection:
                await connection.execute(
                    text("UPDATE dispatch.inspection_visits SET overdue_since = now() WHERE visit_id = :visit"),
                    {"visit": visits["LATE"]},
                )
        finally:
            await engine.dispose()
        async with httpx.AsyncClient(base_url=urls["sla"], headers=MANAGER) as sla:

            async def clock_running() -> bool:
                return any(c["status"] == "running" for c in (await sla.get(f"/tickets/{ticket}/clocks")).json())

            await eventually(clock_running, timeout=20, what="the ticket's clocks running")

        phone = await _phone(browser, urls, username, service_workers="block")
        row = phone.locator("#my-tickets tr", has=phone.locator(f"a[href='/field/tickets/{ticket}']"))
        await expect(row.locator(".fault-words")).to_have_text(
            re.compile(r"^中庭吊顶扬声器间歇性爆音，影响商场广播 .*…$")
        )
        await expect(row.locator(".deadline")).to_have_text(re.compile(r"^(\d\d-\d\d )?\d\d:\d\d 前接单$"))
        await expect(row.locator(".deadline")).to_have_attribute("data-overdue", "false")
        listed = phone.locator("#my-visits li[data-visit]")
        await expect(listed).to_have_count(2)
        await expect(phone.locator(f"#my-visits li[data-visit='{visits['TODAY']}']")).to_be_visible()
        await expect(phone.locator(f"#my-visits li[data-visit='{visits['TODAY']}'] [data-overdue]")).to_have_count(0)
        await expect(phone.locator(f"#my-visits li[data-visit='{visits['LATE']}'] [data-overdue]")).to_have_text(
            "已逾期"
        )
        await expect(phone.locator(f"#my-visits li[data-visit='{visits['LATER']}']")).to_have_count(0)
        await shot(phone, "12-engineer-home-list-words-deadlines-visits")
