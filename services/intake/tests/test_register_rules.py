"""The equipment register's rules, without broker or database: what a register file may hold, every
problem named by row and column; and what covers a ticket."""

from datetime import date

import pytest

from services.intake.domain.contract import MaintenanceContract, contract_on, decide_coverage
from services.intake.domain.register import Device, DeviceStatus, changes
from services.intake.domain.register_import import plan_import, settle_import
from shared.contracts import Contact, CoverageBasis

SUBSYSTEMS = frozenset({"bgm", "av"})
HEADER = ["Asset tag", "Subsystem", "Model", "Manufacturer", "Serial", "Warranty until", "Quantity"]
AMPLIFIER = Device(asset_tag="T-BGM-AMP-01", subsystem="bgm", model="PLE-2MA240", manufacturer="bosch")


def row(tag: str, subsystem: str = "bgm", serial: str = "", warranty: str = "", quantity: str = "1") -> list[str]:
    return [tag, subsystem, "PLE-2MA240", "bosch", serial, warranty, quantity]


def problems(header: list[str], rows: list[list[str]], **against) -> list[str]:
    plan = plan_import(header, rows, subsystems=SUBSYSTEMS)
    if not plan.problems:
        settle_import(plan, register=against.get("register", {}), serials=against.get("serials", {}))
    return [str(p) for p in plan.problems]


def test_a_good_file_says_what_becomes_of_each_device() -> None:
    rows = [row("T-1", serial="S1"), [""] * 7, row("T-2", serial="S2", warranty="2027/03/31"), row("T-3")]
    register = {
        "T-1": Device(asset_tag="T-1", subsystem="bgm", model="PLE-2MA240", manufacturer="bosch", serial_number="S1"),
        "T-3": Device(asset_tag="T-3", subsystem="av", model="PLE-2MA240", manufacturer="bosch"),
    }
    plan = plan_import(HEADER, rows, subsystems=SUBSYSTEMS)
    settle_import(plan, register=register, serials={("bosch", "s1"): "T-1"})
    assert plan.problems == []
    assert (plan.created, plan.updated, plan.unchanged) == (["T-2"], ["T-3"], ["T-1"])
    assert plan.devices[1].warranty_until == date(2027, 3, 31)  # the slashed form Chinese sheets use


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        ([row("T-1", serial="S1"), row("T-2"), row("T-3", serial="s1")], ["row 4, Serial: duplicate of row 2"]),
        ([row("T-1"), row("T-1")], ["row 3, Asset tag: duplicate of row 2"]),
        ([row("T-1", subsystem="lighting")], ["row 2, Subsystem: unknown subsystem 'lighting'; the site has av, bgm"]),
        (
            [row("T-1", warranty="next year")],
            ["row 2, Warranty until: 'next year' is no day: YYYY-MM-DD, e.g. 2026-11-27"],
        ),
        ([row("T-1", quantity="0")], ["row 2, Quantity: Input should be greater than or equal to 1"]),
        ([row("")], ["row 2, Asset tag: required"]),
    ],
    ids=["serial-twice", "tag-twice", "subsystem", "date", "quantity", "no-tag"],
)
def test_a_bad_row_is_named_by_row_and_column(rows: list[list[str]], expected: list[str]) -> None:
    found = problems(HEADER, rows)
    assert found == expected


def test_every_problem_of_a_file_is_listed_not_just_the_first() -> None:
    rows = [row("T-1", subsystem="x"), row("T-2", quantity="-1"), row("T-2")]
    assert len(problems(HEADER, rows)) == 3


def test_a_serial_another_device_holds_is_refused() -> None:
    found = problems(HEADER, [row("T-9", serial="S1")], serials={("bosch", "s1"): "HH138/HH138-BGM-AMP-01"})
    assert found == ["row 2, Serial: already registered to HH138/HH138-BGM-AMP-01"]


def test_headers_are_matched_loosely_and_unknown_or_missing_columns_refused() -> None:
    assert problems(["资产编号", "系统", "型号", "品牌"], [["T-1", "bgm", "m", "b"]]) == []
    assert problems(["asset_tag", "subsystem", "model", "manufacturer", "colour"], []) == [
        "row 1, colour: unknown column; the register's columns are asset_tag, subsystem, model, manufacturer, "
        "serial_number, vendor_code, install_date, warranty_until, location, quantity, status"
    ]
    assert problems(["asset_tag", "model"], []) == [
        "row 1, manufacturer: required column missing",
        "row 1, subsystem: required column missing",
    ]


