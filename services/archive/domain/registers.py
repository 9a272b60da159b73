"""The equipment and operation register (设备运行登记表) of a site for a month or a quarter, drawn up from
the events the archive kept: the equipment as it stood at the period's end and how it changed, the
tickets by subsystem and kind, each SLA clock's results, the inspections, the vendor cases and what
customers said on the follow-up calls. Devices are compared, model by model, with the acceptance
register signed at handover, the baseline of the contract."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from services.archive.domain import register_sections as sections
from services.archive.domain.documents import Category, Draft
from services.archive.domain.drafting import draft, local
from services.archive.domain.periods import Period
from services.archive.domain.story import Site, Story
from shared.contracts import DeviceRef, EquipmentChanged, SiteDescribed, TicketOpened, TicketReclassified

OUT_OF_SERVICE = frozenset({"retired", "replaced"})


@dataclass(frozen=True)
class Baseline:
    """The acceptance register later registers compare with."""

    code: str
    version: int
    signed: bool
    models: list[dict[str, Any]]


def site_facts(site: Site, described: SiteDescribed | None) -> dict[str, Any]:
    return {
        "code": site.code,
        "name": site.name,
        "address": site.address,
        "customer": described.customer if described else None,
        "contract_code": described.contract_code if described else None,
    }


def equipment_at_end(changes: Iterable[EquipmentChanged]) -> list[DeviceRef]:
    """Each device as its latest change left it, by subsystem and asset tag."""
    latest = {change.device.asset_tag: change.device for change in changes}
    return sorted(latest.values(), key=lambda device: (device.subsystem or "", device.asset_tag))


def models(devices: Iterable[DeviceRef]) -> list[dict[str, Any]]:
    """How many units of each model are in service, by subsystem."""
    counted: Counter[tuple[str, str, str]] = Counter()
    for device in devices:
        if device.status not in OUT_OF_SERVICE:
            key = (device.subsystem or "", device.manufacturer or "", device.model or "")
            counted[key] += device.quantity or 1
    return [
        {"subsystem": subsystem, "manufacturer": manufacturer, "model": model, "quantity": quantity}
        for (subsystem, manufacturer, model), quantity in sorted(counted.items())
    ]


def register_words(content: Mapping[str, Any]) -> dict[str, list[str | None]]:
    """The codes a register shows: subsystems, device statuses and changes, ticket kinds, clocks, vendor cases."""
    equipment = content.get("equipment", {})
    rows = [*equipment.get("devices", []), *equipment.get("models", [])]
    changes = equipment.get("changes", [])
    tickets = content.get("tickets", {}).get("by_subsystem_and_kind", [])
    cases = content.get("vendor_cases", {}).get("cases", [])
    failed = content.get("inspections", {}).get("failed_items", [])
    checks = content.get("checks", [])
    return {
        "subsystem": [row.get("subsystem") for row in (*rows, *tickets, *failed, *checks)],
        "device_status": [
            *(row.get("status") for row in equipment.get("devices", [])),
            *(value for change in changes for value in change["changes"].get("status", ())),
        ],
        "equipment_action": [change["action"] for change in changes],
        "device_field": [field for change in changes for field in change["changes"]],
        "kind": [row["kind"] for row in tickets],
        "clock": [row["clock"] for row in content.get("sla", [])],
        "escalation": [case["reason"] for case in cases],
        "vendor_outcome": [case["outcome"] for case in cases],
    }


def device_row(device: DeviceRef) -> dict[str, Any]:
    return {
        "asset_tag": device.asset_tag,
        "subsystem": device.subsystem,
        "model": device.model,
        "manufacturer": device.manufacturer,
        "serial_number": device.serial_number,
        "quantity": device.quantity or 1,
        "location": device.location,
        "status": device.status,
        "warranty_until": device.warranty_until.isoformat() if device.warranty_until else None,
    }


def compared(now: list[dict[str, Any]], baseline: Baseline | None) -> list[dict[str, Any]]:
    """Each model's units now beside its units at acceptance."""
    if baseline is None:
        return [{**row, "at_acceptance": None, "difference": None} for row in now]
    key = ("subsystem", "manufacturer", "model")
    before = {tuple(row[k] for k in key): row["quantity"] for row in baseline.models}
    current = {tuple(row[k] for k in key): row["quantity"] for row in now}
    rows = []
    for model in sorted(before.keys() | current.keys()):
        units, accepted = current.get(model, 0), before.get(model)
        difference = units - accepted if accepted is not None else None
        rows.append(
            {
                **dict(zip(key, model, strict=True)),
                "quantity": units,
                "at_acceptance": accepted,
                "difference": difference,
            }
        )
    return rows


def operation_register(
    site: Site,
    described: SiteDescribed | None,
    period: Period,
    equipment: list[EquipmentChanged],
    events: Story,
    openings: Mapping[str, TicketOpened],
    baseline: Baseline | None,
    *,
    reclassified: Sequence[TicketReclassified] = (),
) -> Draft:
    """The register of a closed (or, as a draft, a running) month or quarter. `equipment` holds every
    change up to the period's end; `events` the site's and its tickets' events of the period; `openings`
    the opening of every ticket they concern, in the period or before it; `reclassified` the changes
    of kind of those tickets up to the period's end."""
    start, end = period.starts(site.timezone), period.ends(site.timezone)
    devices = equipment_at_end(equipment)
    content = {
        "kind": period.kind.value,
        "period": {"label": period.label, "first": period.first.isoformat(), "last": period.last.isoformat()},
        "site": site_facts(site, described),
        "baseline": {"code": baseline.code, "version": baseline.version, "signed": baseline.signed}
        if baseline
        else None,
        "equipment": {
            "devices": [device_row(device) for device in devices],
            "models": compared(models(devices), baseline),
            "changes": [
                {
                    "at": local(change.changed_at, site),
                    "asset_tag": change.device.asset_tag,
                    "action": change.action,
                    "changes": {
                        field: [str(v) if v is not None else None for v in pair]
                        for field, pair in change.changes.items()
                    },
                    "actor": change.actor,
                    "reason": change.reason,
                }
                for change in equipment
                if start <= change.changed_at < end
            ],
        },
        "tickets": sections.tickets(events, openings, reclassified),
        "sla": sections.sla_results(events),
        "inspections": sections.inspections(events),
        "vendor_cases": sections.vendor_cases(events, site),
        "follow_ups": sections.follow_ups(events),
    }
    return draft(
        Category.REGISTER,
        f"设备运行登记表 Equipment and operation register {period.label}",
        site,
        start,
        ticket_id=None,
        source=f"register:{period.kind.value}:{period.label}",
        form="operation_register",
        content=content,
        words=register_words(content),
    )
