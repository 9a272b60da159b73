"""Reading copies over the real broker and database: `GET /documents/{code}/pdf?lang=zh|en` typesets a
document in its reader's language alone (headings, the words for its codes, the site's and subsystems'
names), read back with pdftotext; its foot names the filed original's SHA-256. The filed PDF stays as it
was, byte for byte, and its content's digest is the one `document.archived` announced. An unknown
language is a 422 problem; a customer gets reading copies of their kinds of documents only, and of the
complaint record its customer copy."""

from __future__ import annotations

import base64
import hashlib
import re
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from services.archive.verification import verify_chains
from shared.contracts import (
    CustomerConfirmation,
    FollowUpRecorded,
    QualityCaseAnswered,
    SiteDescribed,
    SubsystemNamed,
    TicketAssigned,
    TicketPaused,
    TicketResolved,
    TicketResumed,
    seal,
)
from shared.identity import Role
from shared.persistence.database import create_engine
from testkit.broker import send_envelopes
from testkit.documents import pdf_images, pdf_text, signature_png
from testkit.identities import bearer
from testkit.in_process import running
from testkit.samples import opened_envelope
from testkit.waiting import eventually
from testkit.world import World

CATEGORIES = {"REC", "DSP", "RPT", "FUP", "CMP"}
HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff\u3000-\u303f\uff01-\uff5e]")
WORD = re.compile(r"[A-Za-z]{3,}")
DIGEST = re.compile(r"[0-9a-f]{64}")
# What people wrote (in Chinese) and the names the data holds: shown as written in either language.
WRITTEN = ("功放无声，指示灯不亮", "王磊", "更换保险丝", "保险丝", "徐静", "物业经理", "很快修好了", "刘洋")
HANDLING, ANSWER = "现场核实并安排备机", "已致歉并说明处理结果"
# Latin letters a Chinese copy shows as data or as a proper noun: the digest's and the format's names.
LATIN = {"sha", "pdf"}


@dataclass(frozen=True)
class Filed:
    site: str
    ticket: str
    codes: dict[str, str]  # category -> code
    archived: dict[str, str]  # code -> the content's SHA-256 that document.archived announced
    staff: dict[str, str]
    customer: dict[str, str]


@pytest.fixture(scope="module")
async def archive(seeded: World) -> AsyncIterator[httpx.AsyncClient]:
    async with running(seeded, "archive") as suite:
        yield suite["archive"].http


