"""The acceptance register (前期接收): at handover the whole system is inspected against the completion
list with the customer present; the results are recorded, both parties sign, and the list of every
device's model and quantity is attached. It is the first register of a contract and the baseline the
monthly and quarterly registers compare with."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any

from services.archive.domain.documents import Category, Draft
from services.archive.domain.drafting import draft
from services.archive.domain.periods import acceptance
from services.archive.domain.registers import device_row, equipment_at_end, models, register_words, site_facts
from services.archive.domain.story import Site
from shared.contracts import EquipmentChanged, SiteDescribed


class CheckResult(StrEnum):
    PASSED = "passed"
    FAILED = "failed"
    NOT_APPLICABLE = "not_applicable"


@dataclass(frozen=True)
class Check:
    """One line of the completion list, as found at handover."""

    subsystem: str
    item: str
    result: CheckResult
    remark: str | None = None


@dataclass(frozen=True)
class Handover:
    handed_over_on: date
    checks: tuple[Check, ...]
    integrator_present: tuple[str, ...]
    customer_present: tuple[str, ...]
    notes: str | None = None


def acceptance_source(site_code: str, described: SiteDescribed | None) -> str:
    """One acceptance register per contract (per site while it has none)."""
    return f"register:acceptance:{described.contract_code if described and described.contract_code else site_code}"


def acceptance_register(
    site: Site, described: SiteDescribed | None, handover: Handover, equipment: list[EquipmentChanged]
) -> Draft:
    period = acceptance(handover.handed_over_on)
    devices = equipment_at_end(equipment)
    results = Counter(check.result.value for check in handover.checks)
    content: dict[str, Any] = {
        "kind": period.kind.value,
        "period": {"label": period.label, "first": period.first.isoformat(), "last": period.last.isoformat()},
        "site": site_facts(site, described),
        "contract": {
            "code": described.contract_code if described else None,
            "starts_on": described.contract_starts_on.isoformat()
            if described and described.contract_starts_on
            else None,
            "ends_on": described.contract_ends_on.isoformat() if described and described.contract_ends_on else None,
        },
        "handover": {
            "handed_over_on": handover.handed_over_on.isoformat(),
            "integrator_present": list(handover.integrator_present),
            "customer_present": list(handover.customer_present),
            "notes": handover.notes,
        },
        "checks": [
            {"subsystem": c.subsystem, "item": c.item, "result": c.result.value, "remark": c.remark}
            for c in handover.checks
        ],
        "results": {result.value: results[result.value] for result in CheckResult},
        "equipment": {"devices": [device_row(device) for device in devices], "models": models(devices)},
    }
    return draft(
        Category.REGISTER,
        f"前期接收登记表 Acceptance register {handover.handed_over_on.isoformat()}",
        site,
        period.starts(site.timezone),
        ticket_id=None,
        source=acceptance_source(site.code, described),
        form="acceptance_register",
        content=content,
        words=register_words(content),
    )
