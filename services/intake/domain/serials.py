"""Serial numbers over time: which physical device stood in each place of the register, from when to
when, and why it left.

A register line (an asset tag) is a place: "the DSP of the event hall". The device in it is named by
its serial number, and devices come and go: a faulty one leaves for repair and a loaner stands in, a
repaired one comes back, a replacement shipped under an RMA takes its place for good. Each stay of a
serial in a place is a period; both the faulty and the replacement serials stay on record, so a
serial's whole life can be told, and what stood at a site on any day.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from services.intake.domain.register import OUT_OF_SERVICE, Device, DeviceStatus
from shared.contracts import DeviceSwapped
from shared.refusals import Refused


class Arrival(StrEnum):
    """How a serial came into its place."""

    REGISTERED = "registered"  # entered in the register (added, imported, corrected)
    REPLACEMENT = "replacement"  # a new device for good, e.g. shipped under an RMA
    LOANER = "loaner"  # standing in while the faulty one is away
    RETURNED = "returned"  # the place's own device back from repair


class Departure(StrEnum):
    """Why a serial left its place."""

    CHANGED_IN_REGISTER = "changed_in_register"
    RETIRED = "retired"
    SENT_FOR_REPAIR = "sent_for_repair"  # a loaner stands in; it is expected back
    RETURNED_TO_VENDOR = "returned_to_vendor"  # replaced under an RMA
    REPLACED = "replaced"  # replaced without a return to the vendor
    LOANER_RETURNED = "loaner_returned"


@dataclass(frozen=True)
class Stay:
    """A serial's last period in a place, as far as a swap needs it."""

    serial_number: str
    arrival: Arrival
    departure: Departure | None
    install_date: date | None
    warranty_until: date | None


@dataclass(frozen=True)
class SwapPlan:
    """What a swap on site does to the register: the place's device after it, how the incoming serial
    arrives and why the outgoing one leaves, and the reason the history shows."""

    after: Device
    arrival: Arrival
    departure: Departure
    reason: str


class SwapRefused(Refused):
    """A swap that cannot apply to the register as it stands."""


def plan_swap(before: Device, swap: DeviceSwapped, *, outgoing: Stay | None, incoming: Stay | None) -> SwapPlan:
    """The register after `swap`, given the place's device before it, the outgoing serial's current
    stay in the place and the incoming serial's last stay there (if it stood there before)."""
    if before.status in OUT_OF_SERVICE:
        raise SwapRefused("device_out_of_service", f"{before.asset_tag} is {before.status.value}: nothing to swap")
    if before.quantity != 1:
        raise SwapRefused("not_a_single_device", f"{before.asset_tag} stands for {before.quantity} devices")
    arrival = _arrival(swap, incoming)
    departure = _departure(outgoing, arrival, swap)
    day = swap.swapped_at.date()
    after = before.model_copy(
        update={
            "serial_number": swap.new_serial_number,
            "model": swap.new_model or before.model,
            "status": DeviceStatus.IN_SERVICE,
            "install_date": incoming.install_date if arrival is Arrival.RETURNED and incoming else day,
            "warranty_until": swap.new_warranty_until
            or (incoming.warranty_until if arrival is Arrival.RETURNED and incoming else None),
        }
    )
    return SwapPlan(after=after, arrival=arrival, departure=departure, reason=_reason(before, swap, arrival, departure))


def _arrival(swap: DeviceSwapped, incoming: Stay | None) -> Arrival:
    if swap.loaner:
        return Arrival.LOANER
    if incoming is not None and incoming.departure is Departure.SENT_FOR_REPAIR:
        return Arrival.RETURNED
    return Arrival.REPLACEMENT


def _departure(outgoing: Stay | None, arrival: Arrival, swap: DeviceSwapped) -> Departure:
    if outgoing is not None and outgoing.arrival is Arrival.LOANER:
        return Departure.LOANER_RETURNED
    if arrival is Arrival.LOANER:
        return Departure.SENT_FOR_REPAIR
    return Departure.RETURNED_TO_VENDOR if swap.rma_number else Departure.REPLACED


def _reason(before: Device, swap: DeviceSwapped, arrival: Arrival, departure: Departure) -> str:
    outgoing = before.serial_number or "no serial"
    reason = f"ticket {swap.ticket_id}: {outgoing} {departure.value.replace('_', ' ')}, "
    reason += f"{swap.new_serial_number} in as {arrival.value}"
    reason += "".join(
        f", {label} {value}" for label, value in (("RMA", swap.rma_number), ("case", swap.case_number)) if value
    )
    if swap.old_serial_number and before.serial_number and not _same(swap.old_serial_number, before.serial_number):
        reason += f" (the engineer removed {swap.old_serial_number}; the register had {before.serial_number})"
    return reason


def _same(a: str, b: str) -> bool:
    return a.casefold() == b.casefold()


def already_in_place(before: Device, swap: DeviceSwapped) -> bool:
    """The swap's new device is the one in the place already: a swap reported twice."""
    return before.serial_number is not None and _same(before.serial_number, swap.new_serial_number)
