"""Every word a person reads is in the language they chose: a ticket's whole life in a real browser
(Debian's Chromium) against the whole suite, once in Chinese (the default) and once in English (the
console's language link). The operator takes the call; the manager reads the board and the ticket's page;
the engineer's phone accepts, arrives, pauses, resumes and resolves with the customer's signature; the
manager records the follow-up call; the customer's representative reads their site's page and the
ticket's; and the PDFs of the ticket's documents are read back (pdftotext) as the ticket's page links them:
reading copies in the page's language, each beside a link to its filed (bilingual) original.

Read in Chinese, no page and no PDF shows a code of the suite's vocabularies (`fault`, `normal`,
`awaiting_assignment`, `subsystem_owner` ...) nor an English word, but for the names and identifiers the
data holds (ticket numbers, document codes, the site's devices, models and serials, people's names and
accounts) and a few proper nouns. Read in English, none shows a Chinese character but in what people
wrote in Chinese (the test writes its texts in Chinese), nor a code with an underscore in it."""

from __future__ import annotations

import hashlib
import re
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import httpx
import pytest
from playwright.async_api import Browser, Page, expect

from services.console.domain.people import Person
from shared.identity import Role
from testkit.browser import ARTIFACTS, DESK, PHONE, chromium, keep_people, signed_in
from testkit.documents import pdf_text
from testkit.identities import bearer
from testkit.sites import fresh_site
from testkit.waiting import eventually
from testkit.web import serving
from testkit.words import PROPER, chinese_faults, english_faults, site_data, suite_codes
from testkit.world import World

pytestmark = pytest.mark.timeout(120)
NEAR_THE_ENTRANCE = {"latitude": 31.2197, "longitude": 121.4734, "accuracy": 20}  # deploy/demo/huaihai-138.toml
MANAGER = bearer("mgr", Role.MANAGER)
FAST_DISPATCH = {"recurring_interval_seconds": 0.5}
PEOPLE = (
    Person("op.wang", "王芳", frozenset({Role.OPERATOR})),
    Person("mgr.liu", "刘洋", frozenset({Role.MANAGER})),
    Person("wang.lei", "王磊", frozenset({Role.ENGINEER})),
    Person("rep.xu", "徐静", frozenset({Role.CUSTOMER})),
)
# What people write in this test, in Chinese as they would: shown as written in either language.
TYPED = ("商场值班经理", "021-5555-0138", "更换功放保险丝", "保险丝", "徐静", "物业工程部经理", "很快修好了")


@dataclass
class Read:
    """What one person read in one language: each page's visible text, by what it was."""

    language: str
    texts: dict[str, str] = field(default_factory=dict)
    typed: list[str] = field(default_factory=list)  # what people wrote beside TYPED

    async def page(self, what: str, page: Page) -> None:
        await page.wait_for_load_state("domcontentloaded")
        self.texts[f"{what} ({page.url})"] = await page.inner_text("body")


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    async with chromium() as launched:
        yield launched


async def _person(browser: Browser, console: str, username: str, language: str, **context: object) -> Page:
    page = await signed_in(browser, console, username, PHONE if username in ("wang.lei", "rep.xu") else DESK, **context)
    if language == "en":
        await page.click("a[href^='/language/en']")
        await expect(page.locator("html")).to_have_attribute("lang", "en")
    return page


async def _status(dispatch: httpx.AsyncClient, ticket: str, status: str) -> None:
    async def reached() -> bool:
        return (await dispatch.get(f"/tickets/{ticket}")).json().get("status") == status

    await eventually(reached, timeout=20, interval=0.2, what=f"the ticket {status}")


async def _ready(phone: Page) -> None:
    """The phone's page with its script running (which sends what the forms keep)."""
    await expect(phone.locator("#online-state")).not_to_be_empty()


async def _sign(page: Page, pad_selector: str) -> None:
    pad = page.locator(pad_selector)
    await pad.scroll_into_view_if_needed()
    box = await pad.bounding_box()
    assert box is not None
    await page.mouse.move(box["x"] + 20, box["y"] + 60)
    await page.mouse.down()
    for step in range(1, 10):
        await page.mouse.move(box["x"] + 20 + step * 25, box["y"] + 60 - (step % 3) * 20)
    await page.mouse.up()