@pytest.fixture(scope="module")
async def filed(seeded: World, archive: httpx.AsyncClient) -> Filed:
    site = f"R{uuid.uuid4().hex[:6].upper()}"
    ticket = f"{site}-20261125-0001"
    now = datetime(2026, 11, 25, 2, 0, tzinfo=UTC)
    described = SiteDescribed(
        site_code=site, name="Reading Plaza", local_name="阅读广场", address="1 Reading Road",
        timezone="Asia/Shanghai", customer="Reading Plaza Ltd", representative=None, contract_code=None,
        subsystems=[SubsystemNamed(code="bgm", name="Background music", local_name="背景音乐系统")],
    )  # fmt: skip
    opened = opened_envelope(
        ticket, site_code=site, site_name="阅读广场", reported_at=now, description=WRITTEN[0],
        reporter={"name": "徐静", "phone": "021-5555-0138"},
    )  # fmt: skip
    events = [
        TicketAssigned(
            ticket_id=ticket, site_code=site, subsystem="bgm", engineer_id="E01", engineer_name="王磊",
            rule="subsystem_owner", actor="dispatch", assigned_at=now + timedelta(minutes=1),
        ),
        TicketPaused(ticket_id=ticket, reason="waiting_for_parts", paused_at=now + timedelta(minutes=40)),
        TicketResumed(ticket_id=ticket, resumed_at=now + timedelta(minutes=60)),
        TicketResolved(
            ticket_id=ticket, engineer_id="E01", summary="更换保险丝", parts=["保险丝"],
            resolved_at=now + timedelta(minutes=90),
            confirmation=CustomerConfirmation(
                name="徐静", role="物业经理", signature_png=base64.b64encode(signature_png()).decode()
            ),
        ),
        FollowUpRecorded(
            ticket_id=ticket, site_code=site, cycle=1, attempt=1, reached=True, satisfaction=5, comments="很快修好了",
            caller="刘洋", called_at=now + timedelta(hours=3), outcome="satisfied", late=False,
        ),
        QualityCaseAnswered(
            case_id=uuid.uuid4().int % 2_000_000_000, site_code=site, ticket_id=ticket, origin="complaint",
            severity="high", owner="刘洋", handling=HANDLING, answer=ANSWER, escalated_to="general_manager",
            answered_at=now + timedelta(hours=4),
        ),
    ]  # fmt: skip
    await send_envelopes(
        seeded.amqp_url,
        [
            seal(described, producer="intake", correlation_id=site),
            opened,
            *(seal(e, producer="dispatch", correlation_id=ticket) for e in events),
        ],
    )

    async def all_filed() -> dict[str, str]:
        listed = (await archive.get("/documents", params={"ticket_id": ticket})).json()
        codes = {document["category"]: document["code"] for document in listed}
        assert set(codes) == CATEGORIES, codes
        return codes

    async def all_announced() -> dict[str, str]:
        rows = (await archive.get(f"/tickets/{ticket}/timeline")).json()
        announced = {
            r["payload"]["document_code"]: r["payload"]["sha256"] for r in rows if r["type"] == "document.archived"
        }
        assert len(announced) == len(CATEGORIES)
        return announced

    codes = await eventually(all_filed, timeout=30)
    return Filed(
        site=site,
        ticket=ticket,
        codes=codes,
        archived=await eventually(all_announced, timeout=30),
        staff=bearer("zhao.min", Role.MANAGER),
        customer=bearer("xu.jing", Role.CUSTOMER, site_code=site),
    )


async def _pdf(archive: httpx.AsyncClient, code: str, headers: dict[str, str], **params: str) -> httpx.Response:
    answer = await archive.get(f"/documents/{code}/pdf", params=params, headers=headers)
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"] == "application/pdf"
    return answer


def _as_is(text: str, filed: Filed) -> str:
    """The text without what any language shows as written: codes, digests, people's words and names."""
    for value in sorted({*filed.codes.values(), filed.ticket, *WRITTEN, HANDLING, ANSWER}, key=len, reverse=True):
        text = text.replace(value, " ")
    return DIGEST.sub(" ", re.sub(rf"{filed.site}[-\w]*", " ", text))


@pytest.mark.parametrize("category", sorted(CATEGORIES))
async def test_a_reading_copy_reads_in_its_language_alone(
    archive: httpx.AsyncClient, filed: Filed, category: str
) -> None:
    code = filed.codes[category]
    original = await _pdf(archive, code, filed.staff)
    digest = hashlib.sha256(original.content).hexdigest()
    chinese = await _pdf(archive, code, filed.staff, lang="zh")
    english = await _pdf(archive, code, filed.staff, lang="en")
    assert (chinese.headers["content-language"], english.headers["content-language"]) == ("zh", "en")
    zh, en = pdf_text(chinese.content), pdf_text(english.content)

    for text in (zh, en):
        assert code in text
        assert digest in text.replace("\n", ""), f"the copy does not name its filed original's digest:\n{text}"
    assert "阅读广场" in zh
    assert "阅读副本" in zh
    assert "Reading Plaza" in en
    assert "reading copy" in en
    english_words = sorted({w for w in WORD.findall(_as_is(zh, filed)) if w.lower() not in LATIN})
    assert english_words == [], f"{category} in Chinese shows English {english_words}:\n{zh}"
    chinese_lines = [line for line in _as_is(en, filed).splitlines() if HAN.search(line)]
    assert chinese_lines == [], f"{category} in English shows Chinese:\n{en}"
    assert re.search(r"\b[a-z]+_[a-z_]+\b", _as_is(en, filed)) is None, en  # no code


