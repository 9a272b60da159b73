"""The board's order and colours, as plain functions."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from services.console.domain.board import Risk, board, narrowed, risk

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


def test_the_board_narrows_to_an_engineer_or_a_risk_in_its_order() -> None:
    tickets = [{"ticket_id": "A", "engineer_id": "E01"}, {"ticket_id": "B", "engineer_id": "E02"},
               {"ticket_id": "C", "engineer_id": "E01"}]  # fmt: skip
    rows = board(tickets, [_clock("A", 10, 90), _clock("B", 100, -5), _clock("C", 100, -1)], NOW)
    assert [row.ticket["ticket_id"] for row in narrowed(rows, engineer_id="E01")] == ["C", "A"]
    assert [row.ticket["ticket_id"] for row in narrowed(rows, risk=Risk.BREACHED)] == ["B", "C"]
    assert narrowed(rows, engineer_id="E02", risk=Risk.CALM) == []
    assert narrowed(rows) == rows
