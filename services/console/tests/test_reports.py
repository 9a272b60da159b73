"""The reports page's rules (domain/charts.py): the period a person chose, and the charts' options in the
reader's words; the report's tables as the XLSX holds them (web/reports.py)."""

from __future__ import annotations

import io
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook

from services.console.domain import charts
from services.console.domain.charts import BadPeriod, chosen_period, recent_quarters
from services.console.web.reports import report_sheets
from shared.spreadsheets import write_workbook

TODAY = date(2026, 2, 14)


def test_the_period_is_a_month_a_quarter_some_days_or_the_last_six_months() -> None:
    six = chosen_period(TODAY)
    assert (six.kind, six.first, six.last) == ("months", date(2025, 9, 1), TODAY)
    november = chosen_period(TODAY, "month", month="2025-11")
    assert (november.first, november.last, november.label) == (date(2025, 11, 1), date(2025, 11, 30), "2025-11")
    december = chosen_period(TODAY, "month", month="2025-12")
    assert december.last == date(2025, 12, 31)
    fourth = chosen_period(TODAY, "quarter", quarter="2025-Q4")
    assert (fourth.first, fourth.last) == (date(2025, 10, 1), date(2025, 12, 31))
    days = chosen_period(TODAY, "range", first=date(2026, 1, 5), last=date(2026, 1, 9))
    assert days.query() == {"from": "2026-01-05", "to": "2026-01-09"}
    assert chosen_period(TODAY, "range", first=date(2026, 1, 5)).last == date(2026, 1, 5)
    assert chosen_period(TODAY, "month").kind == "months"  # a month asked for without one: the default
    for wrong in ("2026-13", "Nov"):
        with pytest.raises(BadPeriod):
            chosen_period(TODAY, "month", month=wrong)
    with pytest.raises(BadPeriod, match="2026-Q4"):
        chosen_period(TODAY, "quarter", quarter="2026-Q5")
    with pytest.raises(BadPeriod, match="before it begins"):
        chosen_period(TODAY, "range", first=date(2026, 1, 9), last=date(2026, 1, 5))
    assert recent_quarters(TODAY, 3) == ["2026-Q1", "2025-Q4", "2025-Q3"]
    assert charts.late_by(1500) == (1, 1, 0)


REPORT: dict[str, Any] = {
    "tickets": {
        "opened": 3, "resolved": 1, "closed": 1,
        "by_subsystem_and_kind": [
            {"subsystem": "av", "kind": "fault", "opened": 1, "resolved": 0, "closed": 0},
            {"subsystem": "bgm", "kind": "fault", "opened": 1, "resolved": 1, "closed": 1},
            {"subsystem": "bgm", "kind": "complaint", "opened": 1, "resolved": 0, "closed": 0},
        ],
    },
    "sla": [
        {"clock": "response", "met": 9, "breached": 1, "met_percent": 90.0},
        {"clock": "on_site", "met": 1, "breached": 1, "met_percent": 50.0},
        {"clock": "resolution", "met": 0, "breached": 0, "met_percent": None},
    ],
    "breaches": [
        {"ticket_id": "HH138-1", "clock": "on_site", "cycle": 1, "subsystem": "bgm", "reason": "waiting_for_parts",
         "engineer_name": "王磊", "due_at": "2026-01-10T10:00:00+08:00", "stopped_at": None, "late_minutes": 95},
    ],
    "breaches_by_reason": {"waiting_for_parts": 1},
    "inspections": {"by_subsystem": [{"subsystem": "bgm", "completed": 2, "late": 1, "missed": 1}]},
    "follow_ups": {"calls": 3, "reached": 2, "average_satisfaction": 3.5, "scores": {"2": 1, "5": 1}, "low": []},
    "devices": [
        {"asset_tag": "AMP-01", "serial_number": "SN-1", "model": "PLE", "subsystem": "bgm", "failures": 3},
        {"asset_tag": None, "serial_number": "SN-9", "model": None, "subsystem": "av", "failures": 1},
    ],
    "by_month": [
        {"month": "2026-01", "opened": 3, "sla": {"response": 90.0, "on_site": 50.0, "resolution": None},
         "average_satisfaction": 3.5},
    ],
}  # fmt: skip
WORDS = {"bgm": "背景音乐系统", "av": "专业音视频", "fault": "故障", "complaint": "投诉", "on_site": "到场"}


def _word(code: str | None) -> str:
    return WORDS.get(code or "", code or "")


def test_the_charts_are_echarts_options_in_the_readers_words() -> None:
    tickets = charts.tickets_chart(REPORT["tickets"]["by_subsystem_and_kind"], _word, _word)
    assert tickets["xAxis"]["data"] == ["专业音视频", "背景音乐系统"]
    assert [(s["name"], s["data"], s["stack"]) for s in tickets["series"]] == [
        ("投诉", [0, 1], "opened"),
        ("故障", [1, 1], "opened"),
    ]
    compliance = charts.compliance_chart(REPORT["sla"], _word, "达标", "超时")
    assert [s["data"] for s in compliance["series"]] == [[9, 1, 0], [1, 1, 0]]
    months = charts.months_chart(REPORT["by_month"], _word, "新开工单", "达标率")
    assert [s["name"] for s in months["series"]] == ["新开工单", "response 达标率", "到场 达标率", "resolution 达标率"]
    assert months["series"][3]["data"] == [None]  # no clock of it ended: no point, not 0
    reasons = charts.reasons_chart(REPORT["breaches_by_reason"], lambda code: "等待备件")
    assert reasons["series"][0]["data"] == [{"name": "等待备件", "value": 1}]
    scores = charts.satisfaction_chart(REPORT["follow_ups"]["scores"], "回访")
    assert [point["value"] for point in scores["series"][0]["data"]] == [0, 1, 0, 0, 1]
    devices = charts.devices_chart(REPORT["devices"], "故障次数")
    assert devices["yAxis"]["data"] == ["SN-9", "AMP-01"]  # most at the top, a device without a tag by its serial
    inspections = charts.inspections_chart(REPORT["inspections"]["by_subsystem"], _word, "完成", "漏检")
    assert [s["data"] for s in inspections["series"]] == [[2], [1]]


def test_the_xlsx_holds_a_sheet_per_table_in_the_readers_language() -> None:
    words = {"subsystem": _word, "kind": _word, "clock": _word, "reason": lambda code: "等待备件"}
    sheets = report_sheets(REPORT, lambda message: message, words, ZoneInfo("Asia/Shanghai"))
    book = load_workbook(io.BytesIO(write_workbook(sheets)))
    assert book.sheetnames == ["Tickets", "Clocks", "Breaches", "Inspections", "Satisfaction", "Devices", "By month"]
    rows = [[cell.value for cell in row] for row in book["Tickets"].iter_rows()]
    assert rows[1] == ["专业音视频", "故障", 1, 0, 0]
    assert rows[-1] == ["Total", None, 3, 1, 1]
    breach = [cell.value for cell in next(book["Breaches"].iter_rows(min_row=2))]
    assert breach == ["HH138-1", "到场", "等待备件", "王磊", "2026-01-10 10:00", None, 95]
