"""Every form as a reading copy (domain/reading.py): the same sheet a document is filed with, typeset in
Chinese alone and in English alone, read back with pdftotext. Headings, the form's own phrases and the
words for codes are the reader's language's; what the data holds (names, what people wrote) shows as
written. Without a reading language a sheet typesets bilingual as it always did, to the same bytes."""

from __future__ import annotations

import hashlib
import re
from dataclasses import replace
from datetime import date, timedelta

import pytest

from services.archive.domain.acceptance import Check, CheckResult, Handover, acceptance_register
from services.archive.domain.customer_copy import customer_copy
from services.archive.domain.documents import Draft
from services.archive.domain.reading import reading_words, site_name
from services.archive.domain.records import drafts_of
from services.archive.domain.registers import operation_register
from services.archive.domain.signing import sealed
from services.archive.domain.story import Site, Story
from services.archive.rendering import Reading, Renderer, Sheet
from services.archive.settings import ArchiveSettings
from services.archive.tests import test_document_set as ticket
from services.archive.tests.register_month import AMP, AT, NOV, SPK, changed, month
from services.archive.tests.test_document_words import DESCRIBED
from testkit.documents import pdf_text, signature_png

SITE = Site.known("HH138", Story(()), DESCRIBED, "Asia/Shanghai")
HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff\u3000-\u303f\uff01-\uff5e]")
DIGEST = "e" * 64
# What the sample data holds in one language or the other (what people wrote, names, plans, models):
# shown as written in either language.
DATA = re.compile(
    r"HH138[-\w]*|[0-9a-f]{64}|[0-9a-f]{12}|李娜 Li Na|活动大厅 DSP 反复重启|更换电源板 Power supply board replaced|"
    r"PSU board BLU-100-PS|BLU-100|徐女士|值班经理 duty manager|处理及时|liu\.yang|harman|电源板异响 PSU hums under load|"
    r"活动前音响故障 Sound failed before an event|现场核实并安排备机|已致歉并说明处理结果|quality\.desk|BGM monthly|"
    r"功放电源|中庭声压级|dB\(A\)|\bon\b|上海无限商业管理有限公司|王工 Wang|徐静 Xu Jing|全区广播测试|投影机亮度|偏暗|"
    r"刘洋|服务经理|代表|bosch|LBC3090|PLE-2MA240|RMA-88127|VC-000007|S-OLD|S-NEW|SHA|PDF|S/N|RMA|BGM|Ms\. Xu|"
    r"amp-power|atrium-level"
)


def _drafts() -> dict[str, tuple[Draft, dict[str, object] | None]]:
    """One draft of every form, with the content it is typeset with where that is not the draft's own."""
    found: dict[str, tuple[Draft, dict[str, object] | None]] = {}
    for event, *_ in ticket.EXPECTED:
        [draft] = drafts_of(event, ticket.STORY, SITE)
        found[draft.form] = (draft, None)
        if draft.form == "complaint_record":
            found["complaint_record_customer"] = (
                replace(draft, form="complaint_record_customer"),
                customer_copy("CMP", draft.content),
            )
    story = month()
    equipment = [changed(AMP, AT - timedelta(days=300)), changed(SPK, AT, action="updated", status=["in_service", "under_repair"])]  # fmt: skip
    openings = {opened.ticket_id: opened for opened in story.all(type(ticket.OPENED))}
    found["operation_register"] = (operation_register(SITE, DESCRIBED, NOV, equipment, story, openings, None), None)
    handover = Handover(
        date(2026, 1, 5),
        (Check("bgm", "全区广播测试", CheckResult.PASSED), Check("av", "投影机亮度", CheckResult.FAILED, "偏暗")),
        ("王工 Wang",),
        ("徐静 Xu Jing",),
    )
    acceptance = acceptance_register(SITE, DESCRIBED, handover, equipment)
    signatures = [
        {"party": "integrator", "name": "刘洋", "role": "服务经理", "signed_at": "2026-12-01T10:00:00+08:00"},
        {"party": "customer", "name": "徐静 Xu Jing", "role": "代表", "signed_at": "2026-12-01T11:00:00+08:00"},
    ]
    found["acceptance_register"] = (acceptance, sealed(acceptance.content, version=1, pdf_sha256="a" * 64, signatures=signatures))  # fmt: skip
    return found


DRAFTS = _drafts()


def _sheet(form: str, language: str | None) -> Sheet:
    draft, content = DRAFTS[form]
    shown = dict(content or draft.content)
    words = shown.get("words")
    return Sheet(
        form=draft.form, code="HH138-2026-RPT-000001", version=1, site_code=draft.site_code,
        site_name=draft.site_name if language is None else site_name(language, DESCRIBED, draft.site_name, "HH138"),
        timezone=draft.timezone, archived_at=ticket.T0, sha256=draft.sha256, content=shown,
        images={**draft.images, "signature_integrator": signature_png(), "signature_customer": signature_png()},
        reading=None if language is None else Reading(language, reading_words(language, DESCRIBED, words if isinstance(words, dict) else {}), DIGEST),
    )  # fmt: skip