async def test_the_reading_copies_word_the_codes_and_name_the_site_in_each_language(
    archive: httpx.AsyncClient, filed: Filed
) -> None:
    report = filed.codes["RPT"]
    signed = len(pdf_images((await _pdf(archive, report, filed.staff)).content))
    assert len(pdf_images((await _pdf(archive, report, filed.staff, lang="en")).content)) == signed > 0  # as drawn
    zh = re.sub(r"\s+", "", pdf_text((await _pdf(archive, report, filed.staff, lang="zh")).content))
    en = pdf_text((await _pdf(archive, report, filed.staff, lang="en")).content)
    for said in ("现场服务报告", "背景音乐系统", "故障/普通", "客户确认", "签字"):
        assert said in zh, (said, zh)
    for said in ("On-site service report", "Background music", "Fault / Normal", "Signature"):
        assert said in en, (said, en)
    follow_up = pdf_text((await _pdf(archive, filed.codes["FUP"], filed.staff, lang="en")).content)
    assert "Satisfied: ticket closed" in follow_up
    assert "Yes" in follow_up


async def test_the_filed_pdf_stays_as_filed(seeded: World, archive: httpx.AsyncClient, filed: Filed) -> None:
    world = seeded
    for category, code in filed.codes.items():
        before = await _pdf(archive, code, filed.staff)
        for language in ("zh", "en"):
            copy = await _pdf(archive, code, filed.staff, lang=language)
            assert copy.content != before.content
            assert copy.headers["etag"] == f'"{hashlib.sha256(copy.content).hexdigest()}"'
        after = await _pdf(archive, code, filed.staff)
        assert after.content == before.content, category
        assert after.headers["etag"] == f'"{hashlib.sha256(after.content).hexdigest()}"'
        [listed] = [
            d for d in (await archive.get("/documents", params={"ticket_id": filed.ticket})).json() if d["code"] == code
        ]
        assert listed["pdf_sha256"] == hashlib.sha256(after.content).hexdigest()  # the chain's digest
        assert listed["sha256"] == filed.archived[code]  # the content's, as document.archived said
        text = pdf_text(after.content)
        assert ("内容摘要 Content SHA-256" in text, "阅读副本" in text) == (True, False)  # bilingual, as filed
    engine = create_engine(world.database_url, pool_size=1)
    try:
        async with engine.connect() as connection:
            [verified] = (await verify_chains(connection, filed.site)).values()
    finally:
        await engine.dispose()
    assert (verified.links, verified.first_break) == (len(filed.codes), None)  # the chain, unbroken


@pytest.mark.parametrize("lang", ["fr", "ZH", "", "zh-CN"])
async def test_an_unknown_language_is_a_problem(archive: httpx.AsyncClient, filed: Filed, lang: str) -> None:
    answer = await archive.get(f"/documents/{filed.codes['REC']}/pdf", params={"lang": lang}, headers=filed.staff)
    assert answer.status_code == 422, answer.text
    assert answer.headers["content-type"].startswith("application/problem+json")
    assert answer.json()["status"] == 422


async def test_a_customer_gets_reading_copies_of_their_documents_only(archive: httpx.AsyncClient, filed: Filed) -> None:
    for category, code in filed.codes.items():
        answer = await archive.get(f"/documents/{code}/pdf", params={"lang": "en"}, headers=filed.customer)
        assert answer.status_code == (200 if category in {"REC", "RPT", "CMP"} else 404), (category, answer.text)

    record = filed.codes["CMP"]
    theirs = await _pdf(archive, record, filed.customer)  # the customer's copy, as their "original"
    for language, title in (("zh", "投诉处理记录（客户副本）"), ("en", "Complaint handling record, customer's copy")):
        text = pdf_text((await _pdf(archive, record, filed.customer, lang=language)).content)
        assert title in text, text
        assert ANSWER in text
        for internal in (HANDLING, "刘洋", "General manager", "总经理", "Handling", "处理过程", "Severity", "严重程度"):
            assert internal not in text, f"the customer's {language} copy shows {internal!r}:\n{text}"
        assert hashlib.sha256(theirs.content).hexdigest() in text.replace("\n", "")
    staff = pdf_text((await _pdf(archive, record, filed.staff, lang="en")).content)
    assert HANDLING in staff
    assert "General manager" in staff
