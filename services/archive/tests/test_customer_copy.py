"""What a site's customer sees of the archive, without broker or database: which categories are theirs,
the complaint record's customer copy (its content and its PDF, without the internal handling), and the
ticket's timeline cut to each event's customer view."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from services.archive.domain.customer_copy import (
    CUSTOMER_CATEGORIES,
    CUSTOMER_FORMS,
    STAFF_FIELDS,
    customer_copy,
    customer_form,
    customer_timeline,
    for_customer,
    is_copied,
)
from services.archive.domain.documents import Category, canonical_json
from services.archive.domain.records import drafts_of
from services.archive.domain.story import Site, Story
from services.archive.rendering import FORMS, Renderer, Sheet
from services.archive.settings import ArchiveSettings
from shared.contracts import QualityCaseAnswered, QualityCaseOpened, TicketResolved
from testkit.documents import pdf_text
from testkit.samples import ticket_opened

SITE = Site("HH138", "Infinity Mall, 138 Huaihai Middle Road", "Asia/Shanghai")
T0 = datetime(2026, 11, 25, 1, 0, tzinfo=UTC)
ARCHIVED_AT = datetime(2026, 11, 26, 3, 0, tzinfo=UTC)
OPENED = ticket_opened("HH138-20261125-0042", reported_at=T0)
COMPLAINT = QualityCaseOpened(
    case_id=12, site_code="HH138", ticket_id=OPENED.ticket_id, origin="complaint", severity="high",
    summary="活动前音响故障 Sound failed before an event", opened_at=T0,
)  # fmt: skip
ANSWERED = QualityCaseAnswered(
    case_id=12, site_code="HH138", ticket_id=OPENED.ticket_id, origin="complaint", severity="high",
    owner="quality.desk", handling="现场核实并安排备机", answer="已致歉并说明处理结果", escalated_to="general_manager",
    answered_at=ARCHIVED_AT,
)  # fmt: skip
RESOLVED = TicketResolved(ticket_id=OPENED.ticket_id, engineer_id="E02", summary="Fuse replaced", resolved_at=T0)


@pytest.mark.parametrize("category", list(Category))
def test_a_customer_sees_the_request_report_complaint_inspection_and_register_only(category: Category) -> None:
    theirs = {Category.RECORD, Category.REPORT, Category.COMPLAINT, Category.INSPECTION, Category.REGISTER}
    assert for_customer(category.value) is (category in theirs)
    assert (category in CUSTOMER_CATEGORIES) is (category in theirs)


def test_only_the_complaint_record_is_read_as_a_copy_and_each_copy_has_its_form() -> None:
    assert [category.value for category in Category if is_copied(category.value)] == ["CMP"]
    assert set(STAFF_FIELDS) <= CUSTOMER_CATEGORIES  # a copy of a document the customer never sees is no copy
    for category, form in CUSTOMER_FORMS.items():
        assert (FORMS / f"{form}.typ").exists()
        assert customer_form(category.value) == form
    assert set(CUSTOMER_FORMS) == set(STAFF_FIELDS)


def _complaint_content() -> dict[str, Any]:
    [record] = drafts_of(ANSWERED, Story((OPENED, COMPLAINT, ANSWERED)), SITE)
    assert record.category is Category.COMPLAINT
    return record.content


def test_the_complaint_records_copy_leaves_out_the_internal_handling_and_keeps_the_rest() -> None:
    filed = _complaint_content()
    internal = {"handling", "owner", "escalated_to", "origin", "severity"}
    assert internal <= set(filed)  # else the test proves nothing
    copy = customer_copy("CMP", filed)
    assert set(copy) == set(filed) - internal
    assert {name: copy[name] for name in copy if name != "words"} == {
        name: filed[name] for name in copy if name != "words"
    }
    # the words for what it shows, none for what it leaves out (they would tell it)
    assert copy["words"] == {
        vocabulary: said for vocabulary, said in filed["words"].items() if vocabulary not in internal
    }
    assert copy["answer"] == "已致歉并说明处理结果"
    assert "现场核实并安排备机" not in canonical_json(copy).decode()
    assert "handling" in filed  # the filed content is left as it was


def test_a_document_read_as_filed_is_its_own_copy_and_a_staff_document_has_none() -> None:
    [report] = drafts_of(RESOLVED, Story((OPENED, RESOLVED)), SITE)
    assert customer_copy("RPT", report.content) == report.content
    with pytest.raises(ValueError, match="DSP"):
        customer_copy("DSP", {"engineer": "E02"})


async def test_the_customer_copy_typesets_without_the_handling_section_and_its_people() -> None:
    renderer = Renderer(ArchiveSettings().font_paths)
    filed = _complaint_content()
    copy = customer_copy("CMP", filed)

    def sheet(form: str, content: dict[str, Any]) -> Sheet:
        return Sheet(
            form=form, code="HH138-2026-CMP-000012", version=1, site_code="HH138", site_name=SITE.name,
            timezone=SITE.timezone, archived_at=ARCHIVED_AT, sha256="0" * 64, content=content,
        )  # fmt: skip

    staff = pdf_text(await renderer.pdf(sheet("complaint_record", filed)))
    customer = pdf_text(await renderer.pdf(sheet(customer_form("CMP"), copy)))
    for internal in (
        "现场核实并安排备机", "quality.desk", "总经理", "Handling", "Escalated to", "Owner", "Severity", "客户投诉",
    ):  # fmt: skip
        assert internal in staff, f"the staff's record lacks {internal!r}, so its absence below proves nothing"
        assert internal not in customer, f"the customer's copy shows {internal!r}:\n{customer}"
    for shown in (
        "投诉处理记录",
        "客户副本",
        "活动前音响故障",
        "已致歉并说明处理结果",
        "HH138-2026-CMP-000012",
    ):
        assert shown in customer, f"the customer's copy lacks {shown!r}:\n{customer}"
    with pytest.raises(
        Exception, match=r"owner|handling|escalated_to|origin|severity"
    ):  # why the copy has a form of its own
        await renderer.pdf(sheet("complaint_record", copy))


def _row(message_type: str, **payload: Any) -> dict[str, Any]:
    return {"type": message_type, "producer": "dispatch", "message_id": "m", "payload": payload}


def test_the_timeline_shows_each_event_as_its_customer_view_and_drops_the_staffs() -> None:
    rows = [
        _row("ticket.opened", ticket_id="T-1", site_code="HH138", description="No music"),
        _row(
            "ticket.assigned",
            ticket_id="T-1",
            site_code="HH138",
            subsystem="bgm",
            engineer_id="E01",
            engineer_name="王磊",
            rule="manual",
            reason="E02 on leave",
            actor="manager",
            previous_engineer_id="E02",
            assigned_at="2026-11-25T01:00:00Z",
        ),
        _row(
            "ticket.on_site",
            ticket_id="T-1",
            engineer_id="E01",
            arrived_at="2026-11-25T02:00:00Z",
            arrival={"latitude": 31.2, "longitude": 121.4, "flagged": False},
        ),
        _row("followup.recorded", ticket_id="T-1", site_code="HH138", satisfaction=2, caller="liu.yang"),
        _row("document.archived", document_code="HH138-2026-DSP-000001", category="DSP", ticket_id="T-1"),
        _row("document.archived", document_code="HH138-2026-REC-000001", category="REC", ticket_id="T-1"),
    ]
    seen = customer_timeline(rows)
    assert [row["type"] for row in seen] == ["ticket.opened", "ticket.assigned", "ticket.on_site", "document.archived"]
    assigned, on_site, archived = seen[1]["payload"], seen[2]["payload"], seen[3]["payload"]
    assert not {"reason", "actor", "rule", "previous_engineer_id"} & set(assigned)
    assert assigned["engineer_name"] == "王磊"
    assert "arrival" not in on_site
    assert on_site["arrived_at"] == "2026-11-25T02:00:00Z"
    assert archived["document_code"] == "HH138-2026-REC-000001"
    assert seen[0] == rows[0]  # an event the customer sees whole, as kept
    assert (seen[1]["producer"], seen[1]["message_id"]) == ("dispatch", "m")  # the row's other columns stay
    assert "reason" in rows[1]["payload"]  # the rows given are not changed
