"""A month at a site, told in seconds, for the registers' tests: the events of a month, all within a
minute of a given moment."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from shared.contracts import (
    ClockKind,
    DeviceRef,
    EquipmentChanged,
    Event,
    FollowUpRecorded,
    InspectionItemResult,
    InspectionVisitCompleted,
    ServiceKind,
    SlaBreached,
    SlaMet,
    TicketClosed,
    TicketResolved,
    VendorEscalationClosed,
)
from shared.contracts.envelope import Envelope, seal
from testkit.samples import ticket_opened

SHANGHAI = ZoneInfo("Asia/Shanghai")


def last_month(now: datetime) -> datetime:
    """10:00 on the 3rd of the month before `now`'s, at the site: a closed month, as the registers
    signed by both parties cover."""
    first_of_this = now.astimezone(SHANGHAI).replace(day=1, hour=10, minute=0, second=0, microsecond=0)
    return (first_of_this - timedelta(days=1)).replace(day=3).astimezone(UTC)


def month_at_site(site: str, now: datetime) -> list[Envelope[Any]]:
    """A month at the site, told in seconds: a bgm fault and an av fault, their clocks, an inspection with
    a failed item, a vendor case, two follow-up calls, and two speakers taken out of the L1 atrium."""
    at = now
    bgm = ticket_opened(f"{site}-20261102-0001", site_code=site, reported_at=at)
    av = ticket_opened(f"{site}-20261103-0002", site_code=site, subsystem="av", reported_at=at + timedelta(seconds=1))
    facts: list[tuple[Event, str, datetime]] = [
        (bgm, "intake", at),
        (av, "intake", at + timedelta(seconds=1)),
        (
            TicketResolved(ticket_id=bgm.ticket_id, summary="换功放保险", resolved_at=at + timedelta(seconds=3)),
            "dispatch",
            at + timedelta(seconds=3),
        ),
        (
            TicketResolved(ticket_id=av.ticket_id, summary="DSP 更换", resolved_at=at + timedelta(seconds=5)),
            "dispatch",
            at + timedelta(seconds=5),
        ),
        (
            TicketClosed(ticket_id=av.ticket_id, closed_at=at + timedelta(seconds=6)),
            "dispatch",
            at + timedelta(seconds=6),
        ),
        (
            VendorEscalationClosed(
                case_number="VC-900001",
                escalation_id=f"{av.ticket_id}-V1",
                ticket_id=av.ticket_id,
                partner="harman",
                outcome="fixed",
                closed_at=at + timedelta(seconds=4),
            ),
            "vendor",
            at + timedelta(seconds=4),
        ),
        (
            FollowUpRecorded(
                ticket_id=bgm.ticket_id,
                site_code=site,
                cycle=1,
                attempt=1,
                reached=True,
                satisfaction=4,
                caller="Q",
                called_at=at + timedelta(seconds=2),
                outcome="satisfied",
                late=False,
            ),
            "dispatch",
            at + timedelta(seconds=2),
        ),
        (
            FollowUpRecorded(
                ticket_id=av.ticket_id,
                site_code=site,
                cycle=1,
                attempt=1,
                reached=True,
                satisfaction=2,
                comments="等厂商太久",
                caller="Q",
                called_at=at + timedelta(seconds=7),
                outcome="dissatisfied",
                late=False,
            ),
            "dispatch",
            at + timedelta(seconds=7),
        ),
        (
            InspectionVisitCompleted(
                visit_id=f"{site}-INS-11",
                plan_code="BGM-M",
                site_code=site,
                subsystem="bgm",
                title="背景音乐月度巡检",
                scheduled_on=at.astimezone(SHANGHAI).date(),
                engineer_id=f"{site}-E01",
                completed_at=at + timedelta(seconds=10),
                late=False,
                faults_reported=1,
                results=[
                    InspectionItemResult(
                        code="2",
                        text="中庭声压级",
                        kind="measure",
                        value=58,
                        unit="dB(A)",
                        expected="65 to 80 dB(A)",
                        failed=True,
                    )
                ],
            ),
            "dispatch",
            at + timedelta(seconds=10),
        ),
        (
            EquipmentChanged(
                site_code=site,
                device=DeviceRef(
                    asset_tag=f"{site}-BGM-SPK-L1",
                    subsystem="bgm",
                    model="Bosch LBC3090/01 ceiling speaker",
                    manufacturer="bosch",
                    quantity=46,
                    status="in_service",
                ),
                action="updated",
                changes={"quantity": [48, 46]},
                actor="E01",
                reason="two speakers water-damaged, removed",
                changed_at=at + timedelta(seconds=12),
            ),
            "intake",
            at + timedelta(seconds=12),
        ),
    ]
    for ticket, kept in ((bgm, (True, True, True)), (av, (True, False, True))):
        for clock, met in zip(ClockKind, kept, strict=True):
            due = at + timedelta(seconds=4)
            fact: Event = (
                SlaMet(
                    ticket_id=ticket.ticket_id,
                    clock=clock,
                    cycle=1,
                    started_at=at,
                    stopped_at=at + timedelta(seconds=1),
                    due_at=due,
                    target_minutes=240,
                    elapsed_minutes=60,
                    remaining_minutes=180,
                )
                if met
                else SlaBreached(
                    ticket_id=ticket.ticket_id, clock=clock, cycle=1, due_at=due, target_minutes=240, breached_at=due
                )
            )
            facts.append((fact, "sla", ticket.reported_at + timedelta(seconds=4)))
    assert {t.kind for t in (bgm, av)} == {ServiceKind.FAULT}
    return [
        seal(event, producer=producer, correlation_id=getattr(event, "ticket_id", site), occurred_at=when)
        for event, producer, when in facts
    ]
