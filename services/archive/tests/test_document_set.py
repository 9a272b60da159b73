"""Every document of a ticket's life and of the cases beside it, drawn from the archive's story of the
ticket and typeset: which event makes which document under which category and source, what each
says, and that its PDF reads back in Chinese with its own figures."""

from __future__ import annotations

import base64
from datetime import UTC, date, datetime, timedelta

import pytest

from services.archive.domain.documents import Category, Draft
from services.archive.domain.records import drafts_of, makes_documents, needs_the_opening
from services.archive.domain.story import Site, Story
from services.archive.rendering import Renderer, Sheet
from services.archive.settings import ArchiveSettings
from shared.contracts import (
    Agreement,
    Contact,
    CustomerConfirmation,
    DeviceRef,
    DeviceSwapped,
    Event,
    FollowUpRecorded,
    InspectionItemResult,
    InspectionVisitCompleted,
    QualityCaseAnswered,
    QualityCaseOpened,
    TicketAccepted,
    TicketAssigned,
    TicketEscalationNeeded,
    TicketOnSite,
    TicketPaused,
    TicketResolved,
    TicketResumed,
    VendorEscalationSent,
)
from testkit.documents import pdf_text, signature_png
from testkit.samples import ticket_opened

T0 = datetime(2026, 11, 25, 1, 0, tzinfo=UTC)  # 09:00 in Shanghai
TICKET = "HH138-20261125-0042"
SITE = Site("HH138", "Infinity Mall, 138 Huaihai Middle Road", "Asia/Shanghai")
DSP = DeviceRef(asset_tag="HH138-AV-DSP-01", model="BLU-100", manufacturer="harman", serial_number="S-OLD")


def _at(minutes: int) -> datetime:
    return T0 + timedelta(minutes=minutes)


OPENED = ticket_opened(TICKET, subsystem="av", device=DSP, description="活动大厅 DSP 反复重启", reported_at=T0)
ASSIGNED = TicketAssigned(
    ticket_id=TICKET,
    site_code="HH138",
    subsystem="av",
    engineer_id="E02",
    engineer_name="李娜 Li Na",
    rule="subsystem_owner",
    assigned_at=_at(1),
)
RESOLVED = TicketResolved(
    ticket_id=TICKET,
    engineer_id="E02",
    summary="更换电源板 Power supply board replaced",
    resolved_at=_at(150),
    parts=["PSU board BLU-100-PS"],
    confirmation=CustomerConfirmation(
        name="徐女士", role="值班经理 duty manager", signature_png=base64.b64encode(signature_png()).decode()
    ),
)
NEEDED = TicketEscalationNeeded(
    ticket_id=TICKET,
    site_code="HH138",
    subsystem="av",
    device=DSP,
    vendor_code="harman",
    reason="repair",
    requested_at=_at(60),
    escalation_id=f"{TICKET}-V1",
    findings="电源板异响 PSU hums under load",
    engineer=Contact(name="李娜 Li Na", phone="+86 138 0000 0002"),
)
SENT = VendorEscalationSent(
    case_number="VC-000007",
    escalation_id=f"{TICKET}-V1",
    ticket_id=TICKET,
    partner="harman",
    reason="repair",
    site_code="HH138",
    timezone="Asia/Shanghai",
    asset_tag="HH138-AV-DSP-01",
    agreement=Agreement(acknowledge_hours=4, on_site_hours=24, repair_working_days=10, replacement_days=5),
    agreement_version=2,
    sent_at=_at(61),
)
SWAPPED = DeviceSwapped(
    ticket_id=TICKET,
    site_code="HH138",
    asset_tag="HH138-AV-DSP-01",
    old_serial_number="S-OLD",
    new_serial_number="S-NEW",
    new_warranty_until=date(2028, 11, 30),
    rma_number="RMA-88127",
    case_number="VC-000007",
    engineer_id="E02",
    swapped_at=_at(140),
)
CALL = FollowUpRecorded(
    ticket_id=TICKET,
    site_code="HH138",
    cycle=1,
    attempt=1,
    reached=True,
    satisfaction=4,
    comments="处理及时",
    caller="liu.yang",
    called_at=_at(60 * 24),
    outcome="satisfied",
    late=False,
)
COMPLAINT = QualityCaseOpened(
    case_id=12,
    site_code="HH138",
    ticket_id=TICKET,
    origin="complaint",
    severity="high",
    summary="活动前音响故障 Sound failed before an event",
    opened_at=_at(5),
)
ANSWERED = QualityCaseAnswered(
    case_id=12,
    site_code="HH138",
    ticket_id=TICKET,
    origin="complaint",
    severity="high",
    owner="quality.desk",
    handling="现场核实并安排备机",
    answer="已致歉并说明处理结果",
    escalated_to="general_manager",
    answered_at=_at(60 * 26),
)
VISIT = InspectionVisitCompleted(
    visit_id="HH138-BGM-M-20261207",
    plan_code="HH138-BGM-M",
    site_code="HH138",
    subsystem="bgm",
    title="BGM monthly",
    scheduled_on=date(2026, 12, 7),
    engineer_id="E01",
    completed_at=datetime(2026, 12, 7, 2, 0, tzinfo=UTC),
    late=False,
    results=[
        InspectionItemResult(code="amp-power", text="功放电源", kind="check", passed=True, expected="on", failed=False),
        InspectionItemResult(
            code="atrium-level",
            text="中庭声压级",
            kind="measure",
            value=61,
            unit="dB(A)",
            expected="65 to 78 dB(A)",
            failed=True,
        ),
    ],
    faults_reported=1,
)
STORY = Story(
    (
        OPENED,
        ASSIGNED,
        TicketAccepted(ticket_id=TICKET, engineer_id="E02", accepted_at=_at(3)),
        COMPLAINT,
        NEEDED,
        SENT,
        TicketPaused(ticket_id=TICKET, reason="waiting_for_vendor", paused_at=_at(62)),
        TicketResumed(ticket_id=TICKET, resumed_at=_at(130)),
        TicketOnSite(ticket_id=TICKET, engineer_id="E02", arrived_at=_at(40)),
        SWAPPED,
        RESOLVED,
        CALL,
        ANSWERED,
    )
)

