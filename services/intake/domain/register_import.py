"""Reading a register file: every row checked, every problem named by row and column, nothing taken
from a file that has one.

Rows are numbered as the spreadsheet numbers them: the header is row 1, the first device row 2. The
header names columns as people write them ("Serial number", "serial", "序列号"); each is matched to a
register column or named as unknown. A row adds a device or updates the one with its asset tag;
devices the file does not name are left as they are.

Checking takes two steps: `plan_import` reads the file on its own (values, subsystems, duplicates
within it); `settle_import` then holds it against the register (serial numbers other devices have)
and says what becomes of each device.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from pydantic import ValidationError

from services.intake.domain.register import COLUMNS, REQUIRED_COLUMNS, Device, serial_problem, subsystem_problem

# Other names people give the register's columns, English and Chinese.
ALIASES: dict[str, str] = {
    "asset": "asset_tag",
    "tag": "asset_tag",
    "资产编号": "asset_tag",
    "系统": "subsystem",
    "子系统": "subsystem",
    "型号": "model",
    "设备型号": "model",
    "品牌": "manufacturer",
    "厂商": "manufacturer",
    "制造商": "manufacturer",
    "serial": "serial_number",
    "sn": "serial_number",
    "序列号": "serial_number",
    "vendor": "vendor_code",
    "维修商": "vendor_code",
    "installed": "install_date",
    "安装日期": "install_date",
    "warranty": "warranty_until",
    "保修期至": "warranty_until",
    "位置": "location",
    "安装位置": "location",
    "数量": "quantity",
    "状态": "status",
}


@dataclass(frozen=True)
class Problem:
    row: int
    column: str
    message: str

    def __str__(self) -> str:
        return f"row {self.row}, {self.column}: {self.message}"


@dataclass
class ImportPlan:
    """What a file would do to the register: the devices it names, and what becomes of each."""

    devices: list[Device] = field(default_factory=list)
    row_of: dict[str, int] = field(default_factory=dict)  # asset tag -> the row that names it
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    header: list[str] = field(default_factory=list)
    columns: dict[int, str] = field(default_factory=dict)  # file column -> register column

    @property
    def serial_keys(self) -> list[tuple[str, str]]:
        return [key for device in self.devices if (key := device.serial_key) is not None]


def column_for(header: str) -> str | None:
    """The register column a header names, if any."""
    key = re.sub(r"[\s\-]+", "_", header.strip()).casefold()
    return key if key in COLUMNS else ALIASES.get(key)


def plan_import(header: Sequence[str], rows: Sequence[Sequence[str]], *, subsystems: frozenset[str]) -> ImportPlan:
    """Read and check a whole file on its own; its problems, if any, are in the plan."""
    plan = ImportPlan(header=list(header))
    columns = plan.columns = _columns(header, plan)
    if plan.problems:
        return plan
    tags_seen: dict[str, int] = {}
    serials_seen: dict[tuple[str, str], int] = {}
    for number, cells in enumerate(rows, start=2):
        if not any(cell.strip() for cell in cells):
            continue  # blank lines between blocks of a register are common
        named = {column: cells[i].strip() if i < len(cells) else "" for i, column in columns.items()}

        def problem(column: str, message: str, number: int = number) -> None:
            plan.problems.append(Problem(number, _shown(column, header, columns), message))

        tag = named.get("asset_tag", "")
        if tag in tags_seen:
            problem("asset_tag", f"duplicate of row {tags_seen[tag]}")
            continue
        if tag:
            tags_seen[tag] = number
        device = _device(number, named, header, columns, plan)
        if device is None:
            continue
        if (why := subsystem_problem(device, subsystems)) is not None:
            problem("subsystem", why)
        key = device.serial_key
        if key is not None and key in serials_seen:
            problem("serial_number", f"duplicate of row {serials_seen[key]}")
        elif key is not None:
            serials_seen[key] = number
        plan.devices.append(device)
        plan.row_of[device.asset_tag] = number
    return plan


def settle_import(plan: ImportPlan, *, register: Mapping[str, Device], serials: Mapping[tuple[str, str], str]) -> None:
    """Hold a problem-free plan against the site's register (`register`, by asset tag) and the serial
    numbers registered anywhere (`serials`, each with the device holding it); say what becomes of each
    device, or add the problems.

    A device already registered keeps what the file has no column for; a column the file has sets the
    field, an empty cell clearing it.
    """
    in_file = set(plan.columns.values())
    for index, device in enumerate(plan.devices):
        number = plan.row_of[device.asset_tag]
        before = register.get(device.asset_tag)
        if before is not None and in_file != set(COLUMNS):
            kept = {name: value for name, value in before.model_dump().items() if name not in in_file}
            try:
                device = plan.devices[index] = Device.model_validate({**device.model_dump(), **kept})
            except ValidationError as invalid:
                plan.problems += [
                    Problem(number, "row", error["msg"].removeprefix("Value error, ")) for error in invalid.errors()
                ]
                continue
        key = device.serial_key
        why = serial_problem(device, serials.get(key)) if key else None
        if why is not None:
            plan.problems.append(Problem(number, _shown("serial_number", plan.header, plan.columns), why))
    if plan.problems:
        return
    for device in plan.devices:
        before = register.get(device.asset_tag)
        target = plan.created if before is None else plan.unchanged if before == device else plan.updated
        target.append(device.asset_tag)


def _columns(header: Sequence[str], plan: ImportPlan) -> dict[int, str]:
    columns: dict[int, str] = {}
    for index, name in enumerate(header):
        if not name.strip():
            continue
        column = column_for(name)
        if column is None:
            plan.problems.append(Problem(1, name, f"unknown column; the register's columns are {', '.join(COLUMNS)}"))
        elif column in columns.values():
            plan.problems.append(Problem(1, name, f"a second column for {column}"))
        else:
            columns[index] = column
    missing = sorted(REQUIRED_COLUMNS - set(columns.values()))
    plan.problems += [Problem(1, column, "required column missing") for column in missing]
    return columns


def _device(
    number: int, named: dict[str, str], header: Sequence[str], columns: dict[int, str], plan: ImportPlan
) -> Device | None:
    values: dict[str, object] = {}
    for column, text in named.items():
        if not text:
            continue
        values[column] = _date(text) if column in ("install_date", "warranty_until") else text
    try:
        return Device.model_validate(values)
    except ValidationError as invalid:
        for error in invalid.errors():
            column = str(error["loc"][0]) if error["loc"] else "row"
            message = "required" if error["type"] == "missing" else error["msg"].removeprefix("Value error, ")
            plan.problems.append(Problem(number, _shown(column, header, columns), message))
        return None


def _shown(column: str, header: Sequence[str], columns: dict[int, str]) -> str:
    """The column as the file's own header names it."""
    index = next((i for i, c in columns.items() if c == column), None)
    return header[index].strip() if index is not None else column


def _date(text: str) -> date | str:
    """ISO dates, and the slashed and dotted forms Chinese spreadsheets use; anything else is left for
    validation to refuse with its message."""
    for pattern in ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y-%m-%d %H:%M:%S"):
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    return text
