"""The engineer's phone in a real browser (Debian's Chromium at 360 px, its position set by the test),
against the whole suite served over HTTP. Offline: the engineer accepts, arrives, records the inspection
checklist and resolves with the customer's signature while the browser has no network; back online,
the phone sends them in order, and the ticket's history, its clocks, the visit and the filed report
carry the moments they were done, not the moment they were sent; sent twice, nothing is done twice.
Reassigned while the phone was offline: its queued move is refused, shown on the phone and on the
manager's board, and not applied."""

from __future__ import annotations

import asyncio
import io
import json
import re
import uuid
from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import httpx
import pytest
from PIL import Image
from playwright.async_api import Browser, FilePayload, Page, expect

from services.console.domain.people import Person
from shared.identity import Role
from testkit.browser import DESK, PHONE, chromium, keep_people, shot, signed_in
from testkit.identities import bearer
from testkit.sites import fresh_site
from testkit.waiting import eventually
from testkit.web import serving
from testkit.world import World

pytestmark = pytest.mark.timeout(300)
NEAR_THE_ENTRANCE = {"latitude": 31.2197, "longitude": 121.4734, "accuracy": 20}  # deploy/demo/huaihai-138.toml
MANAGER = bearer("mgr", Role.MANAGER)
FAST_DISPATCH = {"recurring_interval_seconds": 0.5}


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    async with chromium() as launched:
        yield launched


async def _ticket_for(urls: dict[str, str], site: str, asset_tag: str | None = None) -> tuple[str, str]:
    """A bgm fault reported at the site (on the device, if given); dispatch gives it to the subsystem's
    owner. (ticket, engineer)"""
    async with httpx.AsyncClient(base_url=urls["intake"], headers=bearer("op", Role.OPERATOR)) as intake:
        opened = await intake.post(
            "/requests",
            json={
                "site_code": site,
                "subsystem": "bgm",
                "description": f"B1 背景音乐无声 ({uuid.uuid4().hex[:6]})",
                "channel": "hotline",
                "reporter": {"name": "值班经理", "phone": "021-5555-0138"},
                "asset_tag": asset_tag,
            },
        )
        ticket = opened.json()["ticket_id"]
    async with httpx.AsyncClient(base_url=urls["dispatch"], headers=MANAGER) as dispatch:

        async def assigned() -> str:
            answer = await dispatch.get(f"/tickets/{ticket}")
            return str(answer.json().get("engineer_id") or "") if answer.status_code == 200 else ""

        return ticket, await eventually(assigned, timeout=20, what="the ticket assigned")


async def _engineer_phone(browser: Browser, urls: dict[str, str], username: str) -> Page:
    phone = await signed_in(
        browser,
        urls["console"],
        username,
        PHONE,
        geolocation=NEAR_THE_ENTRANCE,
        permissions=["geolocation"],
        service_workers="allow",
    )
    await expect(phone).to_have_url(re.compile(r"/field/$"))
    # Bounded: a service worker that never starts fails the test here rather than hanging it.
    await asyncio.wait_for(phone.evaluate("navigator.serviceWorker.ready.then(() => true)"), timeout=20)
    await phone.reload()  # now under the service worker, which keeps what it serves
    return phone


async def _queued(phone: Page) -> list[dict]:
    return list(json.loads(await phone.evaluate("localStorage.getItem('aftercare.field.queue.wang.lei') || '[]'")))


async def _seconds_after_the_last_kept(phone: Page, seconds: float) -> None:
    """Wait until the phone's last kept action is `seconds` old, so that each action's own moment differs
    from the next one's and from when it is sent: what the test shows is that the moments are kept."""
    last = datetime.fromisoformat((await _queued(phone))[-1]["at"])

    async def old_enough() -> bool:
        return datetime.now(last.tzinfo) - last >= timedelta(seconds=seconds)

    await eventually(old_enough, timeout=seconds + 5, what=f"the last action {seconds} s old")


async def _waiting(phone: Page, count: int) -> None:
    await expect(phone.locator("#queue-state")).to_have_attribute("data-waiting", str(count), timeout=20_000)


