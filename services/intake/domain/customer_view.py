"""What a site's customer sees of intake's rows (the rule for events is shared/contracts/visibility.py,
whose `equipment.changed` and `ticket.reclassified` leave out who changed a device or a request and why):
each change, reclassification and serial's stay, without the staff's names and reasons, nor the
vendor's RMA and case numbers."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from shared.contracts.visibility import CUSTOMER_SEES

STAFF_OF_A_CHANGE = frozenset({"actor", "reason"}) - CUSTOMER_SEES["equipment.changed"]
STAFF_OF_A_RECLASSIFICATION = frozenset({"actor", "reason"}) - CUSTOMER_SEES["ticket.reclassified"]
STAFF_OF_A_STAY = frozenset({"actor", "rma_number", "case_number"})  # in a stay's arrival or departure details


def device_with_history(device: Mapping[str, Any]) -> dict[str, Any]:
    history = [{k: v for k, v in change.items() if k not in STAFF_OF_A_CHANGE} for change in device["history"]]
    return {**device, "history": history}


def reclassifications(rows: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    return [{k: v for k, v in row.items() if k not in STAFF_OF_A_RECLASSIFICATION} for row in rows]


def stays(rows: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    return [{k: _without_staff(v) if k.endswith("_details") else v for k, v in row.items()} for row in rows]


def _without_staff(details: object) -> object:
    if not isinstance(details, Mapping):
        return details
    return {k: v for k, v in details.items() if k not in STAFF_OF_A_STAY}
