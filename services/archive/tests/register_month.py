"""November 2026 at the demo site, as the register's rule tests read it: the site, two devices and a
month of events (two tickets, a reclassification, SLA results with a corrected breach, an inspection
with a failed item, a vendor case, two follow-up calls)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from services.archive.domain.periods import RegisterKind, parse
from services.archive.domain.story import Site, Story
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


def changed(device: DeviceRef, at: datetime, action: str = "imported", **changes: list[object]) -> EquipmentChanged:
    return EquipmentChanged(
        site_code="HH138", device=device, action=action, changes=changes, actor="seed", changed_at=at
    )


def month() -> Story:
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


def openings(story: Story) -> dict[str, TicketOpened]:
    october = ticket_opened("HH138-20261030-0009", reported_at=datetime(2026, 10, 30, 2, tzinfo=UTC), subsystem="av")
    return {o.ticket_id: o for o in [*story.all(TicketOpened), october]}
