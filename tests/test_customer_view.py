"""What the customer sees, over the real broker and database with every service serving HTTP: a ticket
lives its whole life with staff-only words in it (a manager's reason for a reassignment, the arrival
check's flag, a reopening's reason, the quality desk's notes and a complaint's internal handling), and
then the site's customer's representative reads everything their token reaches, every API answer, every
document and its PDF, the ticket's timeline, and signs in to the console in Chromium and reads their
pages: none of those words is there, and what is theirs (the work done, the answer to their complaint)
is. The table of what is whose is in the README's Security section."""

from __future__ import annotations

import base64
import json
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from playwright.async_api import Browser

from services.console.domain.people import Person
from shared.identity import Role
from testkit.broker import EventTap
from testkit.browser import PHONE, chromium, keep_people, signed_in
from testkit.documents import pdf_text, signature_png
from testkit.identities import ADMIN, bearer
from testkit.sites import fresh_site
from testkit.waiting import eventually
from testkit.web import serving
from testkit.world import World

REASSIGNED_BECAUSE = "王磊在静安另一个商场处理故障"
HANDLED_INSIDE = "对当事工程师进行提醒"
FOLLOW_UP_NOTE = "desk note: customer sounded annoyed"
REOPENED_BECAUSE = "the manager reopened: fuse holder cracked"
MOVED_BECAUSE = "moved to the workshop: E02 suspects the supplier batch"
STAFF_ONLY = [
    REASSIGNED_BECAUSE,
    HANDLED_INSIDE,
    FOLLOW_UP_NOTE,
    REOPENED_BECAUSE,
    MOVED_BECAUSE,
    "arrival flagged",
    "from the site",  # the arrival check's distance
    *(f"+86 138 0000 010{n}" for n in range(1, 6)),  # the engineers' phones (deploy/demo/huaihai-138.toml)
]
SIGNED = {"name": "徐女士", "role": "duty manager", "signature_png": base64.b64encode(signature_png()).decode()}
FAR_FROM_THE_SITE = {"latitude": 31.2304, "longitude": 121.4737, "accuracy_m": 15}  # about 1 km north


async def _fault_lived_through(suite: dict[str, httpx.AsyncClient], tap: EventTap, site: str) -> str:
    dispatch = suite["dispatch"]
    reported = datetime.now(UTC) - timedelta(minutes=40)
    opened = await suite["intake"].post(
        "/requests",
        json={
            "site_code": site, "subsystem": "bgm", "asset_tag": f"{site}-BGM-AMP-01", "channel": "hotline",
            "description": "No background music in the L1 atrium", "reported_at": reported.isoformat(),
            "reporter": {"name": "Ms. Xu", "phone": "+86 21 5555 0101"},
        },
    )  # fmt: skip
    assert opened.status_code in (200, 201), opened.text
    ticket = str(opened.json()["ticket_id"])
    await tap.wait_for("ticket.assigned", ticket)
    moved = await dispatch.post(
        f"/tickets/{ticket}/assign", json={"engineer_id": f"{site}-E02", "reason": REASSIGNED_BECAUSE}
    )
    assert moved.status_code == 200, moved.text
    for minutes, action, body in (
        (5, "accept", {}),
        (20, "arrive", {"position": FAR_FROM_THE_SITE}),
        (25, "resolve", {"summary": "Fuse replaced", "confirmation": SIGNED}),
        (27, "reopen", {"reason": REOPENED_BECAUSE}),
        (35, "resolve", {"summary": "Amplifier fuse replaced", "parts": ["Fuse T3.15A"], "confirmation": SIGNED}),
    ):
        at = (reported + timedelta(minutes=minutes)).isoformat()
        answer = await dispatch.post(f"/tickets/{ticket}/{action}", json={"at": at, **body})
        assert answer.status_code == 200, answer.text
    history = (await dispatch.get(f"/tickets/{ticket}/history")).json()
    assert any("arrival flagged" in (row["note"] or "") for row in history)  # the staff do see it
    await tap.wait_for("followup.due", ticket)
    call = {"reached": True, "satisfaction": 4, "comments": FOLLOW_UP_NOTE}
    assert (await dispatch.post(f"/tickets/{ticket}/follow-up", json=call)).status_code == 200
    moved = await suite["intake"].patch(
        f"/sites/{site}/equipment/{site}-BGM-AMP-01", json={"location": "B1 workshop", "reason": MOVED_BECAUSE}
    )
    assert moved.status_code == 200, moved.text
    return ticket


