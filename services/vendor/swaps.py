"""A device swapped on site ends the partner's work on it: the use case behind `device.swapped`.

When the engineer installs the replacement the partner shipped (or the repaired device back), the
ticket's working cases for that device are fixed, and dispatch takes the ticket back. A loaner standing
in is only a note on the case: the partner still owes the repair (domain/swaps.py says which).
"""

from __future__ import annotations

from datetime import datetime

from services.vendor.db import case_statements as statements
from services.vendor.db import repository
from services.vendor.db.case_statements import HistoryStep
from services.vendor.domain.cases import CaseStatus
from services.vendor.domain.swaps import SwapEffect, swap_on_case
from services.vendor.escalation import end_case
from shared.contracts import DeviceSwapped
from shared.messaging.unit_of_work import UnitOfWork


async def device_swapped(uow: UnitOfWork, swap: DeviceSwapped, *, now: datetime) -> None:
    actor = swap.engineer_id or "engineer"
    detail = {"asset_tag": swap.asset_tag, "new_serial_number": swap.new_serial_number}
    swapped = await repository.device(uow.connection, swap.site_code, swap.asset_tag)
    for row in await repository.working_cases_of_ticket(uow.connection, swap.ticket_id):
        on_case = swap_on_case(
            case_number=repository.case_number(row.number),
            case_asset_tag=row.asset_tag,
            swapped_asset_tag=swap.asset_tag,
            named_case=swap.case_number,
            loaner=swap.loaner,
            units_at_swapped_tag=swapped.quantity if swapped is not None else None,
        )
        if on_case.effect is SwapEffect.FIXED:
            faulty = swap.old_serial_number or "the faulty device"
            await end_case(
                uow,
                row,
                outcome=CaseStatus.FIXED,
                reason=f"{swap.new_serial_number} installed in place of {faulty}",
                actor=actor,
                at=now,
                new_serial_number=swap.new_serial_number,
            )
        elif on_case.effect is not SwapEffect.NONE:
            noted = detail | ({"reason": on_case.reason} if on_case.reason else {})
            step = HistoryStep(on_case.effect.value, row.status, noted)
            await statements.record(uow.connection, row.number, step, actor=actor, at=now)
