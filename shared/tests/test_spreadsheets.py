"""Sheets people open in Excel: text they typed reads back as typed and never runs as a formula."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from shared.spreadsheets import SheetFormat, read_sheet, write_sheet

TYPED = [
    '=HYPERLINK("http://evil.example","点我")',
    "+86 21 5555 0101",
    "-1F 机房",
    "@SUM(A1)",
    "中庭背景音乐",
    "'=x",
    "'quoted",
]


@pytest.mark.parametrize("sheet_format", list(SheetFormat))
def test_what_people_typed_reads_back_as_typed(sheet_format: SheetFormat) -> None:
    header, rows = read_sheet(write_sheet(["words", "n"], [[text, 3] for text in TYPED], sheet_format), sheet_format)
    assert header == ["words", "n"]
    assert rows == [[text, "3"] for text in TYPED]


def test_no_text_runs_as_a_formula() -> None:
    workbook = load_workbook(io.BytesIO(write_sheet(["words"], [[text] for text in TYPED], SheetFormat.XLSX)))
    cells = [cell for (cell,) in workbook.worksheets[0].iter_rows(min_row=2)]
    assert [cell.data_type for cell in cells] == ["s"] * len(TYPED)
    lines = write_sheet(["words"], [[text] for text in TYPED], SheetFormat.CSV).decode("utf-8-sig").splitlines()
    assert not any(line.lstrip('"').startswith(("=", "+", "-", "@")) for line in lines[1:])


def test_a_control_character_pasted_into_words_does_not_fail_the_workbook() -> None:
    _header, rows = read_sheet(write_sheet(["words"], [["音乐\x0b没有声音"]], SheetFormat.XLSX), SheetFormat.XLSX)
    assert rows == [["音乐没有声音"]]
