"""The register's rules without a broker: periods in the site's time zone, what each section counts,
the comparison with the acceptance baseline, the signing rules, and the forms typeset in Chinese."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from services.archive.domain.acceptance import Check, CheckResult, Handover, acceptance_register
from services.archive.domain.periods import RegisterKind, parse
from services.archive.domain.registers import Baseline, operation_register
from services.archive.domain.story import Site, Story
from services.archive.rendering import Renderer, Sheet
from services.archive.settings import ArchiveSettings
from shared.contracts import (
    ClockKind,
    DeviceRef,
    EquipmentChanged,
    FollowUpRecorded,
    InspectionItemResult,
    InspectionVisitCompleted,
    ServiceKind,
    SiteDescribed,
    SlaBreached,
    SlaMet,
    TicketClosed,
    TicketOpened,
    TicketReclassified,
    TicketResolved,
    VendorEscalationClosed,
)
from testkit.documents import pdf_text
from testkit.samples import ticket_opened

SITE = Site("HH138", "Infinity Mall, 138 Huaihai Middle Road", "Asia/Shanghai", "138 Huaihai Middle Road")
DESCRIBED = SiteDescribed(
    site_code="HH138",
    name=SITE.name,
    address="138 Huaihai Middle Road",
    timezone="Asia/Shanghai",
    customer="上海无限商业管理有限公司",
    representative=None,
    contract_code="HH138-MC-2026",
)
NOV = parse(RegisterKind.MONTHLY, "2026-11")
AT = datetime(2026, 11, 10, 2, 0, tzinfo=UTC)
AMP = DeviceRef(asset_tag="HH138-BGM-AMP-01", subsystem="bgm", model="PLE-2MA240", manufacturer="bosch", quantity=1)
SPK = DeviceRef(asset_tag="HH138-BGM-SPK-L1", subsystem="bgm", model="LBC3090", manufacturer="bosch", quantity=48)


def _changed(device: DeviceRef, at: datetime, action: str = "imported", **changes: list[object]) -> EquipmentChanged:
    return EquipmentChanged(
        site_code="HH138", device=device, action=action, changes=changes, actor="seed", changed_at=at
    )


def _month() -> Story:
    fault = ticket_opened("HH138-20261110-0001", reported_at=AT)
    complaint = ticket_opened("HH138-20261111-0002", reported_at=AT, kind=ServiceKind.CONSULTATION)
    return Story(
        (
            fault,
            complaint,
            TicketReclassified(
                ticket_id=complaint.ticket_id,
                kind=ServiceKind.COMPLAINT,
                priority=complaint.priority,
                previous_kind=complaint.kind,
                previous_priority=complaint.priority,
                actor="hotline",
                reason="customer is angry",
                reclassified_at=AT,
            ),
            TicketResolved(ticket_id=fault.ticket_id, summary="fixed", resolved_at=AT + timedelta(hours=3)),
            TicketClosed(ticket_id=fault.ticket_id, closed_at=AT + timedelta(days=2)),
            # Resolved in November, opened in October: counted as resolved, not as opened.
            TicketResolved(ticket_id="HH138-20261030-0009", summary="fixed", resolved_at=AT),
            SlaMet(
                ticket_id=fault.ticket_id,
                clock=ClockKind.RESPONSE,
                cycle=1,
                started_at=AT,
                stopped_at=AT,
                due_at=AT,
                target_minutes=30,
                elapsed_minutes=5,
                remaining_minutes=25,
            ),
            SlaBreached(
                ticket_id=fault.ticket_id,
                clock=ClockKind.ON_SITE,
                cycle=1,
                due_at=AT,
                target_minutes=240,
                breached_at=AT,
            ),
            SlaBreached(
                ticket_id=complaint.ticket_id,
                clock=ClockKind.ON_SITE,
                cycle=1,
                due_at=AT,
                target_minutes=240,
                breached_at=AT,
            ),
            # A late arrival report shows the second breach was in fact met.
            SlaMet(
                ticket_id=complaint.ticket_id,
                clock=ClockKind.ON_SITE,
                cycle=1,
                started_at=AT,
                stopped_at=AT,
                due_at=AT,
                target_minutes=240,
                elapsed_minutes=200,
                remaining_minutes=40,
                corrects_breach=True,
            ),
            InspectionVisitCompleted(
                visit_id="HH138-INS-7",
                plan_code="BGM-M",
                site_code="HH138",
                subsystem="bgm",
                title="月度巡检",
                scheduled_on=date(2026, 11, 12),
                engineer_id="E01",
                completed_at=AT,
                late=True,
                faults_reported=1,
                results=[
                    InspectionItemResult(
                        code="1", text="功放温度", kind="check", passed=True, expected="正常", failed=False
                    ),
                    InspectionItemResult(
                        code="2",
                        text="中庭声压级",
                        kind="measure",
                        value=58,
                        unit="dB(A)",
                        expected="65 to 80 dB(A)",
                        failed=True,
                    ),
                ],
            ),
            VendorEscalationClosed(
                case_number="VC-000001",
                escalation_id="X-V1",
                ticket_id=fault.ticket_id,
                partner="bosch",
                outcome="fixed",
                closed_at=AT,
            ),
            FollowUpRecorded(
                ticket_id=fault.ticket_id,
                site_code="HH138",
                cycle=1,
                attempt=1,
                reached=True,
                satisfaction=5,
                caller="Q",
                called_at=AT,
                outcome="satisfied",
                late=False,
            ),
            FollowUpRecorded(
                ticket_id="HH138-20261030-0009",
                site_code="HH138",
                cycle=1,
                attempt=1,
                reached=True,
                satisfaction=2,
                comments="来得太慢",
                caller="Q",
                called_at=AT,
                outcome="dissatisfied",
                late=False,
            ),
        )
    )


def _openings(story: Story) -> dict[str, TicketOpened]:
    october = ticket_opened("HH138-20261030-0009", reported_at=datetime(2026, 10, 30, 2, tzinfo=UTC), subsystem="av")
    return {o.ticket_id: o for o in [*story.all(TicketOpened), october]}


def test_a_month_counts_tickets_sla_inspections_vendor_cases_and_follow_ups() -> None:
    story = _month()
    equipment = [_changed(AMP, AT - timedelta(days=300)), _changed(SPK, AT - timedelta(days=300))]
    draft = operation_register(SITE, DESCRIBED, NOV, equipment, story, _openings(story), None)
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
        _changed(AMP, AT - timedelta(days=300)),
        _changed(SPK, AT - timedelta(days=300)),
        _changed(retired, AT, "retired", status=["in_service", "retired"]),
        _changed(DeviceRef(**{**SPK.model_dump(), "quantity": 46}), AT, "updated", quantity=[48, 46]),
        _changed(new, AT, "created"),
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
    story = _month()
    equipment = [_changed(AMP, AT - timedelta(days=300)), _changed(SPK, AT - timedelta(days=300))]
    handover = Handover(
        date(2026, 1, 5),
        (Check("bgm", "全区广播测试", CheckResult.PASSED), Check("av", "投影机亮度", CheckResult.FAILED, "偏暗")),
        ("王工 Wang",),
        ("徐静 Xu Jing",),
    )
    for draft, expected in (
        (
            operation_register(SITE, DESCRIBED, NOV, equipment, story, _openings(story), None),
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
