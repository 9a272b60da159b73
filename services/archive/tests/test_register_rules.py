"""The register's rules without a broker: periods in the site's time zone, what each section counts,
the comparison with the acceptance baseline, the signing rules, and the forms typeset in Chinese."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from services.archive.domain.acceptance import Check, CheckResult, Handover, acceptance_register
from services.archive.domain.registers import Baseline, operation_register
from services.archive.domain.story import Story
from services.archive.rendering import Renderer, Sheet
from services.archive.settings import ArchiveSettings
from services.archive.tests.register_month import AMP, AT, DESCRIBED, NOV, SITE, SPK, changed, month, openings
from shared.contracts import (
    DeviceRef,
    FollowUpRecorded,
    InspectionVisitCompleted,
    ServiceKind,
    TicketReclassified,
)
from testkit.documents import pdf_text
from testkit.samples import ticket_opened


def test_a_month_counts_tickets_sla_inspections_vendor_cases_and_follow_ups() -> None:
    story = month()
    equipment = [changed(AMP, AT - timedelta(days=300)), changed(SPK, AT - timedelta(days=300))]
    draft = operation_register(SITE, DESCRIBED, NOV, equipment, story, openings(story), None)
    content = draft.content
    assert (draft.category.value, draft.source, draft.year) == ("REG", "register:monthly:2026-11", 2026)
    assert content["tickets"]["by_subsystem_and_kind"] == [
        {"subsystem": "av", "kind": "fault", "opened": 0, "resolved": 1, "closed": 0},
        {"subsystem": "bgm", "kind": "complaint", "opened": 1, "resolved": 0, "closed": 0},
        {"subsystem": "bgm", "kind": "fault", "opened": 1, "resolved": 1, "closed": 1},
    ]
    sla = {row["clock"]: row for row in content["sla"]}
    assert (sla["response"]["met"], sla["response"]["breached"]) == (1, 0)
    assert (sla["on_site"]["met"], sla["on_site"]["breached"], sla["on_site"]["met_percent"]) == (1, 1, 50.0)
    assert sla["resolution"]["met_percent"] is None
    inspections = content["inspections"]
    assert (inspections["completed"], inspections["late"], inspections["items_checked"]) == (1, 1, 2)
    assert inspections["failed_items"][0]["found"] == "58 dB(A)"
    assert content["vendor_cases"]["closed"] == {"fixed": 1}
    assert content["follow_ups"]["average_satisfaction"] == 3.5
    assert content["follow_ups"]["low"] == [
        {"ticket_id": "HH138-20261030-0009", "satisfaction": 2, "comments": "来得太慢"}
    ]
    assert content["equipment"]["changes"] == []  # both devices were imported long before November
    assert content["baseline"] is None


def test_devices_are_compared_model_by_model_with_the_acceptance_baseline() -> None:
    retired = DeviceRef(**{**AMP.model_dump(), "status": "retired"})
    new = DeviceRef(asset_tag="HH138-BGM-AMP-02", subsystem="bgm", model="PLE-2MA240", manufacturer="bosch")
    equipment = [
        changed(AMP, AT - timedelta(days=300)),
        changed(SPK, AT - timedelta(days=300)),
        changed(retired, AT, "retired", status=["in_service", "retired"]),
        changed(DeviceRef(**{**SPK.model_dump(), "quantity": 46}), AT, "updated", quantity=[48, 46]),
        changed(new, AT, "created"),
    ]
    baseline = Baseline(
        "HH138-2026-REG-000001",
        2,
        True,
        [
            {"subsystem": "bgm", "manufacturer": "bosch", "model": "LBC3090", "quantity": 48},
            {"subsystem": "bgm", "manufacturer": "bosch", "model": "PLE-2MA240", "quantity": 1},
            {"subsystem": "bgm", "manufacturer": "bosch", "model": "PLM-8M8", "quantity": 1},
        ],
    )
    content = operation_register(SITE, DESCRIBED, NOV, equipment, Story(()), {}, baseline).content
    assert [
        (m["model"], m["quantity"], m["at_acceptance"], m["difference"]) for m in content["equipment"]["models"]
    ] == [
        ("LBC3090", 46, 48, -2),
        ("PLE-2MA240", 1, 1, 0),  # one retired, one added
        ("PLM-8M8", 0, 1, -1),
    ]
    assert [c["action"] for c in content["equipment"]["changes"]] == ["retired", "updated", "created"]
    assert content["equipment"]["changes"][1]["changes"] == {"quantity": ["48", "46"]}


async def test_both_registers_are_typeset_in_chinese_with_their_figures() -> None:
    renderer = Renderer(ArchiveSettings().font_paths)
    story = month()
    equipment = [changed(AMP, AT - timedelta(days=300)), changed(SPK, AT - timedelta(days=300))]
    handover = Handover(
        date(2026, 1, 5),
        (Check("bgm", "全区广播测试", CheckResult.PASSED), Check("av", "投影机亮度", CheckResult.FAILED, "偏暗")),
        ("王工 Wang",),
        ("徐静 Xu Jing",),
    )
    for draft, expected in (
        (
            operation_register(SITE, DESCRIBED, NOV, equipment, story, openings(story), None),
            ["设备运行登记表", "2026-11", "58 dB(A)", "LBC3090", "48"],
        ),
        (
            acceptance_register(SITE, DESCRIBED, handover, equipment),
            ["前期接收登记表", "全区广播测试", "偏暗", "徐静", "LBC3090"],
        ),
    ):
        pdf = await renderer.pdf(
            Sheet(
                draft.form,
                "HH138-2026-REG-000001",
                1,
                SITE.code,
                SITE.name,
                SITE.timezone,
                AT,
                draft.sha256,
                draft.content,
            )
        )
        text = pdf_text(pdf)
        for words in expected:
            assert words in text, f"{words!r} not in the {draft.form} PDF"
        assert "草稿 Draft" in text


def test_a_kind_changed_before_the_period_counts_and_a_fact_sent_twice_counts_once() -> None:
    story = month()
    october = ticket_opened("HH138-20261030-0009", reported_at=datetime(2026, 10, 30, 2, tzinfo=UTC), subsystem="av")
    became_complaint = TicketReclassified(
        ticket_id=october.ticket_id,
        kind=ServiceKind.COMPLAINT,
        priority=october.priority,
        previous_kind=october.kind,
        previous_priority=october.priority,
        actor="hotline",
        reason="the customer complained",
        reclassified_at=datetime(2026, 10, 31, 2, tzinfo=UTC),
    )
    twice = Story(
        story.events + tuple(e for e in story.events if isinstance(e, InspectionVisitCompleted | FollowUpRecorded))
    )
    content = operation_register(
        SITE, DESCRIBED, NOV, [], twice, openings(story), None, reclassified=[became_complaint]
    ).content
    assert {"subsystem": "av", "kind": "complaint", "opened": 0, "resolved": 1, "closed": 0} in content["tickets"][
        "by_subsystem_and_kind"
    ]
    assert (content["inspections"]["completed"], content["follow_ups"]["calls"]) == (1, 2)