# Each event that makes a document: its category, its source, and what its PDF must say.
EXPECTED: list[tuple[Event, Category, str, list[str]]] = [
    (OPENED, Category.RECORD, "ticket.opened", ["服务请求记录单", "活动大厅 DSP 反复重启"]),
    (ASSIGNED, Category.DISPATCH_ORDER, "ticket.assigned:E02", ["派工单", "李娜 Li Na", "2026-11-25 09:01"]),
    (
        RESOLVED,
        Category.REPORT,
        "ticket.resolved:1",
        ["现场服务报告", "更换电源板", "PSU board BLU-100-PS", "徐女士", "2026-11-25 09:40", "等待厂商"],
    ),
    (CALL, Category.FOLLOW_UP, "followup.recorded:1:1", ["客户回访记录单", "4/5", "处理及时", "liu.yang"]),
    (ANSWERED, Category.COMPLAINT, "quality.case_answered:12", ["投诉处理记录", "活动前音响故障", "已致歉"]),
    (SENT, Category.VENDOR, "vendor.escalation.sent:VC-000007", ["厂家升级函", "VC-000007", "电源板异响", "10"]),
    (SWAPPED, Category.VENDOR, "device.swapped:RMA-88127:S-NEW", ["RMA-88127", "S-OLD", "S-NEW", "2028-11-30"]),
    (VISIT, Category.INSPECTION, "inspection.visit_completed:HH138-BGM-M-20261207", ["巡检报告", "61", "不合格"]),
]


@pytest.fixture(scope="module")
def renderer() -> Renderer:
    return Renderer(ArchiveSettings().font_paths)


@pytest.mark.parametrize(("event", "category", "source", "says"), EXPECTED, ids=[e[2].split(":")[0] for e in EXPECTED])
async def test_each_step_makes_its_document(
    renderer: Renderer, event: Event, category: Category, source: str, says: list[str]
) -> None:
    [draft] = drafts_of(event, STORY, SITE)
    assert makes_documents(event)  # what lets the archive read nothing for the events that make none
    assert (draft.category, draft.source, draft.site_code, draft.year) == (category, source, "HH138", 2026)
    assert draft.ticket_id == (None if isinstance(event, InspectionVisitCompleted) else TICKET)
    text = pdf_text(await renderer.pdf(_sheet(draft)))
    missing = [phrase for phrase in says if phrase not in text]
    assert missing == [], f"{draft.form} lacks {missing}:\n{text}"


def test_the_service_report_tells_the_work_in_the_sites_time() -> None:
    [report] = drafts_of(RESOLVED, STORY, SITE)
    content = report.content
    assert content["times"] == {
        "reported": "2026-11-25T09:00:00+08:00",
        "accepted": "2026-11-25T09:03:00+08:00",
        "arrived": "2026-11-25T09:40:00+08:00",
        "resolved": "2026-11-25T11:30:00+08:00",
    }
    assert content["pauses"] == [
        {"reason": "waiting_for_vendor", "from": "2026-11-25T10:02:00+08:00", "to": "2026-11-25T11:10:00+08:00"}
    ]
    assert content["engineer"] == {"id": "E02", "name": "李娜 Li Na"}
    assert report.images["signature"] == signature_png()  # the signature is shown as drawn


def test_a_swap_without_an_rma_makes_no_document_and_a_loaner_needs_no_opening() -> None:
    loaner = SWAPPED.model_copy(update={"rma_number": None, "loaner": True})
    assert drafts_of(loaner, STORY, SITE) == []
    assert not makes_documents(loaner)
    assert not needs_the_opening(loaner)
    assert needs_the_opening(RESOLVED)
    assert not needs_the_opening(OPENED)
    assert not needs_the_opening(VISIT)


def _sheet(draft: Draft) -> Sheet:
    return Sheet(
        form=draft.form,
        code=f"HH138-2026-{draft.category.value}-000001",
        version=1,
        site_code=draft.site_code,
        site_name=draft.site_name,
        timezone=draft.timezone,
        archived_at=T0,
        sha256=draft.sha256,
        content=draft.content,
        images=draft.images,
    )
