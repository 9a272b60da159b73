"""Registers and catalogues as the files people keep them in: CSV (as Excel writes it, Chinese
included) and XLSX.

A sheet is a header and rows of text. Reading turns every cell into text as a person would type it
(a date cell becomes 2027-03-31); writing produces files Excel opens correctly, Chinese included.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.cell import Cell, WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE


class SheetFormat(StrEnum):
    CSV = "csv"
    XLSX = "xlsx"

    @property
    def media_type(self) -> str:
        return MEDIA_TYPES[self]


MEDIA_TYPES = {
    SheetFormat.CSV: "text/csv",
    SheetFormat.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


class UnreadableSheet(ValueError):
    """The bytes are not a file of the format they claim."""


Sheet = tuple[list[str], list[list[str]]]


def read_sheet(content: bytes, sheet_format: SheetFormat) -> Sheet:
    """The header and rows of a file; raises UnreadableSheet with what is wrong with it."""
    rows = _read_csv(content) if sheet_format is SheetFormat.CSV else _read_xlsx(content)
    if not rows:
        raise UnreadableSheet("the file is empty: it needs a header row and a row per device")
    return rows[0], rows[1:]


def write_sheet(
    header: Sequence[str], rows: Sequence[Sequence[object]], sheet_format: SheetFormat, *, title: str = "register"
) -> bytes:
    if sheet_format is SheetFormat.CSV:
        text = io.StringIO()
        writer = csv.writer(text, lineterminator="\r\n")
        writer.writerow(header)
        writer.writerows([[_inert(_text(cell)) for cell in row] for row in rows])
        return text.getvalue().encode("utf-8-sig")  # the byte-order mark tells Excel it is UTF-8
    return write_workbook([(title, header, rows)])


def write_workbook(sheets: Sequence[tuple[str, Sequence[str], Sequence[Sequence[object]]]]) -> bytes:
    """An XLSX file of several sheets, each a title, a header and rows (a report's tables, one a sheet)."""
    workbook = Workbook(write_only=True)
    for title, header, rows in sheets:
        sheet = workbook.create_sheet(_sheet_title(title))
        sheet.append(list(header))
        for row in rows:
            sheet.append([_as_text(sheet, cell) if isinstance(cell, str) else cell for cell in row])
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


def _sheet_title(title: str) -> str:
    """A sheet's name as Excel takes it: at most 31 characters, none of []:*?/\\."""
    return "".join("_" if c in "[]:*?/\\" else c for c in title)[:31] or "sheet"


def _read_csv(content: bytes) -> list[list[str]]:
    for encoding in ("utf-8-sig", "gb18030"):  # Excel in China saves CSV in GB18030 unless told otherwise
        try:
            text = content.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise UnreadableSheet("the CSV file is neither UTF-8 nor GB18030 text")
    try:
        return [[_typed(cell) for cell in row] for row in csv.reader(io.StringIO(text))]
    except csv.Error as error:
        raise UnreadableSheet(f"the CSV file cannot be read: {error}") from error


def _typed(cell: str) -> str:
    """A CSV cell as typed: without the apostrophe written before what would start a formula (_inert)."""
    return cell[1:] if cell.startswith("'") and cell[1:].startswith((*_FORMULA_START, "'")) else cell


def _read_xlsx(content: bytes) -> list[list[str]]:
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a file that is not a workbook
        raise UnreadableSheet(f"not an XLSX workbook: {error}") from error
    try:
        sheet = workbook.worksheets[0]
        return [[_text(cell) for cell in row] for row in sheet.iter_rows(values_only=True)]
    finally:
        workbook.close()


# What a spreadsheet reads as a formula at the start of a cell: text people typed (a ticket's words, a
# phone number "+86 ...") must never run as one when the file is opened (CSV injection, OWASP).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _inert(text: str) -> str:
    """A CSV cell Excel shows as the text it is: an apostrophe before what would start a formula, and
    before an apostrophe typed first (so that reading takes exactly one away)."""
    return f"'{text}" if text.startswith((*_FORMULA_START, "'")) else text


def _as_text(sheet: Any, text: str) -> Cell:
    """An XLSX cell typed as text, which openpyxl would otherwise write as a formula when it starts with
    '='; without the control characters XML cannot hold (a pasted vertical tab would fail the whole file)."""
    cell = WriteOnlyCell(sheet, value=ILLEGAL_CHARACTERS_RE.sub("", text))
    cell.data_type = "s"
    return cell


def _text(cell: object) -> str:
    if cell is None:
        return ""
    if isinstance(cell, datetime):
        return cell.date().isoformat() if cell.time() == datetime.min.time() else cell.isoformat(sep=" ")
    if isinstance(cell, date):
        return cell.isoformat()
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    return str(cell)