async def test_a_visit_made_offline_keeps_its_real_times(world: World, browser: Browser) -> None:
    site = await fresh_site(world)
    await keep_people(world, Person("wang.lei", "王磊 Wang Lei", frozenset({Role.ENGINEER}), engineer_id=f"{site}-E01"))
    async with serving(world, dispatch=FAST_DISPATCH) as urls:
        ticket, engineer = await _ticket_for(urls, site)
        assert engineer == f"{site}-E01"
        today = datetime.now(ZoneInfo("Asia/Shanghai")).date().isoformat()
        plan = {
            "subsystem": "bgm",
            "title": "Daily check",
            "repeat": "FREQ=DAILY",
            "starts_on": today,
            "window_working_days": 2,
            "checklist": [
                {"code": "amp", "text": "Amplifier on, no fault indicator", "asset_tag": f"{site}-BGM-AMP-01"},
                {"code": "level", "text": "Atrium level", "kind": "measure", "unit": "dB(A)", "min": 65, "max": 78},
            ],
        }
        async with httpx.AsyncClient(base_url=urls["dispatch"], headers=MANAGER) as dispatch:
            assert (await dispatch.put(f"/sites/{site}/inspection-plans/DAILY", json=plan)).status_code == 200

            async def visit_opened() -> str | None:
                visits = (await dispatch.get("/inspections/visits", params={"site_code": site})).json()
                return visits[0]["visit_id"] if visits else None

            visit = await eventually(visit_opened, timeout=20, what="today's visit opened")

        phone = await _engineer_phone(browser, urls, "wang.lei")
        await expect(phone.locator(f"a[href='/field/tickets/{ticket}']")).to_be_visible()
        await phone.goto(f"/field/visits/{visit}")  # both pages kept for when there is no signal
        await phone.goto(f"/field/tickets/{ticket}")

        await phone.context.set_offline(True)
        await phone.click("#accept button")
        await _waiting(phone, 1)
        await _seconds_after_the_last_kept(phone, 1.2)  # the arrival a moment after the acceptance
        await phone.click("#arrive button")
        await _waiting(phone, 2)
        await phone.goto(f"/field/visits/{visit}")  # from the service worker's keeping
        await phone.check("input[name='item:amp:passed'][value=yes]")
        await phone.fill("input[name='item:level:value']", "70")
        await phone.click("#checklist button[type=submit]")
        await _waiting(phone, 3)
        await phone.goto(f"/field/tickets/{ticket}")
        picture = io.BytesIO()
        Image.new("RGB", (3000, 2000), "steelblue").save(picture, "JPEG")  # as a phone's camera takes it
        await phone.select_option("#photo select[name=kind]", "before")
        amp: FilePayload = {"name": "amp.jpg", "mimeType": "image/jpeg", "buffer": picture.getvalue()}
        await phone.set_input_files("#photo input[type=file]", files=[amp])
        await phone.click("#photo button[type=submit]")
        await _waiting(phone, 4)
        await phone.fill("#summary", "更换功放保险丝 Fuse replaced")
        await phone.fill("#parts", "保险丝 5A\n")
        await phone.fill("#customer_name", "徐静 Xu Jing")
        pad = phone.locator("#resolve canvas.signature")
        await pad.scroll_into_view_if_needed()
        box = await pad.bounding_box()
        assert box is not None
        await phone.mouse.move(box["x"] + 20, box["y"] + 100)
        await phone.mouse.down()
        for step in range(1, 10):
            await phone.mouse.move(box["x"] + 20 + step * 25, box["y"] + 100 - (step % 3) * 30)
        await phone.mouse.up()
        await phone.click("#resolve button[type=submit]")
        await _waiting(phone, 5)
        queued = await _queued(phone)
        assert [(q["kind"], q["action"]) for q in queued] == [
            ("move", "accept"),
            ("move", "arrive"),
            ("results", None),
            ("photo", None),
            ("move", "resolve"),
        ]
        assert set(queued[3]["fields"]) == {"kind"}  # the picture itself waits in IndexedDB
        kept = await phone.evaluate(
            """new Promise(done => { const o = indexedDB.open("aftercare-field", 1); o.onsuccess = () =>
               { const g = o.result.transaction("photos").objectStore("photos").get(KEY);
                 g.onsuccess = () => done(g.result.size); }; })""".replace("KEY", json.dumps(queued[3]["key"]))
        )
        assert 1_000 < kept < 150_000  # resized on the phone
        assert queued[1]["fields"]["latitude"] == "31.2197"
        await shot(phone, "9-engineer-offline-with-five-actions-kept")
        await _seconds_after_the_last_kept(phone, 3)  # the network comes back well after the work

        await phone.context.set_offline(False)
        await _waiting(phone, 0)
        done = {q["action"] or q["kind"]: datetime.fromisoformat(q["at"]) for q in queued}
        async with httpx.AsyncClient(base_url=urls["dispatch"], headers=MANAGER) as dispatch:
            history = {h["action"]: h for h in (await dispatch.get(f"/tickets/{ticket}/history")).json()}
            for action in ("accept", "arrive", "resolve"):
                assert datetime.fromisoformat(history[action]["at"]) == done[action], action
            assert history["arrive"]["note"].startswith("arrived ")
            visits = (await dispatch.get("/inspections/visits", params={"site_code": site})).json()
            assert datetime.fromisoformat(visits[0]["completed_at"]) == done["results"]

            # The phone sends its first action again (its answer lost): answered, not done again.
            await phone.evaluate(
                f"localStorage.setItem('aftercare.field.queue.wang.lei', JSON.stringify([{json.dumps(queued[0])}]))"
            )
            await phone.evaluate("window.dispatchEvent(new Event('online'))")
            await _waiting(phone, 0)
            again = [h["action"] for h in (await dispatch.get(f"/tickets/{ticket}/history")).json()]
            assert again.count("accept") == 1
            await expect(phone.locator("#queue-log li[data-state=refused]")).to_have_count(0)

        async with httpx.AsyncClient(base_url=urls["sla"], headers=MANAGER) as sla:

            async def clocks_stopped() -> dict:
                clocks = {c["clock"]: c for c in (await sla.get(f"/tickets/{ticket}/clocks")).json()}
                assert clocks["response"]["status"] == "stopped"
                return clocks

            clocks = await eventually(clocks_stopped, timeout=20, what="the response clock stopped")
            assert datetime.fromisoformat(clocks["response"]["stopped_at"]) == done["accept"]
        async with httpx.AsyncClient(base_url=urls["archive"], headers=MANAGER) as archive:

            async def report_filed() -> dict:
                found = (await archive.get("/documents", params={"ticket_id": ticket, "category": "RPT"})).json()
                assert found, "no on-site service report yet"
                return dict((await archive.get(f"/documents/{found[0]['code']}/content")).json())

            report = await eventually(report_filed, timeout=30, what="the on-site service report filed")
            [photo] = (await archive.get(f"/tickets/{ticket}/photos")).json()
            assert (photo["kind"], photo["width"], photo["height"]) == ("before", 1280, 853)
            assert [p["sha256"] for p in report["photos"]] == [photo["sha256"]]
            text = json.dumps(report, ensure_ascii=False)
            assert "徐静 Xu Jing" in text
            resolved = done["resolve"].astimezone(ZoneInfo("Asia/Shanghai")).isoformat()
            assert f'"resolved": "{resolved}"' in text  # the field's moment, in the site's time


