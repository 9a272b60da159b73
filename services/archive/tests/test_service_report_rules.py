"""The service report's rules (domain/service_report.py): the span it covers, why each breach happened
and how late, the devices that failed most, the inspections made and missed, and month by month."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from services.archive.domain.service_report import BadSpan, Span, breach_reason, service_report
from services.archive.tests.register_month import SITE, month, openings
from shared.contracts import (
    ClockKind,
    DeviceRef,
    Event,
    InspectionVisitMissed,
    PauseReason,
    ServiceKind,
    SlaBreached,
    TicketAccepted,
    TicketAssigned,
    TicketAwaitingAssignment,
    TicketOnSite,
    TicketOpened,
    TicketPaused,
)
from testkit.samples import ticket_opened

T0 = datetime(2026, 11, 10, 2, 0, tzinfo=UTC)
NOW = datetime(2026, 12, 20, 2, 0, tzinfo=UTC)
AMP = DeviceRef(asset_tag="HH138-BGM-AMP-01", subsystem="bgm", model="PLE-2MA240", serial_number="SN-1")
DSP = DeviceRef(asset_tag="HH138-AV-DSP-01", subsystem="av", model="DSP-8", serial_number="SN-2")


def _at(minutes: int) -> datetime:
    return T0 + timedelta(minutes=minutes)


def test_a_span_is_days_in_order_of_at_most_a_year() -> None:
    assert Span.of(date(2026, 11, 20), date(2027, 2, 3)).months() == ["2026-11", "2026-12", "2027-01", "2027-02"]
    assert Span.of(date(2026, 11, 1), date(2026, 11, 30)).ends("Asia/Shanghai") == datetime(
        2026, 11, 30, 16, 0, tzinfo=UTC
    )
    with pytest.raises(BadSpan, match="before it begins"):
        Span.of(date(2026, 11, 2), date(2026, 11, 1))
    with pytest.raises(BadSpan, match="at most 366 days"):
        Span.of(date(2025, 1, 1), date(2026, 1, 2))


def test_a_breach_says_where_its_ticket_stood_when_the_clock_ran_out() -> None:
    ticket = "HH138-20261110-0001"
    opened = ticket_opened(ticket, reported_at=T0)
    assigned = TicketAssigned(
        ticket_id=ticket, site_code="HH138", subsystem="bgm", engineer_id="E01", engineer_name="王磊",
        rule="subsystem_owner", assigned_at=_at(1),
    )  # fmt: skip
    waiting = TicketAwaitingAssignment(
        ticket_id=ticket, site_code="HH138", subsystem="bgm", why="nobody", since=_at(0), cause="no_skill"
    )
    history: list[tuple[datetime, Event]] = [(_at(0), opened), (_at(0), waiting)]
    assert breach_reason(history, _at(30)) == ("not_assigned", None)  # why nobody could: the staff's
    history += [(_at(40), assigned)]
    assert breach_reason(history, _at(50)) == ("not_accepted", "王磊")
    history += [(_at(60), TicketAccepted(ticket_id=ticket, engineer_id="E01", accepted_at=_at(60)))]
    assert breach_reason(history, _at(240)) == ("not_on_site", "王磊")
    history += [(_at(250), TicketOnSite(ticket_id=ticket, engineer_id="E01", arrived_at=_at(250)))]
    history += [(_at(300), TicketPaused(ticket_id=ticket, reason=PauseReason.WAITING_FOR_PARTS, paused_at=_at(300)))]
    assert breach_reason(history, _at(280)) == ("work_in_progress", "王磊")
    assert breach_reason(history, _at(900)) == ("waiting_for_parts", "王磊")
    assert breach_reason([(_at(0), opened)], _at(10)) == ("not_assigned", None)


def _report(extra: list[tuple[datetime, Event]], histories: dict[str, list[tuple[datetime, Event]]]) -> dict:
    story = month()
    moments = [(T0, event) for event in story.events] + extra
    known = openings(story) | {e.ticket_id: e for _, e in extra if isinstance(e, TicketOpened)}
    return service_report(
        SITE, "上海无限商业管理有限公司", Span.of(date(2026, 10, 1), date(2026, 11, 30)), moments, known, [],
        histories, now=NOW,
    )  # fmt: skip


def test_the_report_counts_what_the_register_counts_and_more() -> None:
    fault = "HH138-20261110-0001"
    arrived = TicketOnSite(ticket_id=fault, engineer_id="E01", arrived_at=_at(300))
    again = [ticket_opened(f"HH138-2026111{n}-000{n}", reported_at=T0, device=AMP) for n in range(2, 5)]
    question = ticket_opened("HH138-20261115-0005", reported_at=T0, device=DSP, kind=ServiceKind.CONSULTATION)
    dsp = ticket_opened("HH138-20261116-0006", reported_at=T0, device=DSP, kind=ServiceKind.WARRANTY_REPAIR)
    missed = InspectionVisitMissed(visit_id="HH138-INS-8", site_code="HH138", subsystem="av", due_by=date(2026, 11, 20))
    october = (datetime(2026, 10, 30, 2, tzinfo=UTC), ticket_opened("HH138-20261030-0010", reported_at=T0))
    report = _report(
        [*((T0, o) for o in [*again, question, dsp]), (T0, missed), october],
        {fault: [(T0, ticket_opened(fault, reported_at=T0)), (_at(300), arrived)]},
    )

    assert report["tickets"]["opened"] == 8
    on_site = next(row for row in report["sla"] if row["clock"] == "on_site")
    assert (on_site["met"], on_site["breached"]) == (1, 1)  # the corrected breach counts as met
    # The breach the late report corrected is not listed; the other was stopped 300 minutes after its due moment.
    assert [(b["ticket_id"], b["clock"], b["reason"], b["late_minutes"], b["stopped_at"] is not None)
            for b in report["breaches"]] == [(fault, "on_site", "not_assigned", 300, True)]  # fmt: skip
    assert report["breaches_by_reason"] == {"not_assigned": 1}
    # Three faults of the amplifier; the consultation about the DSP is no failure, its warranty repair is.
    assert [(d["asset_tag"], d["failures"]) for d in report["devices"]] == [
        ("HH138-BGM-AMP-01", 3),
        ("HH138-AV-DSP-01", 1),
    ]
    inspections = report["inspections"]
    assert (inspections["completed"], inspections["late"], inspections["missed"]) == (1, 1, 1)
    assert inspections["by_subsystem"] == [
        {"subsystem": "av", "completed": 0, "late": 0, "missed": 1},
        {"subsystem": "bgm", "completed": 1, "late": 1, "missed": 0},
    ]
    assert report["follow_ups"]["average_satisfaction"] == 3.5
    assert [(m["month"], m["opened"]) for m in report["by_month"]] == [("2026-10", 1), ("2026-11", 7)]
    assert report["by_month"][1]["sla"]["on_site"] == 50.0
    assert report["by_month"][0]["average_satisfaction"] is None
    assert report["words"]["breach_reason"] == {"not_assigned": "尚未派工"}
    assert report["words"]["clock"]["on_site"] == "到场"


def test_a_breach_not_yet_stopped_is_late_until_now() -> None:
    ticket = "HH138-20261117-0007"
    opened = ticket_opened(ticket, reported_at=T0)
    breach = SlaBreached(
        ticket_id=ticket, clock=ClockKind.RESOLUTION, cycle=1, due_at=_at(600), target_minutes=600,
        breached_at=_at(600),
    )  # fmt: skip
    paused = TicketPaused(ticket_id=ticket, reason=PauseReason.WAITING_FOR_VENDOR, paused_at=_at(100))
    report = _report([(T0, opened), (_at(600), breach)], {ticket: [(T0, opened), (_at(100), paused)]})
    [row] = [b for b in report["breaches"] if b["ticket_id"] == ticket]
    assert (row["reason"], row["stopped_at"], row["late_minutes"]) == (
        "waiting_for_vendor",
        None,
        round((NOW - _at(600)).total_seconds() / 60),
    )


async def test_the_pdf_reads_back_in_chinese_with_the_same_figures() -> None:
    from services.archive.rendering import Renderer, Sheet
    from services.archive.settings import ArchiveSettings
    from testkit.documents import pdf_text

    fault = "HH138-20261110-0001"
    report = _report([], {fault: [(T0, ticket_opened(fault, reported_at=T0))]})
    sheet = Sheet(
        form="monthly_service_report", code="HH138-20261001-20261130", version=1, site_code="HH138",
        site_name=SITE.name, timezone=SITE.timezone, archived_at=NOW, sha256="0" * 64,
        content={"form": "monthly_service_report", **report},
    )  # fmt: skip
    text = pdf_text(await Renderer(ArchiveSettings().font_paths).pdf(sheet))
    for said in (
        "服务月报",
        "2026-10-01 至 2026-11-30",
        "上海无限商业管理有限公司",
        "到场时限",
        "尚未派工",
        "中庭声压级",
    ):
        assert said in text, said
    assert "not_assigned" not in text
    assert "on_site" not in text
