"""The board's order and colours and the report charts, as plain functions."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from services.console.domain.board import Risk, board, narrowed, risk
from services.console.domain.charts import breaches_by, compliance_by_month, last_months, satisfaction_by_month

NOW = datetime(2026, 11, 27, 10, 0, tzinfo=UTC)


def _clock(ticket: str, started_minutes_ago: float, due_in_minutes: float, kind: str = "response") -> dict:
    return {
        "ticket_id": ticket,
        "clock": kind,
        "started_at": (NOW - timedelta(minutes=started_minutes_ago)).isoformat(),
        "due_at": (NOW + timedelta(minutes=due_in_minutes)).isoformat(),
    }


def test_risk_grows_with_the_share_of_the_clock_used() -> None:
    start = NOW - timedelta(minutes=10)
    assert risk(start, NOW + timedelta(minutes=90), NOW) is Risk.CALM
    assert risk(start, NOW + timedelta(minutes=10), NOW) is Risk.WATCH
    assert risk(start, NOW + timedelta(minutes=2), NOW) is Risk.AT_RISK
    assert risk(start, NOW, NOW) is Risk.BREACHED
    assert risk(NOW, NOW, NOW) is Risk.BREACHED


def test_the_board_puts_the_most_urgent_first_by_its_soonest_clock() -> None:
    tickets = [{"ticket_id": t} for t in ("A", "B", "C", "D")]
    clocks = [
        _clock("A", 10, 90),  # calm
        _clock("B", 100, -5),  # breached
        _clock("C", 10, 200, "resolution"),
        _clock("C", 50, 5),  # C's response clock is the soonest: at risk
    ]
    rows = board(tickets, clocks, NOW)
    assert [(row.ticket["ticket_id"], row.risk) for row in rows] == [
        ("B", Risk.BREACHED),
        ("C", Risk.AT_RISK),
        ("A", Risk.CALM),
        ("D", Risk.NO_CLOCK),
    ]
    assert rows[1].clock is not None
    assert rows[1].clock["clock"] == "response"


def test_last_months_cross_the_year() -> None:
    assert last_months(date(2026, 2, 14), 4) == ["2025-11", "2025-12", "2026-01", "2026-02"]


def _report(month: str, met: int, breached: int, tickets: list[str]) -> dict:
    percent = round(100 * met / (met + breached), 1) if met + breached else None
    figures = {"met": met, "breached": breached, "compliance_percent": percent, "breached_tickets": tickets}
    return {"month": month, "clocks": {"response": figures}}


def test_compliance_breaches_and_satisfaction_charts() -> None:
    reports = [
        _report("2026-10", 9, 1, ["T-1"]),
        _report("2026-11", 0, 0, []),
        _report("2026-12", 3, 2, ["T-2", "T-3"]),
    ]
    [october, november, december] = compliance_by_month(reports)["response"]
    assert (october.value, october.share, october.bad, october.note) == (90.0, 0.9, False, "9/10")
    assert (november.value, november.share) == (None, 0)
    assert (december.value, december.bad) == (60.0, True)

    tickets: list[dict[str, Any]] = [
        {"ticket_id": "T-1", "subsystem": "bgm", "engineer_name": "王磊", "satisfaction": 2},
        {"ticket_id": "T-2", "subsystem": "bgm", "engineer_name": None, "satisfaction": 5},
        {"ticket_id": "T-3", "subsystem": "av", "engineer_name": "王磊", "satisfaction": None},
    ]
    by_subsystem = breaches_by(reports, tickets, "subsystem")
    assert [(bar.label, bar.value, bar.share) for bar in by_subsystem] == [("bgm", 2, 1.0), ("av", 1, 0.5)]
    assert [(bar.label, bar.value) for bar in breaches_by(reports, tickets, "engineer_name")] == [("王磊", 2), ("–", 1)]

    satisfaction = satisfaction_by_month(["2026-10", "2026-11"], [tickets[:2], []])
    assert [(bar.label, bar.value, bar.note) for bar in satisfaction] == [
        ("2026-10", 3.5, "n=2"),
        ("2026-11", None, "n=0"),
    ]


def test_the_board_narrows_to_an_engineer_or_a_risk_in_its_order() -> None:
    tickets = [{"ticket_id": "A", "engineer_id": "E01"}, {"ticket_id": "B", "engineer_id": "E02"},
               {"ticket_id": "C", "engineer_id": "E01"}]  # fmt: skip
    rows = board(tickets, [_clock("A", 10, 90), _clock("B", 100, -5), _clock("C", 100, -1)], NOW)
    assert [row.ticket["ticket_id"] for row in narrowed(rows, engineer_id="E01")] == ["C", "A"]
    assert [row.ticket["ticket_id"] for row in narrowed(rows, risk=Risk.BREACHED)] == ["B", "C"]
    assert narrowed(rows, engineer_id="E02", risk=Risk.CALM) == []
    assert narrowed(rows) == rows
