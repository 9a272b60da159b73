"""What a swap on site does to a place of the register, without broker or database: how the incoming
serial arrives, why the outgoing one leaves, and what the place's line says afterwards."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest

from services.intake.domain.register import Device, DeviceStatus
from services.intake.domain.serials import (
    Arrival,
    Departure,
    Stay,
    SwapRefused,
    already_in_place,
    plan_swap,
)
from shared.contracts import DeviceSwapped

DSP = Device(
    asset_tag="HH138-AV-DSP-01",
    subsystem="av",
    model="BLU-100",
    manufacturer="harman",
    serial_number="S-FAULTY",
    install_date=date(2024, 4, 1),
    warranty_until=date(2027, 3, 31),
)
SWAPPED_AT = datetime(2026, 11, 20, 3, 0, tzinfo=UTC)
ORIGINAL = Stay("S-FAULTY", Arrival.REGISTERED, None, date(2024, 4, 1), date(2027, 3, 31))


def swap(new: str, **fields: Any) -> DeviceSwapped:
    values: dict[str, Any] = {
        "ticket_id": "HH138-20261120-0001",
        "site_code": "HH138",
        "asset_tag": DSP.asset_tag,
        "old_serial_number": "S-FAULTY",
        "new_serial_number": new,
        "swapped_at": SWAPPED_AT,
    }
    return DeviceSwapped(**(values | fields))


def test_a_loaner_stands_in_while_the_faulty_device_is_away() -> None:
    plan = plan_swap(DSP, swap("L-1", loaner=True, rma_number="RMA-7"), outgoing=ORIGINAL, incoming=None)
    assert (plan.arrival, plan.departure) == (Arrival.LOANER, Departure.SENT_FOR_REPAIR)
    assert plan.after.serial_number == "L-1"
    assert plan.after.warranty_until is None  # the loaner is the vendor's, not covered by the place's warranty
    assert plan.after.install_date == date(2026, 11, 20)
    assert "S-FAULTY sent for repair, L-1 in as loaner, RMA RMA-7" in plan.reason


def test_the_repaired_device_comes_back_with_its_own_dates_and_the_loaner_leaves() -> None:
    loaner = Stay("L-1", Arrival.LOANER, None, date(2026, 11, 20), None)
    away = Stay("S-FAULTY", Arrival.REGISTERED, Departure.SENT_FOR_REPAIR, date(2024, 4, 1), date(2027, 3, 31))
    with_loaner = DSP.model_copy(update={"serial_number": "L-1", "warranty_until": None})
    plan = plan_swap(with_loaner, swap("S-FAULTY", old_serial_number="L-1"), outgoing=loaner, incoming=away)
    assert (plan.arrival, plan.departure) == (Arrival.RETURNED, Departure.LOANER_RETURNED)
    assert (plan.after.install_date, plan.after.warranty_until) == (date(2024, 4, 1), date(2027, 3, 31))


@pytest.mark.parametrize(
    ("rma", "departure"), [("RMA-7", Departure.RETURNED_TO_VENDOR), (None, Departure.REPLACED)], ids=["rma", "no-rma"]
)
def test_a_replacement_takes_the_place_for_good(rma: str | None, departure: Departure) -> None:
    replacement = swap("S-NEW", rma_number=rma, new_warranty_until=date(2028, 11, 19), new_model="BLU-100 mk2")
    plan = plan_swap(DSP, replacement, outgoing=ORIGINAL, incoming=None)
    assert (plan.arrival, plan.departure) == (Arrival.REPLACEMENT, departure)
    assert (plan.after.serial_number, plan.after.model) == ("S-NEW", "BLU-100 mk2")
    assert (plan.after.install_date, plan.after.warranty_until) == (date(2026, 11, 20), date(2028, 11, 19))
    assert (plan.after.asset_tag, plan.after.subsystem, plan.after.location) == (DSP.asset_tag, "av", None)


def test_a_replacement_after_a_loaner_sends_the_loaner_back() -> None:
    loaner = Stay("L-1", Arrival.LOANER, None, date(2026, 11, 20), None)
    with_loaner = DSP.model_copy(update={"serial_number": "L-1"})
    plan = plan_swap(with_loaner, swap("S-NEW", old_serial_number="L-1"), outgoing=loaner, incoming=None)
    assert (plan.arrival, plan.departure) == (Arrival.REPLACEMENT, Departure.LOANER_RETURNED)


def test_what_the_engineer_removed_wins_and_the_difference_is_noted() -> None:
    plan = plan_swap(DSP, swap("S-NEW", old_serial_number="S-OTHER"), outgoing=ORIGINAL, incoming=None)
    assert plan.after.serial_number == "S-NEW"
    assert "the engineer removed S-OTHER; the register had S-FAULTY" in plan.reason


def test_a_place_out_of_service_or_of_many_devices_cannot_take_a_swap() -> None:
    retired = DSP.model_copy(update={"status": DeviceStatus.RETIRED})
    with pytest.raises(SwapRefused) as refused:
        plan_swap(retired, swap("S-NEW"), outgoing=None, incoming=None)
    assert refused.value.reason == "device_out_of_service"
    speakers = DSP.model_copy(update={"quantity": 24})
    with pytest.raises(SwapRefused) as refused:
        plan_swap(speakers, swap("S-NEW"), outgoing=None, incoming=None)
    assert refused.value.reason == "not_a_single_device"


def test_a_swap_reported_twice_is_recognised() -> None:
    assert already_in_place(DSP, swap("s-faulty"))
    assert not already_in_place(DSP, swap("S-NEW"))