async def test_a_move_queued_offline_on_a_ticket_reassigned_meanwhile_is_refused_and_shown(
    world: World, browser: Browser
) -> None:
    site = await fresh_site(world)
    await keep_people(
        world,
        Person("wang.lei", "王磊 Wang Lei", frozenset({Role.ENGINEER}), engineer_id=f"{site}-E01"),
        Person("mgr.liu", "刘洋 Liu Yang", frozenset({Role.MANAGER})),
    )
    async with serving(world, dispatch=FAST_DISPATCH) as urls:
        ticket, _ = await _ticket_for(urls, site)
        phone = await _engineer_phone(browser, urls, "wang.lei")
        await phone.goto(f"/field/tickets/{ticket}")
        await phone.context.set_offline(True)
        await phone.click("#accept button")
        await _waiting(phone, 1)

        async with httpx.AsyncClient(base_url=urls["dispatch"], headers=MANAGER) as dispatch:
            moved = await dispatch.post(
                f"/tickets/{ticket}/assign", json={"engineer_id": f"{site}-E02", "reason": "E01 is stuck in a lift"}
            )
            assert moved.status_code == 200, moved.text
            await phone.context.set_offline(False)
            await _waiting(phone, 0)
            refused = phone.locator("#queue-log li[data-state=refused]")
            await expect(refused).to_have_count(1)
            await expect(refused).to_have_attribute("data-error", "not_your_ticket")
            await shot(phone, "10-engineer-sees-the-refusal")
            history = [h["action"] for h in (await dispatch.get(f"/tickets/{ticket}/history")).json()]
            assert "accept" not in history

        manager = await signed_in(browser, urls["console"], "mgr.liu", DESK)
        await expect(manager.locator("#phone-conflicts")).to_contain_text(ticket)
        await expect(manager.locator("#phone-conflicts")).to_contain_text("wang.lei")
