"""A device swapped on site ends the partner's work on it: the use case behind `device.swapped`.

When the engineer installs the replacement the partner shipped (or the repaired device back), the
ticket's working cases for that device are fixed, and dispatch takes the ticket back. A loaner standing
in is only a note on the case: the partner still owes the repair.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from services.vendor.db import repository
from services.vendor.domain.cases import WORKING, CaseStatus
from services.vendor.escalation import end_case
from shared.contracts import DeviceSwapped
from shared.messaging.unit_of_work import UnitOfWork


async def device_swapped(uow: UnitOfWork, swap: DeviceSwapped, *, now: datetime) -> None:
    actor = swap.engineer_id or "engineer"
    detail = {"asset_tag": swap.asset_tag, "new_serial_number": swap.new_serial_number}
    for candidate in await repository.open_cases_of_ticket(uow.connection, swap.ticket_id):
        row = await repository.case_for_update(uow.connection, candidate.number)
        if row is None or CaseStatus(row.status) not in WORKING or not _concerns(row, swap):
            continue
        if swap.loaner:
            await repository.record(
                uow.connection,
                row.number,
                step="loaner_installed",
                status=row.status,
                actor=actor,
                detail=detail,
                at=now,
            )
            continue
        await end_case(
            uow,
            row.number,
            outcome=CaseStatus.FIXED,
            reason=f"{swap.new_serial_number} installed in place of {swap.old_serial_number or 'the faulty device'}",
            actor=actor,
            at=now,
            new_serial_number=swap.new_serial_number,
        )


def _concerns(case: Any, swap: DeviceSwapped) -> bool:
    """The swap names this case, or (naming none) the case's device."""
    if swap.case_number is not None:
        return repository.case_number(case.number) == swap.case_number
    return case.asset_tag in (None, swap.asset_tag)
