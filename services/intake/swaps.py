"""A device swapped on site: the use case behind `device.swapped`.

The engineer reports from a ticket which serial left a place of the register and which came in: a
replacement (under an RMA or not), a loaner standing in while the faulty device is away, or the
repaired device coming back. The register's place takes the new serial, the history says why and
names the ticket and the RMA, and both serials stay on record as stays (`domain/serials.py`).
"""

from __future__ import annotations

from services.intake import equipment
from services.intake.db import serials
from services.intake.domain.register import RegisterAction, changes
from services.intake.domain.serials import already_in_place, plan_swap
from shared.contracts import DeviceSwapped
from shared.messaging.failures import PermanentFailure
from shared.messaging.unit_of_work import UnitOfWork
from shared.refusals import Refused


async def swap_device(uow: UnitOfWork, swap: DeviceSwapped) -> None:
    """Apply the swap to the register; one that cannot apply is dead-lettered with the reason (for the
    register's keeper to fix and replay), never dropped."""
    connection, site_code = uow.connection, swap.site_code
    await equipment.locked(connection, site_code)
    try:
        before = await equipment.existing(connection, site_code, swap.asset_tag)
        if already_in_place(before, swap):
            return
        plan = plan_swap(
            before,
            swap,
            outgoing=await serials.current_stay(connection, site_code, swap.asset_tag),
            incoming=await serials.last_stay(connection, site_code, swap.asset_tag, swap.new_serial_number),
        )
        await equipment.refuse_conflicts(connection, site_code, plan.after)
    except Refused as refused:
        raise PermanentFailure(refused.reason, refused.message) from refused
    actor = swap.engineer_id or "engineer"
    await equipment.announce(
        uow,
        site_code,
        [(plan.after, changes(before, plan.after))],
        action=RegisterAction.SWAPPED,
        actor=actor,
        reason=plan.reason,
        at=swap.swapped_at,
    )
    details = {
        "ticket_id": swap.ticket_id,
        "rma_number": swap.rma_number,
        "case_number": swap.case_number,
        "actor": actor,
    }
    await serials.swap(
        connection,
        site_code,
        plan.after,
        arrival=plan.arrival,
        departure=plan.departure,
        details={key: value for key, value in details.items() if value is not None},
        at=swap.swapped_at,
    )
