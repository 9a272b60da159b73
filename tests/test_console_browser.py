"""The console in a real browser (Debian's Chromium, driven by Playwright), against the whole suite
served over HTTP: the operator signs in and takes a call; the manager's board shows the ticket appear
live with its countdown, and the manager reassigns it; the engineer works it; the manager records the
follow-up call; the customer's representative, on a phone-sized screen, finds the ticket's documents
and signs the month's register. Screenshots of each step are kept in build/artifacts/console/."""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import httpx
import pytest
from playwright.async_api import Browser, expect

from services.console.domain.people import Person
from shared.identity import Role
from testkit.broker import send
from testkit.browser import DESK, PHONE, chromium, keep_people, shot, signed_in
from testkit.documents import pdf_text
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


async def _people(world: World, site: str) -> None:
    await keep_people(
        world,
        Person("op.wang", "王芳 Wang Fang", frozenset({Role.OPERATOR})),
        Person("mgr.liu", "刘洋 Liu Yang", frozenset({Role.MANAGER})),
        Person("rep.xu", "徐静 Xu Jing", frozenset({Role.CUSTOMER}), site_code=site),
    )


async def test_a_call_taken_steered_followed_up_and_signed_for(world: World, browser: Browser) -> None:
    site = await fresh_site(world)
    await _people(world, site)
    # The mall's ticketing system is reached over a private line the deployment allows (docs/webhooks.md).
    async with serving(world, webhooks={"allowed_networks": ["127.0.0.0/8"]}) as urls:
        console = urls["console"]
        manager = await signed_in(browser, console, "mgr.liu", DESK)
        await expect(manager).to_have_url(re.compile(r"/board$"))
        await expect(manager.locator("#board")).to_be_visible()

        # The operator takes the call: the kind is suggested as it is typed, the number read back.
        operator = await signed_in(browser, console, "op.wang", DESK)
        await expect(operator).to_have_url(re.compile(r"/calls/new$"))
        await operator.select_option("#site_code", site)
        await operator.select_option("#subsystem", "bgm")
        await expect(operator.locator("#asset_tag option")).not_to_have_count(1)
        await operator.fill("#reporter_name", "商场值班经理 Duty manager")
        await operator.fill("#reporter_phone", "021-5555-0138")
        await operator.fill("#description", f"B1 层背景音乐没有声音，功放指示灯不亮 ({uuid.uuid4().hex[:6]})")
        await expect(operator.locator("#suggested [data-kind]")).to_have_attribute("data-kind", "fault")
        await shot(operator, "1-operator-takes-a-call")
        await operator.click("#call button[type=submit]")
        number = operator.locator("#ticket-number")
        await expect(number).to_have_text(re.compile(rf"^{site}-\d{{8}}-\d{{4}}$"))
        ticket = (await number.text_content() or "").strip()
        await expect(operator.locator("#site_code")).to_have_value(site)  # kept for the next call
        await expect(operator.locator("#description")).to_have_value("")
        await shot(operator, "2-operator-reads-back-the-number")

        # The manager's board shows it without a reload, with a countdown that ticks.
        row = manager.locator(f"#row-{ticket}")
        await expect(row).to_be_visible(timeout=20_000)
        countdown = row.locator(".countdown")
        await expect(countdown).to_have_text(re.compile(r"\d+m \d\ds"), timeout=20_000)
        first = await countdown.text_content()
        await expect(countdown).not_to_have_text(first or "", timeout=5_000)
        await shot(manager, "3-manager-board-live")

        # Reassigned by hand to another engineer, with the reason.
        await row.locator("a").first.click()
        await expect(manager.locator("#holder")).not_to_have_text("", timeout=20_000)
        holder_before = await manager.locator("#holder").text_content()
        choice = manager.locator("#assign input[type=radio]:not([disabled])").first
        engineer_id = await choice.get_attribute("value")
        await choice.check()
        await manager.fill("#reason", "原负责工程师在另一现场 / owner is at another site")
        await manager.click("#assign button[type=submit]")
        await expect(manager.locator("#holder")).not_to_have_text(holder_before or "")
        await expect(manager.locator("#history")).to_contain_text("原负责工程师在另一现场")
        await shot(manager, "4-manager-reassigned")

        # The engineer works it (their phone pages are the next issue's): accept, arrive, resolve.
        async with httpx.AsyncClient(
            base_url=urls["dispatch"], headers=bearer("eng", Role.ENGINEER, engineer_id=engineer_id)
        ) as field:
            for action, body in (
                ("accept", {}),
                ("arrive", {}),
                ("resolve", {"summary": "更换功放保险丝 Fuse replaced"}),
            ):
                moved = await field.post(f"/tickets/{ticket}/{action}", json=body)
                assert moved.status_code == 200, moved.text

        # The manager records the follow-up call: satisfied closes the ticket.
        await manager.goto("/follow-ups")
        call = manager.locator(f"section[id='{ticket}']")
        await expect(call).to_be_visible(timeout=20_000)
        await call.locator("select[name=satisfaction]").select_option("5")
        await call.locator("textarea[name=comments]").fill("很快修好了 Fixed quickly")
        await call.locator("button[type=submit]").click()
        await expect(call.locator(".outcome")).to_have_attribute("data-outcome", "satisfied")
        await shot(manager, "5-manager-follow-up-recorded")

        # The closed ticket's page links its records, the service report first among them, and offers no
        # assignment any more.
        report = manager.locator("#records a", has_text="现场服务报告")

        async def report_linked() -> bool:
            await manager.goto(f"/tickets/{ticket}")
            return await report.count() == 1

        await eventually(report_linked, timeout=30, interval=1, what="the service report linked")
        await expect(manager.locator("#assign")).to_have_count(0)
        pdf = await manager.request.get(await report.get_attribute("href") or "")
        assert (pdf.status, pdf.headers["content-type"]) == (200, "application/pdf")

        # The reports chart this month's satisfaction from that call.
        async def charted() -> bool:
            await manager.goto(f"/reports?site_code={site}")
            return (await manager.locator("#satisfaction tbody td").last.text_content() or "").strip() == "1"

        await eventually(charted, timeout=30, interval=1, what="the call's score in the reports")
        await expect(manager.locator("#by-month tbody tr")).to_have_count(6)
        await expect(manager.locator("[data-chart=satisfaction][data-drawn] canvas")).to_have_count(1)
        await shot(manager, "6-manager-reports")

        # Last month's register, drawn up for signing from the site's page (the calendar does it on the 1st).
        last_month = (datetime.now(ZoneInfo("Asia/Shanghai")).date().replace(day=1) - timedelta(days=1)).strftime(
            "%Y-%m"
        )
        await manager.goto(f"/site?site_code={site}")
        await manager.select_option("#register-kind", "monthly")
        await manager.fill("#register-period", last_month)
        await manager.click("#draw-up button[type=submit]")
        await expect(manager).to_have_url(re.compile(rf"/registers/{site}-\d{{4}}-REG-\d+$"))
        register = manager.url.rsplit("/", 1)[1]

        # The customer's representative, on a phone: the ticket's documents, then signing the register.
        customer = await signed_in(browser, console, "rep.xu", PHONE)
        await expect(customer).to_have_url(re.compile(r"/site$"))

        async def documents_filed() -> bool:
            await customer.reload()
            return await customer.locator("#documents a.document").count() >= 2

        await eventually(documents_filed, timeout=30, interval=1)
        # Each document in the page's language (Chinese), and beside it the filed original (bilingual).
        pdf = await customer.request.get(
            await customer.locator("#documents a.document").first.get_attribute("href") or ""
        )
        assert (pdf.status, pdf.headers["content-type"]) == (200, "application/pdf")
        assert "阅读副本" in pdf_text(await pdf.body())
        original = await customer.request.get(
            await customer.locator("#documents a.original").first.get_attribute("href") or ""
        )
        assert (original.status, original.headers["content-type"]) == (200, "application/pdf")
        assert "Content SHA-256" in pdf_text(await original.body())
        await shot(customer, "7-customer-site-on-a-phone")
        await customer.click(f"a[href='/registers/{register}']")
        await customer.fill("#role_title", "物业工程部经理 Property engineering manager")
        pad = customer.locator("canvas.signature")
        await pad.scroll_into_view_if_needed()
        box = await pad.bounding_box()
        assert box is not None
        await customer.mouse.move(box["x"] + 20, box["y"] + 110)
        await customer.mouse.down()
        for step in range(1, 12):
            await customer.mouse.move(box["x"] + 20 + step * 22, box["y"] + 110 - (step % 3) * 35)
        await customer.mouse.up()
        await shot(customer, "8-customer-signs-the-register")
        await customer.click("#sign button[type=submit]")
        await expect(customer.locator("#signatures")).to_contain_text("徐静 Xu Jing")
        await expect(customer.locator("#sign")).to_have_count(0)

        # The mall's own ticketing system subscribed to the site's ticket events; its secret shown once.
        await customer.goto("/site")
        await customer.click(f"a[href='/hooks?site_code={site}']")
        await customer.fill("#url", "http://127.0.0.1:9/aftercare")
        await customer.fill("#event_types", "ticket.* sla.breached")
        await customer.click("#subscribe button[type=submit]")
        await expect(customer.locator("#secret")).to_have_text(re.compile(r"^whsec_"))
        await customer.goto(f"/hooks?site_code={site}")
        await expect(customer.locator("section[id^=hook-]")).to_contain_text("ticket.*, sla.breached")