async def _complaint_answered(suite: dict[str, httpx.AsyncClient], tap: EventTap, site: str) -> str:
    dispatch = suite["dispatch"]
    opened = await suite["intake"].post(
        "/requests",
        json={
            "site_code": site, "subsystem": "bgm", "channel": "hotline", "reporter": {"name": "Ms. Xu"},
            "description": "我要投诉：工程师态度不好 I want to complain about the engineer's attitude",
        },
    )  # fmt: skip
    assert opened.status_code in (200, 201), opened.text
    ticket = str(opened.json()["ticket_id"])
    [case_opened] = await tap.wait_for("quality.case_opened", ticket)
    case = case_opened["payload"]["case_id"]
    taken = await dispatch.post(f"/quality/cases/{case}/take", json={"owner": "quality.zhou"})
    assert taken.status_code == 200, taken.text
    answer = {"handling": HANDLED_INSIDE, "answer": "已向您致歉，并安排回访 Apologised; a call back is arranged"}
    answered = await dispatch.post(f"/quality/cases/{case}/answer", json=answer)
    assert answered.status_code == 200, answered.text
    return ticket


async def _everything_the_customer_reads(
    suite: dict[str, httpx.AsyncClient], site: str, tickets: list[str], customer: dict[str, str]
) -> dict[str, str]:
    """Every answer the customer's token gets for the site and its tickets, by what was asked."""
    year = datetime.now(UTC).year
    asks: list[tuple[str, str]] = [
        ("dispatch", f"/tickets?site_code={site}"),
        ("dispatch", f"/sites/{site}/reviews?year={year}"),
        ("dispatch", f"/sites/{site}/inspection-plans"),
        ("intake", f"/sites/{site}/equipment"),
        ("intake", f"/sites/{site}/contracts"),
        ("intake", f"/sites/{site}/equipment/{site}-BGM-AMP-01"),
        ("intake", f"/sites/{site}/serials"),
        ("sla", f"/clocks?site_code={site}"),
        ("sla", f"/sites/{site}/policy"),
        ("archive", f"/documents?site_code={site}&limit=500"),
        ("archive", f"/sites/{site}/catalogue"),
        ("archive", f"/sites/{site}/registers"),
    ]
    for ticket in tickets:
        asks += [
            ("dispatch", f"/tickets/{ticket}"),
            ("dispatch", f"/tickets/{ticket}/history"),
            ("dispatch", f"/tickets/{ticket}/escalations"),
            ("dispatch", f"/tickets/{ticket}/follow-up"),
            ("intake", f"/tickets/{ticket}"),
            ("sla", f"/tickets/{ticket}/clocks"),
            ("vendor", f"/tickets/{ticket}/escalations"),
            ("archive", f"/tickets/{ticket}/timeline"),
            ("archive", f"/tickets/{ticket}/photos"),
        ]
    read: dict[str, str] = {}
    for service, path in asks:
        answer: httpx.Response = await suite[service].get(path, headers=customer)
        assert answer.status_code in (200, 404), (service, path, answer.text)
        read[f"{service} {path}"] = answer.text
    listed = json.loads(read[f"archive /documents?site_code={site}&limit=500"])
    for document in listed:
        code = document["code"]
        for part in ("", "/content"):
            answer = await suite["archive"].get(f"/documents/{code}{part}", headers=customer)
            assert answer.status_code == 200, (code, part, answer.text)
            read[f"archive /documents/{code}{part}"] = answer.text
        pdf = await suite["archive"].get(f"/documents/{code}/pdf", headers=customer)
        assert pdf.status_code == 200, (code, pdf.text)
        read[f"archive /documents/{code}/pdf"] = pdf_text(pdf.content)
    return read


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    async with chromium() as launched:
        yield launched