async def _life(browser: Browser, urls: dict[str, str], site: str, language: str) -> tuple[Read, str, list[str]]:
    """A ticket's whole life read in one language; (what was read, the ticket, its documents' codes)."""
    console = urls["console"]
    read = Read(language)
    operator = await _person(browser, console, "op.wang", language)
    await read.page("the operator's form", operator)
    await operator.select_option("#site_code", site)
    await operator.select_option("#subsystem", "bgm")
    await expect(operator.locator("#asset_tag option")).not_to_have_count(1)
    await operator.select_option("#asset_tag", f"{site}-BGM-AMP-01")
    await operator.fill("#reporter_name", "商场值班经理")
    await operator.fill("#reporter_phone", "021-5555-0138")
    description = f"B1 层背景音乐没有声音，功放指示灯不亮 {uuid.uuid4().int % 1_000_000}"
    read.typed.append(description)
    await operator.fill("#description", description)
    await expect(operator.locator("#suggested [data-kind]")).to_have_attribute("data-kind", "fault")
    await read.page("the operator's form with its suggestion", operator)
    await operator.click("#call button[type=submit]")
    number = operator.locator("#ticket-number")
    await expect(number).to_have_text(re.compile(rf"^{site}-\d{{8}}-\d{{4}}$"))
    ticket = (await number.text_content() or "").strip()
    await read.page("the operator's receipt", operator)

    async with httpx.AsyncClient(base_url=urls["dispatch"], headers=MANAGER) as dispatch:
        await _status(dispatch, ticket, "assigned")
        manager = await _person(browser, console, "mgr.liu", language)
        await manager.goto(f"/board?site_code={site}")  # the session's other tests keep theirs open elsewhere
        await expect(manager.locator(f"#row-{ticket}")).to_be_visible(timeout=20_000)
        await read.page("the manager's board", manager)
        await manager.goto(f"/tickets/{ticket}")
        await read.page("the ticket's page, assigned", manager)

        phone = await _person(
            browser, console, "wang.lei", language, geolocation=NEAR_THE_ENTRANCE, permissions=["geolocation"]
        )
        await read.page("the engineer's work", phone)
        await phone.goto(f"/field/tickets/{ticket}")
        await _ready(phone)
        await read.page("the engineer's ticket", phone)
        for action, status in (("accept", "accepted"), ("arrive", "on_site"), ("pause", "paused")):
            await phone.click(f"#{action} button")
            await _status(dispatch, ticket, status)
        await phone.goto(f"/field/tickets/{ticket}")
        await _ready(phone)
        await read.page("the engineer's ticket, paused", phone)
        await phone.click("#resume button")
        await _status(dispatch, ticket, "on_site")
        await phone.fill("#summary", "更换功放保险丝")
        await phone.fill("#parts", "保险丝\n")
        await phone.fill("#customer_name", "徐静")
        await phone.fill("#customer_role", "物业工程部经理")
        await _sign(phone, "#resolve canvas.signature")
        await phone.click("#resolve button[type=submit]")
        await _status(dispatch, ticket, "resolved")
        await phone.goto("/field/")
        await read.page("the engineer's work, done", phone)

        await manager.goto(f"/tickets/{ticket}")
        await read.page("the ticket's page, resolved", manager)
        await manager.goto(f"/follow-ups?site_code={site}")  # the calls of this test's site, not the session's
        call = manager.locator(f"section[id='{ticket}']")
        await expect(call).to_be_visible(timeout=20_000)
        await read.page("the follow-up calls", manager)
        await call.locator("select[name=satisfaction]").select_option("5")
        await call.locator("textarea[name=comments]").fill("很快修好了")
        await call.locator("button[type=submit]").click()
        await expect(call.locator(".outcome")).to_have_attribute("data-outcome", "satisfied")
        await read.page("the follow-up call recorded", manager)
        await _status(dispatch, ticket, "closed")

    # The documents filed for the ticket, linked from its page once typeset: each in the page's language,
    # with its filed original beside it.
    records = manager.locator("#records a.document[href$='.pdf']")
    originals = manager.locator("#records a.original[href$='/original.pdf']")

    async def filed() -> bool:
        await manager.goto(f"/tickets/{ticket}")
        return await records.count() >= 4  # request record, dispatch order, service report, follow-up record

    await eventually(filed, timeout=30, interval=1, what="the ticket's documents filed")
    await read.page("the ticket's page, closed", manager)
    links = [await records.nth(n).get_attribute("href") or "" for n in range(await records.count())]
    assert await originals.count() == len(links)
    for link in links:
        pdf = await manager.request.get(link)
        assert (pdf.status, pdf.headers["content-type"]) == (200, "application/pdf")
        read.texts[f"the PDF {link}"] = pdf_text(await pdf.body())
        original = await manager.request.get(link.removesuffix(".pdf") + "/original.pdf")
        assert (original.status, original.headers["content-type"]) == (200, "application/pdf")
        digest = hashlib.sha256(await original.body()).hexdigest()
        assert digest in read.texts[f"the PDF {link}"].replace("\n", ""), "the copy names its original's SHA-256"

    customer = await _person(browser, console, "rep.xu", language)
    await read.page("the customer's site", customer)
    await customer.goto(f"/tickets/{ticket}")
    await read.page("the customer's ticket", customer)
    for opened in (operator, manager, phone, customer):
        await opened.context.close()
    return read, ticket, [link.rsplit("/", 1)[1].removesuffix(".pdf") for link in links]