async def test_an_administrator_corrects_a_contract_and_closes_an_account(world: World, browser: Browser) -> None:
    site = await fresh_site(world, inspection_plans=True)  # edited here, never visited
    await _people(world, site)
    await keep_people(world, Person("root.admin", "管理员 Admin", frozenset({Role.ADMIN})))
    async with serving(world) as urls:
        admin = await signed_in(browser, urls["console"], "root.admin", DESK)
        await expect(admin).to_have_url(re.compile(r"/admin$"))
        await admin.click("a[href^='/language/en']")
        contract = admin.locator(f"a[href^='/admin/sites/{site}/contracts/']").first
        await contract.click()
        editor = admin.locator("#text")
        terms = json.loads(await editor.input_value())
        assert terms["starts_on"] < terms["ends_on"]

        # A broken document is refused with the service's words, and what was typed is kept.
        backwards = {**terms, "ends_on": "2000-01-01"}
        await editor.fill(json.dumps(backwards))
        await admin.click("#editor button[type=submit]")
        await expect(admin.locator(".problem")).to_be_visible()
        assert json.loads(await editor.input_value())["ends_on"] == "2000-01-01"
        await editor.fill("{not json")
        await admin.click("#editor button[type=submit]")
        await expect(admin.locator(".problem")).to_contain_text("not_json")

        await editor.fill(json.dumps({**terms, "sla_policy": terms.get("sla_policy") or "standard"}))
        await admin.click("#editor button[type=submit]")
        await expect(admin.locator("#saved")).to_be_visible()

        # The site's inspection plans, each edited as dispatch takes it (here saved unchanged).
        await admin.goto(f"/plans?site_code={site}")
        await admin.locator(f"#plans a[href^='/plans/{site}/']").first.click()
        plan = json.loads(await admin.locator("#text").input_value())
        assert plan["checklist"]
        assert "next_occurrence_on" not in plan
        await admin.click("#editor button[type=submit]")
        await expect(admin.locator("#saved")).to_be_visible()

        # A message no service could read waits as a dead letter; the administrator reads why and sends it
        # back (it dies again: its cause is not fixed).
        poison = f"poison-{uuid.uuid4()}"
        await send(
            world.amqp_url, b'{"type": "ticket.opened", "payload": "half', routing_key="ticket.opened",
            message_id=poison, message_type="ticket.opened",
        )  # fmt: skip
        letter = admin.locator(f"#queue-dispatch\\.inbox\\.dead tr.letter[data-message-id='{poison}']")

        async def shown() -> bool:
            await admin.goto("/admin/dead-letters")
            return await letter.count() == 1

        await eventually(shown, timeout=30, interval=0.5, what="the poison on the dead letters page")
        await expect(letter).to_contain_text("invalid_envelope")
        await letter.locator("button").click()
        await expect(admin).to_have_url(re.compile(r"/admin/dead-letters$"))

        # The operator's account closed with one button: their next page sends them to sign in, and the
        # account opens again as it was, password and all.
        operator = await signed_in(browser, urls["console"], "op.wang", DESK)
        await admin.goto("/admin")
        await admin.click("#active-op\\.wang button")
        await expect(admin.locator("#active-op\\.wang button")).to_have_text("Open the account again")
        await operator.reload()
        await expect(operator).to_have_url(re.compile(r"/sign-in"))
        await admin.click("#active-op\\.wang button")
        await expect(admin.locator("#active-op\\.wang button")).to_have_text("Close the account")
        again = await signed_in(browser, urls["console"], "op.wang", DESK)
        await expect(again).to_have_url(re.compile(r"/calls/new$"))
