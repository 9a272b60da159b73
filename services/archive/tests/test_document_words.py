"""The documents are the Chinese customer's: their PDFs name the site and its subsystems by their Chinese
names (intake's `site.described`) and show every code they hold (kind, priority, channel, why this
engineer, pauses, a call's outcome, a register's clocks and device statuses) in Chinese words, which each
document carries as filed, so that it reads the same whenever it is typeset. A document filed before
carries none, and reads as it did."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest

from services.archive.domain.case_records import complaint_record
from services.archive.domain.customer_copy import customer_copy
from services.archive.domain.documents import Draft
from services.archive.domain.records import dispatch_order, follow_up_record, service_report, service_request_record
from services.archive.domain.registers import operation_register
from services.archive.domain.story import Site, Story
from services.archive.rendering import Renderer, Sheet
from services.archive.settings import ArchiveSettings
from services.archive.tests.register_month import AMP, AT, NOV, SPK, changed, month
from shared.contracts import (
    FollowUpRecorded,
    Priority,
    QualityCaseAnswered,
    SiteDescribed,
    SubsystemNamed,
    TicketAssigned,
    TicketPaused,
    TicketResolved,
    TicketResumed,
)
from testkit.documents import pdf_text
from testkit.samples import ticket_opened

T0 = datetime(2026, 11, 25, 1, 0, tzinfo=UTC)
DESCRIBED = SiteDescribed(
    site_code="HH138", name="Infinity Mall, 138 Huaihai Middle Road", local_name="无限度广场 淮海中路138号",
    address="138 Huaihai Middle Road", timezone="Asia/Shanghai", customer="上海无限商业管理有限公司",
    representative=None, contract_code="HH138-MC-2026",
    subsystems=[
        SubsystemNamed(code="bgm", name="Background music", local_name="BGM背景音乐系统"),
        SubsystemNamed(code="av", name="Professional AV", local_name="专业AV系统"),
    ],
)  # fmt: skip
SITE = Site.known("HH138", Story(()), DESCRIBED, "Asia/Shanghai")
OPENED = ticket_opened("HH138-20261125-0007", reported_at=T0, priority=Priority.HIGH)
ASSIGNED = TicketAssigned(
    ticket_id=OPENED.ticket_id, site_code="HH138", subsystem="bgm", engineer_id="E01", engineer_name="王伟",
    rule="subsystem_owner", assigned_at=T0 + timedelta(minutes=5), actor="dispatch",
)  # fmt: skip
PAUSED = TicketPaused(ticket_id=OPENED.ticket_id, reason="waiting_for_parts", paused_at=T0 + timedelta(hours=1))
RESUMED = TicketResumed(ticket_id=OPENED.ticket_id, resumed_at=T0 + timedelta(hours=2))
RESOLVED = TicketResolved(ticket_id=OPENED.ticket_id, engineer_id="E01", summary="更换保险丝", resolved_at=T0 + timedelta(hours=3))  # fmt: skip
CALL = FollowUpRecorded(
    ticket_id=OPENED.ticket_id, site_code="HH138", cycle=1, attempt=1, reached=True, satisfaction=5,
    caller="刘洋", called_at=T0 + timedelta(days=1), outcome="satisfied", late=False,
)  # fmt: skip
STORY = Story((OPENED, ASSIGNED, PAUSED, RESUMED, RESOLVED))
CODES = re.compile(
    r"\b(bgm|av|fault|high|hotline|subsystem_owner|dispatch|waiting_for_parts|satisfied|response|on_site|"
    r"resolution|in_service|imported|Infinity Mall)\b"
)


@pytest.fixture(scope="module")
def renderer() -> Renderer:
    return Renderer(ArchiveSettings().font_paths)


def test_the_site_is_named_in_chinese_with_its_subsystems() -> None:
    assert SITE.name == "无限度广场 淮海中路138号"
    assert SITE.subsystems == {"bgm": "BGM背景音乐系统", "av": "专业AV系统"}
    without = DESCRIBED.model_copy(update={"local_name": None, "subsystems": None})
    assert Site.known("HH138", Story(()), without, "UTC").name == "Infinity Mall, 138 Huaihai Middle Road"


@pytest.mark.parametrize(
    ("document", "words"),
    [
        (service_request_record(OPENED, SITE), ["BGM背景音乐系统", "故障 / 高", "热线电话"]),
        (dispatch_order(ASSIGNED, STORY, SITE), ["BGM背景音乐系统", "故障 / 高", "子系统负责工程师", "系统自动派工"]),
        (service_report(RESOLVED, STORY, SITE), ["BGM背景音乐系统", "故障 / 高", "等待备件"]),
        (follow_up_record(CALL, STORY, SITE), ["BGM背景音乐系统", "满意，工单关闭"]),
    ],
    ids=["request", "dispatch order", "service report", "follow-up"],
)
async def test_a_ticket_document_reads_in_chinese_without_codes(
    renderer: Renderer, document: Draft, words: list[str]
) -> None:
    read = pdf_text(await renderer.pdf(_sheet(document)))
    text = _flat(read)
    assert "无限度广场淮海中路138号" in text
    for word in words:
        assert word.replace(" ", "") in text, (word, text)
    assert CODES.search(_values(read)) is None, read


async def test_a_register_reads_in_chinese_without_codes(renderer: Renderer) -> None:
    story = month()
    equipment = [
        changed(AMP, AT - timedelta(days=300)),
        changed(SPK, AT - timedelta(days=300)),
        changed(SPK, AT, action="updated", status=["in_service", "under_repair"]),
    ]
    openings = {opened.ticket_id: opened for opened in story.all(type(OPENED))}
    draft = operation_register(SITE, DESCRIBED, NOV, equipment, story, openings, None)
    read = pdf_text(await renderer.pdf(_sheet(draft)))
    text = _flat(read)
    for word in ("无限度广场淮海中路138号", "BGM背景音乐系统", "故障", "投诉", "响应", "到场", "修复", "在用", "修改",
                 "状态:在用→维修中"):  # fmt: skip
        assert word in text, (word, text)
    assert CODES.search(_values(read)) is None, read


async def test_a_document_filed_before_documents_carried_words_reads_as_it_did(renderer: Renderer) -> None:
    filed = service_request_record(OPENED, Site("HH138", OPENED.site_name, "Asia/Shanghai"))
    content = {key: value for key, value in filed.content.items() if key != "words"}
    text = _flat(pdf_text(await renderer.pdf(_sheet(filed, content=content))))
    assert "fault/high" in text
    assert "hotline" in text


def test_the_customers_copy_carries_no_words_for_the_fields_it_leaves_out() -> None:
    answered = QualityCaseAnswered(
        case_id=1, ticket_id=OPENED.ticket_id, site_code="HH138", origin="complaint", severity="high",
        owner="quality", handling="called back", answer="已致歉", escalated_to="general_manager",
        answered_at=T0 + timedelta(days=2),
    )  # fmt: skip
    record = complaint_record(answered, STORY, SITE)
    assert set(record.content["words"]) >= {"origin", "severity", "escalated_to", "subsystem"}
    copy = customer_copy("CMP", record.content)
    assert set(copy["words"]) == {"subsystem", "kind", "priority"}


def _sheet(draft: Draft, content: dict[str, object] | None = None) -> Sheet:
    return Sheet(
        form=draft.form, code="HH138-2026-REC-000007", version=1, site_code=draft.site_code,
        site_name=draft.site_name, timezone=draft.timezone, archived_at=T0, sha256=draft.sha256,
        content=content or draft.content, images=draft.images,
    )  # fmt: skip


def _flat(text: str) -> str:
    """The PDF's text without the spaces and line breaks pdftotext puts between runs of script."""
    return re.sub(r"\s+", "", text)


def _values(text: str) -> str:
    """The PDF's text without the ticket's and document's codes (HH138-...) and the hashes, where a code
    may legitimately appear."""
    return re.sub(r"HH138[-\w]*|[0-9a-f]{64}", "", text)