async def test_nothing_staff_only_of_a_tickets_whole_life_reaches_its_customer(
    world: World, tap: EventTap, browser: Browser
) -> None:
    site = await fresh_site(world)
    representative = Person("rep.view", "徐静 Xu Jing", frozenset({Role.CUSTOMER}), site_code=site)
    await keep_people(world, representative)
    customer = bearer(representative.username, Role.CUSTOMER, site_code=site)
    async with serving(world) as urls, AsyncExitStack() as clients:
        suite = {
            name: await clients.enter_async_context(httpx.AsyncClient(base_url=url, headers=ADMIN, timeout=30))
            for name, url in urls.items()
        }
        fault = await _fault_lived_through(suite, tap, site)
        complaint = await _complaint_answered(suite, tap, site)
        archive = suite["archive"]

        async def filed() -> dict[str, str]:
            documents = (await archive.get("/documents", params={"site_code": site, "limit": 500})).json()
            kinds = {d["category"]: d["code"] for d in documents}
            return kinds if {"REC", "DSP", "RPT", "FUP", "CMP"} <= set(kinds) else {}

        staff_sees = await eventually(filed, timeout=60, what="the request, dispatch order, report and records filed")
        handling = pdf_text((await archive.get(f"/documents/{staff_sees['CMP']}/pdf")).content)
        assert HANDLED_INSIDE in handling  # the staff's record holds it

        read = await _everything_the_customer_reads(suite, site, [fault, complaint], customer)
        for hidden in ("DSP", "FUP"):
            answer = await archive.get(f"/documents/{staff_sees[hidden]}", headers=customer)
            assert answer.status_code == 404, (hidden, answer.text)
        read.update(await _the_customers_pages(browser, urls["console"], representative, [fault, complaint]))

    leaks = [(asked, word) for asked, text in read.items() for word in STAFF_ONLY if word in text]
    assert leaks == [], f"staff-only words the customer can read: {leaks}"
    documents = json.loads(read[f"archive /documents?site_code={site}&limit=500"])
    assert {d["category"] for d in documents} <= {"REC", "RPT", "CMP", "INS", "REG"}
    assert {"REC", "RPT", "CMP"} <= {d["category"] for d in documents}
    everything = "\n".join(read.values())
    assert "Amplifier fuse replaced" in everything  # the work done is theirs
    assert "Apologised; a call back is arranged" in everything  # and so is the answer to their complaint
    history = json.loads(read[f"dispatch /tickets/{fault}/history"])
    assert [row["action"] for row in history][:2] == ["assign", "assign"]  # who holds it, not why
    assert "Amplifier fuse replaced" in read[f"console /tickets/{fault}"]  # the page shows the work done
    device = json.loads(read[f"intake /sites/{site}/equipment/{site}-BGM-AMP-01"])
    assert device["history"][-1]["changes"]["location"][1] == "B1 workshop"  # what changed is theirs


async def _the_customers_pages(browser: Browser, console: str, person: Person, tickets: list[str]) -> dict[str, str]:
    """The text of each console page the customer reaches: their site's page, each ticket's page."""
    page = await signed_in(browser, console, person.username, PHONE)
    read = {}
    for path in ("/site", *(f"/tickets/{ticket}" for ticket in tickets)):
        answer = await page.goto(path)
        assert answer is not None, path
        assert answer.status == 200, path
        read[f"console {path}"] = await page.inner_text("body")
    await page.context.close()
    return read
