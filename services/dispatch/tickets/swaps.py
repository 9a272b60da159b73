"""The engineer swaps a device on site: the use case behind `POST /tickets/{id}/swaps`.

From a ticket they are working, the engineer reports which serial left the device's place and which
came in: the replacement the vendor shipped, a loaner standing in while the faulty one is away, or the
repaired device coming back. Dispatch records it on the ticket and announces `device.swapped`: intake
keeps the register and both serials' histories, the vendor service ends the partner's case when the
replacement (or the repaired device) is in.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from services.dispatch.tickets import escalation_rows as escalations
from services.dispatch.tickets import repository
from services.dispatch.tickets.escalations import ticket_being_worked
from shared.contracts import DeviceSwapped
from shared.messaging.unit_of_work import UnitOfWork
from shared.refusals import Refused


@dataclass(frozen=True)
class Swap:
    new_serial_number: str
    loaner: bool
    asset_tag: str | None = None
    old_serial_number: str | None = None
    new_model: str | None = None
    new_warranty_until: date | None = None
    rma_number: str | None = None
    case_number: str | None = None


async def swap_device(uow: UnitOfWork, ticket_id: str, swap: Swap, *, actor: str, now: datetime) -> DeviceSwapped:
    connection = uow.connection
    ticket = await ticket_being_worked(connection, ticket_id, doing="swap a device")
    device, _ = await escalations.ticket_details(connection, ticket_id)
    asset_tag = swap.asset_tag or (device.asset_tag if device else None)
    if asset_tag is None:
        raise Refused("device_unknown", "say which device was swapped (asset_tag): the ticket names none")
    if device is not None and device.asset_tag == asset_tag and (device.quantity or 1) > 1:
        # Intake's register refuses it too (one serial cannot replace one of many): refused here, before
        # a vendor case is closed on a swap the register would never take.
        raise Refused(
            "not_a_single_device",
            f"{asset_tag} stands for {device.quantity} devices in the register: register the swapped unit as a "
            "device of its own (its own asset tag and serial), then report the swap on it",
        )
    old_serial = swap.old_serial_number
    if old_serial is None and device is not None and device.asset_tag == asset_tag:
        old_serial = device.serial_number
    swapped = DeviceSwapped(
        ticket_id=ticket_id,
        site_code=ticket.site_code,
        asset_tag=asset_tag,
        old_serial_number=old_serial,
        new_serial_number=swap.new_serial_number,
        new_warranty_until=swap.new_warranty_until,
        new_model=swap.new_model,
        loaner=swap.loaner,
        rma_number=swap.rma_number,
        case_number=swap.case_number,
        engineer_id=ticket.engineer_id,
        swapped_at=now,
    )
    uow.publish(swapped, correlation_id=ticket_id)
    if device is not None and device.asset_tag == asset_tag:
        # The ticket's device is now the new one: a later swap on the ticket starts from it.
        changed = {"serial_number": swap.new_serial_number, "warranty_until": swap.new_warranty_until}
        await escalations.set_device(connection, ticket_id, device.model_copy(update=changed))
    kind = "loaner" if swap.loaner else "new device"
    note = f"{asset_tag}: {old_serial or 'unknown serial'} out, {kind} {swap.new_serial_number} in"
    note += "".join(
        f", {label} {value}" for label, value in (("RMA", swap.rma_number), ("case", swap.case_number)) if value
    )
    facts = {
        "asset_tag": asset_tag,
        "old_serial_number": old_serial,
        "loaner": swap.loaner,
        "new_serial_number": swap.new_serial_number,
        "rma_number": swap.rma_number,
        "case_number": swap.case_number,
    }
    await repository.record(
        connection, ticket_id, action="swap_device", status=ticket.status, at=now, actor=actor, note=note, facts=facts
    )
    return swapped