def test_a_change_is_recorded_field_by_field() -> None:
    repaired = AMPLIFIER.model_copy(update={"status": DeviceStatus.UNDER_REPAIR, "location": "workshop"})
    assert changes(AMPLIFIER, repaired) == {"location": [None, "workshop"], "status": ["in_service", "under_repair"]}
    assert changes(None, AMPLIFIER)["asset_tag"] == [None, "T-BGM-AMP-01"]


DESK = Contact(name="Quality desk")
CONTRACT = MaintenanceContract(
    code="T-MC-2026",
    starts_on=date(2026, 1, 1),
    ends_on=date(2026, 12, 31),
    covered_subsystems=frozenset({"bgm"}),
    sla_policy="gold",
    customer_representative=Contact(name="Xu Jing"),
    quality_desk=DESK,
)
UNDER_WARRANTY = AMPLIFIER.model_copy(update={"warranty_until": date(2027, 6, 30), "vendor_code": "bosch-cn"})


@pytest.mark.parametrize(
    ("contract", "subsystem", "device", "on", "basis", "reason"),
    [
        (
            CONTRACT,
            "bgm",
            UNDER_WARRANTY,
            date(2026, 5, 1),
            CoverageBasis.MANUFACTURER_WARRANTY,
            "under bosch's warranty until 2027-06-30",
        ),
        (
            CONTRACT,
            "bgm",
            AMPLIFIER,
            date(2026, 5, 1),
            CoverageBasis.MAINTENANCE_CONTRACT,
            "contract T-MC-2026 covers bgm",
        ),
        (CONTRACT, "bgm", None, date(2026, 12, 31), CoverageBasis.MAINTENANCE_CONTRACT, "until 2026-12-31"),
        (CONTRACT, "bgm", None, date(2027, 1, 1), CoverageBasis.CHARGEABLE, "contract T-MC-2026 ended on 2026-12-31"),
        (
            CONTRACT,
            "bgm",
            None,
            date(2025, 12, 31),
            CoverageBasis.CHARGEABLE,
            "contract T-MC-2026 starts on 2026-01-01",
        ),
        (CONTRACT, "av", None, date(2026, 5, 1), CoverageBasis.CHARGEABLE, "does not cover subsystem av"),
        (None, "bgm", None, date(2026, 5, 1), CoverageBasis.CHARGEABLE, "has no maintenance contract"),
        (
            CONTRACT,
            "bgm",
            AMPLIFIER.model_copy(update={"status": DeviceStatus.RETIRED}),
            date(2026, 5, 1),
            CoverageBasis.CHARGEABLE,
            "is retired",
        ),
        (
            CONTRACT,
            "bgm",
            UNDER_WARRANTY.model_copy(update={"status": DeviceStatus.REPLACED}),
            date(2026, 5, 1),
            CoverageBasis.CHARGEABLE,
            "is replaced",
        ),
        (None, "bgm", UNDER_WARRANTY, date(2027, 6, 30), CoverageBasis.MANUFACTURER_WARRANTY, "until 2027-06-30"),
        (None, "bgm", UNDER_WARRANTY, date(2027, 7, 1), CoverageBasis.CHARGEABLE, "no maintenance contract"),
    ],
    ids=[
        "warranty",
        "contract",
        "contracts-last-day",
        "contract-ended",
        "contract-not-yet",
        "subsystem-not-covered",
        "no-contract",
        "retired",
        "replaced-under-warranty",
        "warranty-last-day",
        "warranty-over",
    ],
)
def test_what_covers_a_ticket(contract, subsystem, device, on, basis, reason) -> None:
    coverage = decide_coverage("T1", contract, subsystem, device, on)
    assert coverage.basis is basis
    assert reason in coverage.reason
    assert coverage.sla_policy == ("gold" if contract is not None and contract.in_force(on) else None)
    if basis is CoverageBasis.MANUFACTURER_WARRANTY:
        assert coverage.vendor_code == "bosch-cn"


def test_the_contract_of_a_day_is_the_one_in_force_else_the_last_ended() -> None:
    renewal = CONTRACT.model_copy(
        update={"code": "T-MC-2027", "starts_on": date(2027, 3, 1), "ends_on": date(2027, 12, 31)}
    )
    contracts = [CONTRACT, renewal]
    assert contract_on(contracts, date(2026, 6, 1)) == CONTRACT
    assert contract_on(contracts, date(2027, 2, 1)) == CONTRACT  # the gap between them: the last one ended
    assert contract_on(contracts, date(2027, 6, 1)) == renewal
    assert contract_on(contracts, date(2025, 6, 1)) == CONTRACT  # before any: the first to come
    assert contract_on([], date(2026, 6, 1)) is None
    assert CONTRACT.overlaps(renewal) is False