def _kept(read: Read) -> None:
    """What was read, kept beside the screenshots for whoever looks at a failure."""
    folder = ARTIFACTS / "words" / read.language
    folder.mkdir(parents=True, exist_ok=True)
    for n, (what, text) in enumerate(read.texts.items()):
        (folder / f"{n:02}.txt").write_text(f"{what}\n\n{text}")


async def _other_sites_names(urls: dict[str, str], site: str) -> set[str]:
    """What the session's other tests loaded, as the pages that list every site or engineer show it: the
    sites' codes and names, the engineers' ids and names (their site files give some in English alone)."""
    async with httpx.AsyncClient(headers=MANAGER) as http:
        sites = (await http.get(f"{urls['intake']}/sites")).json()
        engineers = (await http.get(f"{urls['dispatch']}/engineers")).json()
    named = {
        value
        for other in sites
        if other["code"] != site
        for value in (other["code"], other["name"], other.get("local_name"))
        if value
    }
    return named | {value for e in engineers if e["engineer_id"].split("-")[0] != site
                    for value in (e["engineer_id"], e["name"]) if value}  # fmt: skip


async def test_a_tickets_whole_life_reads_in_chinese_and_then_in_english(world: World, browser: Browser) -> None:
    site = await fresh_site(world)
    await keep_people(
        world,
        *(
            Person(
                p.username,
                p.name,
                p.roles,
                site_code=site if Role.CUSTOMER in p.roles else None,
                engineer_id=f"{site}-E01" if Role.ENGINEER in p.roles else None,
            )
            for p in PEOPLE
        ),
    )
    identifiers, words = site_data(site)
    codes = suite_codes()
    async with serving(world, dispatch=FAST_DISPATCH) as urls:
        chinese, ticket_zh, documents_zh = await _life(browser, urls, site, "zh")
        english, ticket_en, documents_en = await _life(browser, urls, site, "en")
        others = await _other_sites_names(urls, site)
    _kept(chinese)
    _kept(english)
    people = [text for p in PEOPLE for text in (p.username, p.name)]
    shown_as_is = sorted(
        {
            ticket_zh,
            ticket_en,
            *documents_zh,
            *documents_en,
            *identifiers,
            *people,
            *TYPED,
            *chinese.typed,
            *english.typed,
            *others,
        },
        key=len,
        reverse=True,
    )
    faults = chinese_faults(chinese.texts, shown_as_is, words | PROPER, codes)
    faults += english_faults(english.texts, shown_as_is)
    assert faults == [], "\n".join(faults)