@pytest.fixture(scope="module")
def renderer() -> Renderer:
    return Renderer(ArchiveSettings().font_paths)


@pytest.mark.parametrize("form", sorted(DRAFTS))
async def test_each_form_reads_in_chinese_alone_and_in_english_alone(renderer: Renderer, form: str) -> None:
    chinese = pdf_text(await renderer.pdf(_sheet(form, "zh")))
    english = pdf_text(await renderer.pdf(_sheet(form, "en")))
    assert "无限度广场" in chinese
    assert "Infinity Mall" in english
    for text in (chinese, english):
        assert DIGEST in text.replace("\n", "")  # the filed original's, at the foot
    latin = sorted(set(re.findall(r"[A-Za-z]{3,}", DATA.sub(" ", chinese))))
    assert latin == [], f"{form} in Chinese shows {latin}:\n{chinese}"
    han = [line.strip() for line in DATA.sub(" ", english).splitlines() if HAN.search(line)]
    assert han == [], f"{form} in English shows Chinese:\n{english}"
    assert re.search(r"\b[a-z]+_[a-z_]+\b", english) is None, english  # no code


async def test_a_reading_copy_words_its_codes_in_its_language(renderer: Renderer) -> None:
    chinese = re.sub(r"\s+", "", pdf_text(await renderer.pdf(_sheet("service_report", "zh"))))
    english = pdf_text(await renderer.pdf(_sheet("service_report", "en")))
    for said in ("现场服务报告", "专业AV系统", "故障/普通", "等待厂商", "阅读副本"):
        assert said in chinese, said
    for said in (
        "On-site service report",
        "Professional AV",
        "Fault / Normal",
        "Waiting for the vendor",
        "reading copy",
    ):
        assert said in english, said


async def test_a_document_filed_before_documents_carried_words_is_worded_when_read(renderer: Renderer) -> None:
    draft, _ = DRAFTS["service_request_record"]
    old = {key: value for key, value in draft.content.items() if key != "words"}
    DRAFTS["old"] = (draft, old)
    try:
        bilingual = re.sub(r"\s+", "", pdf_text(await renderer.pdf(_sheet("old", None))))
        chinese = re.sub(r"\s+", "", pdf_text(await renderer.pdf(_sheet("old", "zh"))))
        english = pdf_text(await renderer.pdf(_sheet("old", "en")))
    finally:
        del DRAFTS["old"]
    assert "fault/normal" in bilingual  # as filed: the codes
    assert ("故障/普通" in chinese, "热线电话" in chinese) == (True, True)
    assert ("Fault / Normal" in english, "Hotline" in english) == (True, True)


async def test_without_a_reading_language_a_sheet_typesets_as_filed(renderer: Renderer) -> None:
    sheet = _sheet("service_report", None)
    filed = await renderer.pdf(sheet)
    assert await renderer.pdf(replace(sheet, reading=None)) == filed
    text = pdf_text(filed)
    assert "现场服务报告" in text
    assert "On-site service report" in text
    assert "阅读副本" not in text


FILED = {
    "acceptance_register": "433e2b0a4429ae515795d40d85337ba0dd159f222ae0e44f6a3157ddeaa2d3f2",
    "complaint_record": "3f53aee42b814f5659a11d16bf460ba710674b7980d640fe7ec5fa2e59fcaa9a",
    "complaint_record_customer": "fabea9cba8dfa23bd113a82a4e5a5a0d1f79470ce2aff21e64f5059c034faf85",
    "dispatch_order": "a4e69e59d83d8660c3a30f2435e92ab1ee909ebd3f9f7b2cc4368ade389d5dc6",
    "follow_up_record": "120ced5196c028a0bc293135e5f34d58b3e8edcb9fbb92b066b6cc6d96330ec9",
    "inspection_report": "dd4f07c5839cf1ff6ea7cb157c79facef273f70385e8e616a8ab7cf46dc58a61",
    "operation_register": "c959bdb37e7f8bc95b6f0a29727733cc1c0dc77e6a6e64a8f28e96cc75479e3e",
    "rma_record": "47e89430940a4bc84dad8888320f4b3a3806e0b2c370cc62321f25252efb9159",
    "service_report": "66b92b037440e9c1b07eb2754fcd8f44b7977a4d384fea403e89128207f5d63e",
    "service_request_record": "5af8b4ddc338c610a6e845a126edbc53053826a54bd97a8583b91a3efb9a4083",
    "vendor_letter": "6decaa534ef5096ade4b5f959b1f3bd6d1b5afca8295d9cbe33381d5fd8b8e20",
}
"""Each sample's filed PDF as the forms typeset it before they had reading languages (recorded with the
typst of uv.lock and Debian's fonts-noto-cjk: another version of either changes every digest, and then
documents waiting for the typesetter would no longer typeset as if typeset when filed)."""


@pytest.mark.parametrize("form", sorted(FILED))
async def test_a_filed_document_typesets_to_the_bytes_it_did_before_reading_copies(
    renderer: Renderer, form: str
) -> None:
    assert hashlib.sha256(await renderer.pdf(_sheet(form, None))).hexdigest() == FILED[form]
